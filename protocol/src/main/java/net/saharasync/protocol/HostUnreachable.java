package net.saharasync.protocol;

import java.io.IOException;

/**
 * The host could not be reached, or not trusted: a sentence naming what was tried and the fix
 * (no name lookup, nothing listening, no answer in time, TLS on one side only, a certificate
 * that is not the pinned one). The cause keeps the JDK's own exception.
 */
public final class HostUnreachable extends IOException {
    public HostUnreachable(String message, Throwable cause) {
        super(message, cause);
    }
}
