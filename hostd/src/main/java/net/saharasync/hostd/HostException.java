package net.saharasync.hostd;

import java.util.Map;

/**
 * Any request the host refuses, with the HTTP status, a stable error code clients can act on,
 * a message for people and, where useful, more fields for the JSON body
 * ({@code {"error": CODE, "message": ..., ...}}).
 */
public final class HostException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public HostException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public HostException(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static HostException badRequest(String message) {
        return new HostException(400, "bad_request", message);
    }

    public static HostException notFound(String message) {
        return new HostException(404, "not_found", message);
    }

    public static HostException forbidden(String message) {
        return new HostException(403, "forbidden", message);
    }

    public static HostException tooLarge(String message) {
        return new HostException(413, "payload_too_large", message);
    }
}
