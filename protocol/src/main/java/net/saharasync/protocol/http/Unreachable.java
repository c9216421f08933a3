package net.saharasync.protocol.http;

import java.io.IOException;
import net.saharasync.protocol.HostUnreachable;

/** Turns the JDK's connect, name and TLS failures into a sentence naming what was tried and the fix. */
final class Unreachable {
    private Unreachable() {}

    /** The sentence for a failure to reach {@code base}, or null when {@code e} is not one. */
    static HostUnreachable explain(String base, boolean pinned, IOException e, int readTimeoutMillis) {
        String host = java.net.URI.create(base).getHost();
        boolean tls = base.regionMatches(true, 0, "https://", 0, 8);
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof java.net.UnknownHostException) {
            return new HostUnreachable("cannot find the host '" + host + "' (no such name): check the address in " + base, e);
        }
        if (e instanceof java.net.ConnectException) {
            return new HostUnreachable("cannot reach " + base + ": nothing answers there (" + msg.toLowerCase(java.util.Locale.ROOT)
                    + "); is `sahara host` (or `sahara up`) running, and listening on that address and port?", e);
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return new HostUnreachable(base + " did not answer within " + (msg.contains("connect") ? "10" : String.valueOf(readTimeoutMillis / 1000))
                    + " s: is that address the sahara host, and is it reachable from here?", e);
        }
        if (e instanceof javax.net.ssl.SSLException) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String rootMsg = String.valueOf(root.getMessage());
            if (rootMsg.contains("pinned fingerprint")) {
                return new HostUnreachable(base + " presented a certificate other than the pinned one: " + rootMsg
                        + ". If the host's certificate was replaced, join again with the fingerprint `sahara host --tls` prints; otherwise something is in the way", e);
            }
            if (!pinned && (msg.contains("PKIX") || rootMsg.contains("PKIX") || rootMsg.contains("certification path"))) {
                return new HostUnreachable(base + " has a certificate this client does not trust (a sahara host's is self-signed): "
                        + "pass --fingerprint with the fingerprint `sahara host --tls` printed", e);
            }
            if (msg.contains("Unsupported or unrecognized SSL message") || msg.contains("plaintext")) {
                return new HostUnreachable(base + " does not speak TLS: use http:// instead of https://", e);
            }
            return new HostUnreachable("the TLS connection to " + base + " failed: " + msg, e);
        }
        if (!tls && (msg.contains("Unexpected end of file") || msg.contains("Connection reset") || msg.contains("Invalid Http response"))) {
            return new HostUnreachable(base + " closed the connection without an answer: if the host runs with --tls, use https:// and --fingerprint", e);
        }
        return null;
    }
}
