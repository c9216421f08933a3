package net.saharasync.clientd;

/** A failure of the client that the user should read: a bad folder, an unreachable or refusing host, a refused write. */
public class ClientException extends RuntimeException {
    public ClientException(String message) {
        super(message);
    }

    public ClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
