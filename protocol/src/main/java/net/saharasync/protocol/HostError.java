package net.saharasync.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;

/**
 * The host refused a request: its error code, the HTTP status it came with, a message, and the
 * answer's JSON body (docs/PROTOCOL.md, "Errors").
 */
public final class HostError extends IOException {
    private final int status;
    private final String code;
    private final JsonNode body;

    public HostError(int status, String code, String message, JsonNode body) {
        super("host: " + status + " " + code + ": " + message);
        this.status = status;
        this.code = code;
        this.body = body;
    }

    public HostError(ErrorCode code, String message) {
        this(code.httpStatus(), code.wireName(), message, null);
    }

    public int status() {
        return status;
    }

    /** The code as sent (a newer host may send one this client does not know). */
    public String code() {
        return code;
    }

    public Optional<ErrorCode> errorCode() {
        return ErrorCode.fromWire(code);
    }

    public boolean is(ErrorCode c) {
        return code.equals(c.wireName());
    }

    public JsonNode body() {
        return body;
    }
}
