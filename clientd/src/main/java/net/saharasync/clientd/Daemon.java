package net.saharasync.clientd;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import net.saharasync.clientd.fs.LocalFs;
import net.saharasync.clientd.ignore.IgnoreRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sahara sync DIR}: keeps the folder in sync until stopped. Cycles run on one thread,
 * triggered by: local changes (recursive watching; a burst, such as an editor's save, is
 * waited out until the folder has been quiet for a moment), a new head announced by the host
 * (server-sent events, so a change made elsewhere arrives within milliseconds), a cycle that
 * could not finish (a file still being written, a host that is down: retried with backoff),
 * and a periodic full rescan as a safety net.
 * <p>
 * The watcher's reports also say where to look: a cycle lists only the folders holding the
 * reported paths (and whole subtrees where a folder itself was reported), so a save in a
 * folder of 200,000 files costs the stats of one folder, not of all of them. The whole folder
 * is scanned instead on the first cycle, after a cycle that did not end agreed or failed,
 * after a watcher overflow, when too many paths were reported, on the periodic rescan, and
 * for good once the watcher failed (e.g. a folder it could not watch: its reports may then
 * miss changes). When the host's head moved, the cycle also lists the folders the merge
 * writes in (see {@link SyncEngine#cycle(Optional)}).
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
    /** Paths reported since the last cycle began (relative to the folder); null: unknown, scan everything. */
    private java.util.Set<String> changedPaths;
    /** False once the watcher failed: its reports may miss changes, so they no longer narrow a scan. */
    private volatile boolean watcherComplete = true;
    /**
     * When each recently reported path began changing (after a pause of at least
     * {@link #BUSY_QUIET}) and when it last changed: a path changing for longer than
     * {@link #BUSY_AFTER} without such a pause is being written (a download, a growing log,
     * a copy), and is left alone until it is quiet.
     */
    private final java.util.HashMap<String, long[]> activity = new java.util.HashMap<>();
    static final long BUSY_QUIET = Duration.ofSeconds(1).toNanos();
    static final long BUSY_AFTER = Duration.ofSeconds(1).toNanos();
    /** Beyond this many reported paths a cycle scans everything (it is about as cheap, and memory stays bounded). */
    static final int MAX_REPORTED_PATHS = 20_000;
    private volatile boolean running = true;
    private DirectoryWatcher watcher;
    private AutoCloseable events;
    private Thread loop;

    public Daemon(SyncEngine engine, Timing timing, Consumer<CycleReport> onCycle) {
        this.engine = engine;
        this.timing = timing;
        this.rescanNanos = timing.rescan().toNanos();
        this.onCycle = onCycle;
    }

    /** The rules events are filtered with; null (filter nothing) when they could not be read. */
    private volatile IgnoreRules ignore;

    private void loadIgnoreRules() {
        try {
            ignore = engine.ignoreRules();
        } catch (IOException | RuntimeException e) {
            ignore = null; // mid-write, unreadable: let every event through until it can be read
        }
    }

    public Daemon start() throws IOException {
        Path root = engine.folder();
        loadIgnoreRules();
        Path state = ClientConfig.stateDir(root);
        watcher = DirectoryWatcher.builder().path(root).fileHashing(false).listener(new io.methvin.watcher.DirectoryChangeListener() {
            @Override
            public void onEvent(DirectoryChangeEvent event) {
                Path p = event.path();
                if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW || p == null) {
                    localChange(null);
                    return;
                }
                if (p.equals(state.resolve(net.saharasync.clientd.fs.StateFolder.LOCAL_IGNORE))) {
                    // This machine's own rules changed: what they stop or start syncing may be anywhere.
                    loadIgnoreRules();
                    localChange(null);
                    return;
                }
                if (p.startsWith(state)) return;
                if (p.getFileName() != null && engine.ownTemp(p.getFileName().toString())) return;
                String rel = relative(root, p);
                if (IgnoreRules.FILE_NAME.equals(rel)) {
                    loadIgnoreRules();
                } else if (rel != null) {
                    // Changes in ignored places (a build's output, editor swap files) start no cycle.
                    // A created or modified path was looked at by the watcher (folder or not); a
                    // deleted one may have been either.
                    IgnoreRules rules = ignore;
                    boolean known = event.eventType() == DirectoryChangeEvent.EventType.CREATE
                            || event.eventType() == DirectoryChangeEvent.EventType.MODIFY;
                    if (rules != null && (known ? rules.ignoredWhere(rel, event.isDirectory()) : rules.ignoredEitherWay(rel))) return;
                }
                localChange(rel);
            }

            @Override
            public void onException(Exception e) {
                watcherFailed(e);
            }
        }).build();
        watcher.watchAsync();
        long seq = engine.host().head(engine.config().volume()).seq();
        events = engine.host().subscribe(engine.config().volume(), seq, h -> remoteChange());
        loop = Thread.ofPlatform().name("sahara-sync").start(this::run);
        return this;
    }

    /**
     * The watcher failed. When a folder could not be watched (inotify's watch limit), changes
     * there raise no events, so its reports no longer narrow any scan. Any other failure (the
     * watching library tripping over an overflow of its own, say) is taken as an overflow: one
     * full scan catches up, and reports are trusted again after it.
     */
    void watcherFailed(Exception e) {
        if (watchLimit(e)) {
            if (watcherComplete) {
                LOG.warn("cannot watch every folder of {} ({}): every sync now scans the whole folder; on Linux, raise "
                        + "fs.inotify.max_user_watches (sysctl) and restart", engine.folder(), e.getMessage());
            }
            watcherComplete = false;
        } else {
            LOG.warn("the watcher of {} failed ({}); one full scan catches up, then it is trusted again", engine.folder(), e.toString());
        }
        localChange(null);
    }

    /** Whether {@code e} is the watch limit (a folder left unwatched), not a passing failure. */
    static boolean watchLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("inotify watches") || m.contains("max_user_watches") || m.contains("user limit of inotify")) return true;
        }
        return false;
    }

    /** {@code p} relative to the folder, '/'-separated; null for the folder itself or outside it. */
    static String relative(Path root, Path p) {
        if (!p.startsWith(root) || p.equals(root)) return null;
        StringBuilder b = new StringBuilder();
        for (Path name : root.relativize(p)) {
            if (!b.isEmpty()) b.append('/');
            // As the volume names it: a decomposed (NFD) name is its NFC form (LocalFs maps it back).
            b.append(java.text.Normalizer.normalize(name.toString(), java.text.Normalizer.Form.NFC));
        }
        return b.toString();
    }

    /** A change at {@code path} (relative), or somewhere unknown ({@code null}: the next cycle scans everything). */
    private void localChange(String path) {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (!localChanged) firstLocalChangeAt = now;
            localChanged = true;
            localChangedAt = now;
            if (path == null || (changedPaths != null && changedPaths.size() >= MAX_REPORTED_PATHS)) changedPaths = null;
            else if (changedPaths != null) changedPaths.add(path);
            if (path != null) {
                long[] t = activity.get(path);
                if (t == null || now - t[1] > BUSY_QUIET) {
                    if (activity.size() >= MAX_REPORTED_PATHS) activity.clear(); // bounded: busy files are then synced as they are
                    activity.put(path, new long[] {now, now});
                } else {
                    t[1] = now;
                }
            }
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

    /** When the last full scan began, and how long after it the next one is due. */
    private volatile long lastFullScanAt = System.nanoTime();
    private volatile long rescanNanos;

    /**
     * How long after a full scan the next safety rescan is due: the configured period, or for
     * a folder so big that its no-change full cycle takes longer, a hundred times that cycle
     * (so such rescans take at most 1% of the time: 20,000 files here, ~0.2-0.6 s, every 5
     * minutes; a million files at ~20 s, every ~33 minutes).
     */
    static Duration rescanInterval(Duration configured, long fullNoChangeCycleMillis) {
        Duration scaled = Duration.ofMillis(Math.multiplyExact(Math.max(0, fullNoChangeCycleMillis), 100L));
        return scaled.compareTo(configured) > 0 ? scaled : configured;
    }

    /**
     * Waits until there is something to do: a remote head, a local change that has settled, or
     * the rescan period. Returns the paths reported meanwhile (empty: scan everything). The
     * rescan is due a period after the last full scan however busy the folder is: partial
     * scans do not reset it.
     */
    /** The paths being written now (see {@link #activity}); forgets those quiet long enough. Under the lock. */
    private java.util.Set<String> busyNow() {
        long now = System.nanoTime();
        java.util.Set<String> busy = new java.util.HashSet<>();
        activity.entrySet().removeIf(e -> {
            long[] t = e.getValue();
            if (now - t[1] > BUSY_QUIET) return true;
            if (t[1] - t[0] >= BUSY_AFTER) busy.add(e.getKey());
            return false;
        });
        return busy;
    }

    /** Paths being written as the last {@link #awaitWork} returned: the coming cycle leaves them alone. */
    private java.util.Set<String> busy = java.util.Set.of();

    private Optional<java.util.Set<String>> awaitWork() throws InterruptedException {
        lock.lock();
        try {
            long deadline = lastFullScanAt + rescanNanos;
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
                if (now - deadline >= 0) break;
                wake.awaitNanos(deadline - now);
            }
            boolean rescan = System.nanoTime() - deadline >= 0;
            remoteChanged = false;
            localChanged = false;
            // From here on, reports go to the next cycle: a change the coming scan misses is
            // reported again to the one after it.
            Optional<java.util.Set<String>> reported = rescan || !watcherComplete ? Optional.empty() : Optional.ofNullable(changedPaths);
            busy = busyNow();
            changedPaths = new java.util.HashSet<>();
            // A busy path is reported again to the next cycle, which looks at it once it is quiet.
            changedPaths.addAll(busy);
            return reported;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long backoff = 250;
        java.util.Set<String> reportedUnsyncable = new java.util.HashSet<>();
        while (running) {
            Optional<java.util.Set<String>> changed;
            try {
                changed = awaitWork();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) return;
            try {
                long startedAt = System.nanoTime();
                CycleReport r = engine.cycle(changed, busy);
                if (r.fullScan()) {
                    lastFullScanAt = startedAt;
                    if (r.filesUp() + r.filesDown() + r.conflicts() == 0) rescanNanos = rescanInterval(timing.rescan(), r.millis()).toNanos();
                }
                new Status(r.agreed() ? "idle" : "pending", System.currentTimeMillis(), r, null, null).write(engine.folder());
                // What cannot be synced is logged once, not every cycle.
                for (String u : r.unsyncable()) if (reportedUnsyncable.add(u)) LOG.warn("{}: not synced: {}", engine.folder(), u);
                reportedUnsyncable.retainAll(r.unsyncable());
                onCycle.accept(r);
                // Files that did not fit on the disk: looked at again in 30 s (a full cycle), so
                // they are written soon after space appears, without anything else changing.
                if (r.unsyncable().stream().anyMatch(u -> u.contains("not enough space"))) fullCycleIn(Duration.ofSeconds(30));
                backoff = 250;
                if (!r.agreed()) retryIn(Duration.ofMillis(300));
            } catch (Exception e) {
                if (!running) return;
                LOG.warn("sync of {} failed: {} (retrying in {} ms)", engine.folder(), e.getMessage(), backoff);
                Status prev = Status.read(engine.folder()).orElse(null);
                // "updated" stays the time of the last sync that finished; the error has its own time.
                new Status("error", prev == null ? 0 : prev.updated(), prev == null ? null : prev.lastCycle(), String.valueOf(e.getMessage()),
                        System.currentTimeMillis()).write(engine.folder());
                retryIn(Duration.ofMillis(backoff));
                backoff = Math.min(30_000, backoff * 2);
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean fullCycleDue = new java.util.concurrent.atomic.AtomicBoolean();

    /** A full cycle after {@code delay} (one pending at a time). */
    private void fullCycleIn(Duration delay) {
        if (!fullCycleDue.compareAndSet(false, true)) return;
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delay);
                fullCycleDue.set(false);
                localChange(null);
            } catch (InterruptedException ignored) {
                // shutting down
            }
        });
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
