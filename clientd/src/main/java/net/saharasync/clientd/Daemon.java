package net.saharasync.clientd;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import net.saharasync.clientd.fs.LocalFs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sahara sync DIR}: keeps the folder in sync until stopped. Cycles run on one thread,
 * triggered by: local changes (recursive watching; a burst, such as an editor's save, is
 * waited out until the folder has been quiet for a moment), a new head announced by the host
 * (server-sent events, so a change made elsewhere arrives within milliseconds), a cycle that
 * could not finish (a file still being written, a host that is down: retried with backoff),
 * and a periodic full rescan as a safety net. A watcher overflow is just one more trigger:
 * every cycle scans the whole folder anyway (cheaply, through the index).
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    /** How long the folder must be quiet before a local change is synced, at most how long a burst may delay it, and the safety rescan. */
    public record Timing(Duration quiet, Duration maxDelay, Duration rescan) {
        public static final Timing DEFAULT = new Timing(Duration.ofMillis(150), Duration.ofSeconds(2), Duration.ofMinutes(5));
    }

    private final SyncEngine engine;
    private final Timing timing;
    private final Consumer<CycleReport> onCycle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean remoteChanged = true;
    private long localChangedAt = System.nanoTime();
    private long firstLocalChangeAt = System.nanoTime();
    private boolean localChanged = true;
    private volatile boolean running = true;
    private DirectoryWatcher watcher;
    private AutoCloseable events;
    private Thread loop;

    public Daemon(SyncEngine engine, Timing timing, Consumer<CycleReport> onCycle) {
        this.engine = engine;
        this.timing = timing;
        this.onCycle = onCycle;
    }

    public Daemon start() throws IOException {
        Path root = engine.folder();
        Path state = ClientConfig.stateDir(root);
        watcher = DirectoryWatcher.builder().path(root).fileHashing(false).listener(event -> {
            Path p = event.path();
            if (p == null || p.startsWith(state)) return;
            if (event.eventType() != DirectoryChangeEvent.EventType.OVERFLOW
                    && p.getFileName() != null && p.getFileName().toString().startsWith(LocalFs.TEMP_PREFIX)) return;
            localChange();
        }).build();
        watcher.watchAsync();
        long seq = engine.host().head(engine.config().volume()).seq();
        events = engine.host().subscribe(engine.config().volume(), seq, h -> remoteChange());
        loop = Thread.ofPlatform().name("sahara-sync").start(this::run);
        return this;
    }

    private void localChange() {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (!localChanged) firstLocalChangeAt = now;
            localChanged = true;
            localChangedAt = now;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void remoteChange() {
        lock.lock();
        try {
            remoteChanged = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until there is something to do: a remote head, a local change that has settled, or the rescan period. */
    private void awaitWork() throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timing.rescan().toNanos();
            while (running) {
                long now = System.nanoTime();
                if (remoteChanged) break;
                if (localChanged) {
                    long quietUntil = localChangedAt + timing.quiet().toNanos();
                    long latest = firstLocalChangeAt + timing.maxDelay().toNanos();
                    long due = Math.min(quietUntil, latest);
                    if (now >= due) break;
                    wake.awaitNanos(due - now);
                    continue;
                }
                if (now >= deadline) break;
                wake.awaitNanos(deadline - now);
            }
            remoteChanged = false;
            localChanged = false;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long backoff = 250;
        while (running) {
            try {
                awaitWork();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) return;
            try {
                CycleReport r = engine.cycle();
                new Status(r.agreed() ? "idle" : "pending", System.currentTimeMillis(), r, null, null).write(engine.folder());
                onCycle.accept(r);
                backoff = 250;
                if (!r.agreed()) retryIn(Duration.ofMillis(300));
            } catch (Exception e) {
                if (!running) return;
                LOG.warn("sync of {} failed: {} (retrying in {} ms)", engine.folder(), e.getMessage(), backoff);
                Status prev = Status.read(engine.folder()).orElse(null);
                new Status("error", System.currentTimeMillis(), prev == null ? null : prev.lastCycle(), String.valueOf(e.getMessage()),
                        System.currentTimeMillis()).write(engine.folder());
                retryIn(Duration.ofMillis(backoff));
                backoff = Math.min(30_000, backoff * 2);
            }
        }
    }

    /** Marks work to do after {@code delay} (as if something changed then). */
    private void retryIn(Duration delay) {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delay);
                remoteChange();
            } catch (InterruptedException ignored) {
                // shutting down
            }
        });
    }

    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (events != null) events.close();
        } catch (Exception ignored) {
            // closing
        }
        try {
            if (watcher != null) watcher.close();
        } catch (IOException ignored) {
            // closing
        }
        if (loop != null) {
            try {
                loop.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
