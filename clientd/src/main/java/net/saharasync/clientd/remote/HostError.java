package net.saharasync.clientd.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** The host refused a request: its status, error code and message (docs/PROTOCOL.md, "Errors"). */
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

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public JsonNode body() {
        return body;
    }
}
