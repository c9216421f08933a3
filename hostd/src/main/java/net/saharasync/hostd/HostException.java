package net.saharasync.hostd;

import java.util.Map;
import net.saharasync.protocol.ErrorCode;

/**
 * Any request the host refuses: a stable {@link ErrorCode} clients can act on, a message for
 * people and, where useful, more fields for the answer ({@code {"error": CODE, "message": ...,
 * ...}} over HTTP, where the code's status is set at the edge).
 */
public final class HostException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public HostException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public HostException(ErrorCode code, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        // Not Map.copyOf: a detail may be null (a head that does not exist yet is "head": null).
        this.details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** The answer's body: {@code {"error": CODE, "message": ..., details...}}. */
    public Map<String, Object> body() {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("error", code.wireName());
        body.put("message", getMessage());
        body.putAll(details);
        return body;
    }

    public static HostException badRequest(String message) {
        return new HostException(ErrorCode.BAD_REQUEST, message);
    }

    public static HostException notFound(String message) {
        return new HostException(ErrorCode.NOT_FOUND, message);
    }

    public static HostException forbidden(String message) {
        return new HostException(ErrorCode.FORBIDDEN, message);
    }

    public static HostException tooLarge(String message) {
        return new HostException(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }
}
