package net.saharasync.hostd.http;

import net.saharasync.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * Keeps slow or greedy callers from holding the host (docs/PROTOCOL.md, "Limits"). A socket
 * read timeout restarts on every byte, so a body trickled at one byte per few seconds held a
 * worker thread for ever; four such uploads held every upload slot, twenty every worker.
 *
 * <ul>
 *   <li>A request body being read must bring {@link HostConfig.Pacing#minBytesPerSecond} on
 *       average over each {@link HostConfig.Pacing#rateWindowMillis}, else its connection is
 *       closed (the worker blocked in the read is freed at once).</li>
 *   <li>A request (event streams aside) must be done within
 *       {@link HostConfig.Pacing#deadlineMillis}, whatever it is waiting for.</li>
 *   <li>One user may have {@code requestsPerUser} requests, {@code streamsPerUser} event
 *       streams and {@code uploadsPerUser} uploads at once; beyond, {@code 429
 *       too_many_requests} with {@code Retry-After}, answered without reading the body.</li>
 * </ul>
 * Time spent by the host itself (checking a commit, storing a batch) never counts against the
 * rate: only the time a body is being read does.
 */
public final class Pacer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pacer.class);
    static final AttachmentKey<Tracked> TRACKED = AttachmentKey.create(Tracked.class);

    private final HostConfig.Pacing pacing;
    private final LongSupplier clock;
    private final Set<Tracked> live = ConcurrentHashMap.newKeySet();
    private final Map<Long, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> streams = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> uploads = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;

    public Pacer(HostConfig.Pacing pacing) {
        this(pacing, System::currentTimeMillis);
    }

    Pacer(HostConfig.Pacing pacing, LongSupplier clock) {
        this.pacing = pacing;
        this.clock = clock;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sahara-pacer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, Math.min(1000, pacing.rateWindowMillis() / 4));
        ticker.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /** One request in flight. */
    static final class Tracked {
        final HttpServerExchange exchange;
        final long started;
        volatile boolean stream;
        /** Set while a body is being read: the window's start and the bytes read when it started. */
        volatile long windowStart = -1;
        volatile long windowBytes;
        final java.util.concurrent.atomic.AtomicLong bodyBytes = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean closed;

        Tracked(HttpServerExchange exchange, long started) {
            this.exchange = exchange;
            this.started = started;
        }
    }

    /** The outermost wrapper: tracks every request until its exchange completes. */
    public HttpHandler tracking(HttpHandler next) {
        return ex -> {
            Tracked t = new Tracked(ex, clock.getAsLong());
            ex.putAttachment(TRACKED, t);
            ex.putAttachment(Exchanges.PACER, this);
            live.add(t);
            ex.addExchangeCompleteListener((done, proceed) -> {
                live.remove(t);
                proceed.proceed();
            });
            next.handleRequest(ex);
        };
    }

    /**
     * Admits an authenticated request of {@code user} while {@code work} runs on this worker
     * (what the cap protects is the workers), or refuses it with 429. An event stream instead
     * counts until its exchange completes.
     */
    void admit(HttpServerExchange ex, long user, boolean stream, io.undertow.server.HttpHandler work) throws Exception {
        Tracked t = ex.getAttachment(TRACKED);
        if (t != null) t.stream = stream;
        if (stream) {
            take(streams, user, pacing.streamsPerUser(), "event streams");
            ex.addExchangeCompleteListener((done, proceed) -> {
                release(streams, user);
                proceed.proceed();
            });
            work.handleRequest(ex);
            return;
        }
        take(requests, user, pacing.requestsPerUser(), "requests");
        try {
            work.handleRequest(ex);
        } finally {
            release(requests, user);
        }
    }

    /** Admits one upload of {@code user}; close the result when it is done. */
    AutoCloseable upload(long user) {
        take(uploads, user, pacing.uploadsPerUser(), "uploads");
        return () -> release(uploads, user);
    }

    private static void take(Map<Long, AtomicInteger> counts, long user, int max, String what) {
        AtomicInteger n = counts.computeIfAbsent(user, u -> new AtomicInteger());
        if (n.incrementAndGet() > max) {
            n.decrementAndGet();
            throw new HostException(ErrorCode.TOO_MANY_REQUESTS, "at most " + max + " " + what + " at once per user; try again shortly",
                    Map.of("retryAfter", 1));
        }
    }

    private static void release(Map<Long, AtomicInteger> counts, long user) {
        counts.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** A body of {@code ex} starts being read now. */
    void bodyStarted(HttpServerExchange ex) {
        Tracked t = ex.getAttachment(TRACKED);
        if (t == null) return;
        t.windowBytes = t.bodyBytes.get();
        t.windowStart = clock.getAsLong();
    }

    void bodyRead(HttpServerExchange ex, long n) {
        Tracked t = ex.getAttachment(TRACKED);
        if (t != null) t.bodyBytes.addAndGet(n);
    }

    /** The body of {@code ex} was read to its end (or abandoned). */
    void bodyEnded(HttpServerExchange ex) {
        Tracked t = ex.getAttachment(TRACKED);
        if (t != null) t.windowStart = -1;
    }

    /** Whether the pacer closed the connection of {@code ex}. */
    boolean cut(HttpServerExchange ex) {
        Tracked t = ex.getAttachment(TRACKED);
        return t != null && t.closed;
    }

    /** One pass over the requests in flight: closes those too slow or too old. */
    void check() {
        try {
            long now = clock.getAsLong();
            for (Tracked t : live) {
                if (t.closed) continue;
                if (!t.stream && now - t.started > pacing.deadlineMillis()) {
                    close(t, "not done within " + pacing.deadlineMillis() / 1000 + " s");
                    continue;
                }
                long from = t.windowStart;
                if (from < 0 || now - from < pacing.rateWindowMillis()) continue;
                long got = t.bodyBytes.get() - t.windowBytes;
                long needed = (long) pacing.minBytesPerSecond() * (now - from) / 1000;
                if (got < needed) {
                    close(t, "its body came at " + (got * 1000 / Math.max(1, now - from)) + " B/s, under the minimum of "
                            + pacing.minBytesPerSecond() + " B/s");
                } else {
                    t.windowBytes = t.bodyBytes.get();
                    t.windowStart = now;
                }
            }
        } catch (RuntimeException e) {
            LOG.error("pacing check failed", e);
        }
    }

    private void close(Tracked t, String why) {
        t.closed = true;
        HttpServerExchange ex = t.exchange;
        LOG.warn("closing {} {} from {}: {}", ex.getRequestMethod(), ex.getRequestPath(), ex.getSourceAddress(), why);
        IoUtils.safeClose(ex.getConnection());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
