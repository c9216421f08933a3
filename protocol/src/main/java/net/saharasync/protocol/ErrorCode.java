package net.saharasync.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The stable error codes of the host API (docs/PROTOCOL.md, "Errors"), each with the HTTP
 * status it travels with. Services refuse with a code; only the HTTP edge turns it into a status.
 */
public enum ErrorCode {
    BAD_REQUEST(400),
    HASH_MISMATCH(400),
    MALFORMED_FRAME(400),
    INVALID_TREE(400),
    TREE_TOO_LARGE(400),
    BAD_PARENT(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    REQUEST_TIMEOUT(408),
    HEAD_MOVED(409),
    MISSING_OBJECTS(409),
    USER_EXISTS(409),
    PAYLOAD_TOO_LARGE(413),
    TOO_MANY_REQUESTS(429),
    INTERNAL(500),
    INSUFFICIENT_STORAGE(507);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** As in the JSON body's {@code "error"} field, e.g. {@code missing_objects}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ErrorCode> fromWire(String text) {
        for (ErrorCode c : values()) {
            if (c.wireName().equals(text)) return Optional.of(c);
        }
        return Optional.empty();
    }
}
