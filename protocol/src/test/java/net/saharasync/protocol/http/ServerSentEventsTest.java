package net.saharasync.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSentEventsTest {
    private static List<ServerSentEvents.Event> read(String text) {
        List<ServerSentEvents.Event> out = new ArrayList<>();
        ServerSentEvents.read(text.lines().iterator(), out::add);
        return out;
    }

    @Test
    void fieldsUpToABlankLineAreOneEventAndCommentsAreSkipped() {
        assertThat(read(":keep-alive\n\nid: 7\nevent: head\ndata: {\"seq\":7}\n\nevent: reset\ndata:a\ndata: b\n\n"))
                .containsExactly(new ServerSentEvents.Event("7", "head", "{\"seq\":7}"), new ServerSentEvents.Event("7", "reset", "a\nb"));
    }

    @Test
    void anEventCutOffBeforeItsBlankLineIsNotDelivered() {
        assertThat(read("id: 1\ndata: x\n\nid: 2\ndata: y")).containsExactly(new ServerSentEvents.Event("1", "message", "x"));
    }
}
