package net.saharasync.hostd.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore.Principal;

/** Small helpers every route uses: the caller, path parameters, bounded bodies and JSON. */
public final class Exchanges {
    private Exchanges() {}

    static final AttachmentKey<Principal> PRINCIPAL = AttachmentKey.create(Principal.class);
    static final AttachmentKey<LongAdder> BYTES_IN = AttachmentKey.create(LongAdder.class);
    /** The pacer watching this exchange's body (absent in handlers tested alone). */
    static final AttachmentKey<Pacer> PACER = AttachmentKey.create(Pacer.class);
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    static Principal principal(HttpServerExchange ex) {
        Principal p = ex.getAttachment(PRINCIPAL);
        if (p == null) throw new IllegalStateException("route needs authentication but has none");
        return p;
    }

    static String param(HttpServerExchange ex, String name) {
        PathTemplateMatch m = ex.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String v = m == null ? null : m.getParameters().get(name);
        if (v == null) throw HostException.badRequest("missing path parameter " + name);
        return v;
    }

    static Optional<String> query(HttpServerExchange ex, String name) {
        var d = ex.getQueryParameters().get(name);
        return d == null || d.isEmpty() ? Optional.empty() : Optional.of(d.getFirst());
    }

    static long queryLong(HttpServerExchange ex, String name, long dflt, long min, long max) {
        Optional<String> s = query(ex, name);
        if (s.isEmpty()) return dflt;
        try {
            long v = Long.parseLong(s.get());
            if (v < min || v > max) throw HostException.badRequest(name + " must be in " + min + ".." + max);
            return v;
        } catch (NumberFormatException e) {
            throw HostException.badRequest(name + " must be a number");
        }
    }

    static Hash hash(String hex, String what) {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw HostException.badRequest(what + " must be 64 lower-case hex digits");
        }
        return Hash.fromHex(hex);
    }

    /**
     * The request body, refusing more than {@code max} bytes with 413: at once when the declared
     * length is larger, else as soon as that many bytes have been read.
     */
    static InputStream body(HttpServerExchange ex, long max) {
        long declared = ex.getRequestContentLength();
        if (declared > max) throw HostException.tooLarge("body of " + declared + " bytes exceeds the limit of " + max);
        if (!ex.isBlocking()) ex.startBlocking();
        LongAdder counter = ex.getAttachment(BYTES_IN);
        Pacer pacer = ex.getAttachment(PACER);
        if (pacer != null) pacer.bodyStarted(ex);
        return new FilterInputStream(ex.getInputStream()) {
            private long read;
            private boolean ended;

            private void count(long n) {
                if (n < 0) end();
                if (n <= 0) return;
                read += n;
                if (counter != null) counter.add(n);
                if (pacer != null) pacer.bodyRead(ex, n);
                if (read > max) throw HostException.tooLarge("body exceeds the limit of " + max + " bytes");
            }

            private void end() {
                if (!ended && pacer != null) pacer.bodyEnded(ex);
                ended = true;
            }

            @Override
            public void close() throws IOException {
                end();
                super.close();
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b >= 0 ? 1 : -1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n;
                try {
                    n = super.read(buf, off, len);
                } catch (RuntimeException e) {
                    // Undertow's stream fails this way when the pacer closed the connection under it.
                    if (pacer != null && pacer.cut(ex)) throw new IOException("the connection was closed: the body came too slowly");
                    throw e;
                }
                count(n);
                return n;
            }
        };
    }

    static byte[] readBody(HttpServerExchange ex, long max) throws IOException {
        try (InputStream in = body(ex, max)) {
            return in.readAllBytes();
        }
    }

    static <T> T readJson(HttpServerExchange ex, Class<T> type, int max) throws IOException {
        byte[] body = readBody(ex, max);
        if (body.length == 0) throw HostException.badRequest("a JSON body is required");
        try {
            T v = JSON.readValue(body, type);
            if (v == null) throw HostException.badRequest("a JSON object is required");
            return v;
        } catch (JsonProcessingException e) {
            throw HostException.badRequest("malformed JSON: " + e.getOriginalMessage());
        }
    }

    static void sendJson(HttpServerExchange ex, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseSender().send(java.nio.ByteBuffer.wrap(bytes));
    }

    static void sendError(HttpServerExchange ex, HostException e) {
        int status = e.code().httpStatus();
        if (status == 401) ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"sahara\"");
        if (status == 429 || status == 507) ex.getResponseHeaders().put(Headers.RETRY_AFTER, status == 429 ? "1" : "60");
        sendJson(ex, status, e.body());
    }
}
