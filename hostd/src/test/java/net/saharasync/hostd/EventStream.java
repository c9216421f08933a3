package net.saharasync.hostd;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.saharasync.protocol.http.ServerSentEvents;

/** A server-sent-events subscriber for tests: events arrive in a queue. */
final class EventStream implements AutoCloseable {
    record Event(String id, String type, String data, long receivedNanos) {}

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Counts down when the host ends the stream. */
    final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    final int status;
    private final Stream<String> lines;
    private final Thread reader;

    EventStream(TestClient c, String path, String lastEventId) throws Exception {
        HttpRequest.Builder b = c.request(path).timeout(Duration.ofMinutes(5)).header("Accept", "text/event-stream");
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        CompletableFuture<HttpResponse<Stream<String>>> f = c.http.sendAsync(b.GET().build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> resp = f.get(10, TimeUnit.SECONDS);
        status = resp.statusCode();
        lines = resp.body();
        reader = Thread.ofVirtual().start(() -> {
            try {
                ServerSentEvents.read(lines.iterator(), e -> events.add(new Event(e.id().isEmpty() ? null : e.id(), e.type(), e.data(), System.nanoTime())));
            } catch (RuntimeException closed) {
                // The stream was closed under us: the end of this subscriber.
            }
            ended.countDown();
        });
    }

    Event next() throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        if (e == null) throw new AssertionError("no event within 10 s");
        return e;
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
