package net.saharasync.protocol.http;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Reads a server-sent-events stream (the host's {@code /events}; WHATWG "Server-sent events"),
 * line by line, into events: {@code id:}, {@code event:} and {@code data:} fields up to a
 * blank line; comments ({@code :keep-alive}) and unknown fields are skipped, several
 * {@code data:} lines join with newlines. One reader for the client, the host's tests and the
 * benchmarks.
 */
public final class ServerSentEvents {
    private ServerSentEvents() {}

    /** One event: its id (empty when none was sent), type ({@code message} by default) and data. */
    public record Event(String id, String type, String data) {}

    /** Hands each complete event to {@code onEvent} until the lines end. */
    public static void read(Iterator<String> lines, Consumer<Event> onEvent) {
        String id = "";
        String type = "message";
        StringBuilder data = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (data != null) onEvent.accept(new Event(id, type, data.toString()));
                type = "message";
                data = null;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon == 0) continue;
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "id" -> id = value;
                case "event" -> type = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> {
                    // "retry" and unknown fields: nothing this protocol uses
                }
            }
        }
    }
}
