package net.saharasync.clientd.remote;

import net.saharasync.protocol.HostApi;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import net.saharasync.blockstore.Chunk;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.Progress;
import net.saharasync.clientd.index.ChunkLocation;
import net.saharasync.clientd.index.LocalIndex;

/**
 * Uploads the chunks of new files while the scan that finds them is still running, so the
 * link works while the folder is read and hashed (an initial sync hashed everything first:
 * 1.8 s for 1 GiB here, minutes for a large folder, with the link idle). It is only a head
 * start: the upload after the scan finds these chunks recorded as hosted and skips them, and
 * sends whatever this did not get to. So it may stop at any point, and does on any error
 * (the upload after the scan meets the same error and reports it).
 *
 * <p>What it sends: chunks of files at paths the base tree does not have ({@code eligible}),
 * never of changed files (those go as deltas against the base's chunks, which only the upload
 * after the scan plans), and only chunks neither the index nor the host knows (a moved or
 * copied file's chunks cost no request at all). Nothing starts before {@code startBytes} of
 * such content was found, so a cycle with a small change sends exactly what it sent before.
 * At most {@code queueBytes} wait to be sent: a scan faster than the link goes on without it,
 * leaving the rest to the upload after the scan. When the scan ends, what waits is dropped and
 * only batches already read are finished, so that upload starts soon.
 *
 * <p>Threaded (a real host): one thread takes the chunks as the scanner offers them, asks the
 * host which it lacks in groups, and reads, encodes and sends them through {@link Transfer}'s
 * batch sender, in batches of a quarter of {@code queueBytes} (8 MiB: less to wait for when
 * the scan ends on a slow link). Without threads (a simulated host, deterministic tests): each
 * offer that brings the queue to {@code startBytes} sends the queue on the scanner's thread.
 */
public final class EagerUpload {
    /** When to start, and how much may wait. */
    public record Limits(long startBytes, long queueBytes) {
        public static final Limits DEFAULT = new Limits(16L << 20, 32L << 20);

        public Limits {
            if (startBytes <= 0 || queueBytes < startBytes) throw new IllegalArgumentException("bad eager upload limits");
        }
    }

    /** A group of hashes asked about at once: at most this many, or this many bytes. */
    private static final int GROUP_CHUNKS = 1_024;
    private static final long GROUP_BYTES = 8L << 20;

    /** A chunk to send; {@code whole}: it is all of its file (so its hash is that file's content). */
    private record Item(Hash hash, int length, boolean whole) {}

    private static final Item END = new Item(Hash.of(new byte[0]), 0, false);

    /** At most this many chunks wait (a folder of tiny files fills the queue by count, not bytes). */
    private static final int MAX_WAITING = 16_384;

    /**
     * Chunks offered recently, so a chunk two files share is sent once: more than can wait or be
     * in flight, fewer than a big scan finds (by the time one is forgotten it was sent and
     * recorded as hosted, or found on the host).
     */
    private static final int RECENT = 65_536;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EagerUpload.class);

    private final Transfer transfer;
    private final LocalIndex index;
    private final HostApi host;
    private final Predicate<String> eligible;
    private final Limits limits;
    private final boolean threaded;

    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final Map<Hash, ChunkLocation> locations = new ConcurrentHashMap<>();
    private final Map<Hash, byte[]> bytes = new ConcurrentHashMap<>();
    /**
     * Whole-file chunks (a file's content) the host said it lacked: sent here, or (if this stopped
     * first) left to the upload after the scan.
     */
    private final Set<Hash> newToHost = ConcurrentHashMap.newKeySet();
    private final AtomicLong sentBytes = new AtomicLong();
    /** Scanner's thread only. */
    private final Map<Hash, Boolean> offered = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> eldest) {
            return size() > RECENT;
        }
    };
    private long offeredBytes;
    private String lastPath;
    private boolean lastEligible;

    private volatile boolean stopped;
    private volatile boolean finishing;
    private Thread thread;

    public EagerUpload(Transfer transfer, LocalIndex index, HostApi host, Predicate<String> eligible, Limits limits, boolean threaded) {
        this.transfer = transfer;
        this.index = index;
        this.host = host;
        this.eligible = eligible;
        this.limits = limits;
        this.threaded = threaded;
    }

    /**
     * Chunks the scan just hashed, of the file at {@code path}; {@code whole} is the file's
     * whole content when the scan read it at once (a small file), else null and they are read
     * again from the file. An I/O failure stops the head start, nothing else; sending on the
     * scanner's thread (unthreaded), any other exception goes on up as it would from the scan.
     */
    public void offer(String path, List<Chunk> chunks, byte[] whole) {
        if (stopped) return;
        try {
            if (!path.equals(lastPath)) {
                lastPath = path;
                lastEligible = eligible.test(path);
            }
            if (!lastEligible) return;
            for (Chunk c : chunks) {
                if (c.length() == 0 || offered.putIfAbsent(c.hash(), Boolean.TRUE) != null) continue;
                // Full: left to the upload after the scan.
                if (queued.get() + c.length() > limits.queueBytes() || queue.size() >= MAX_WAITING) continue;
                locations.put(c.hash(), new ChunkLocation(path, c.offset(), c.length()));
                if (whole != null && chunks.size() == 1) bytes.put(c.hash(), whole);
                queued.addAndGet(c.length());
                offeredBytes += c.length();
                // One chunk told at once is usually a whole file (or the last buffer of one: no harm, see newToHost).
                queue.add(new Item(c.hash(), c.length(), chunks.size() == 1));
            }
            if (offeredBytes < limits.startBytes()) return;
            if (!threaded) {
                // On this (the scanner's) thread: an I/O failure stops the head start; any other
                // exception goes on up, as it would from the scan itself (a simulated crash).
                if (queued.get() >= limits.startBytes()) send(false);
            } else if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("sahara-eager-upload").start(() -> {
                    try {
                        send(true);
                    } catch (IOException | RuntimeException e) {
                        stop(e);
                    }
                });
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            stop(e);
        }
    }

    /**
     * The scan is over: what still waits is dropped (the upload after the scan sends it), and
     * batches already read are finished. Returns once nothing of this is in flight.
     */
    public void finish() {
        finishing = true;
        stopped = true;
        queue.clear();
        queue.add(END);
        Thread t = thread;
        if (t == null) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether {@code h}, a file's whole content, was a chunk the host lacked when asked during
     * the scan (so it is new content, sent now or after). A hash that is no file's content
     * matches no file, so an entry for the last buffer of a big file does no harm.
     */
    public boolean newToHost(Hash h) {
        return newToHost.contains(h);
    }

    /** Bytes (before compression) the host accepted from this. */
    public long sentBytes() {
        return sentBytes.get();
    }

    private void stop(Throwable why) {
        if (!stopped) LOG.debug("upload during the scan stopped; the upload after it sends the rest", why);
        stopped = true;
        queue.clear();
    }

    /** Sends what the queue gives (until it ends, if {@code blocking}; until it is empty otherwise). */
    private void send(boolean blocking) throws IOException {
        Progress counted = new Progress() {
            @Override
            public void start(String phase, long total) {}

            @Override
            public void advance(long n, int files) {
                sentBytes.addAndGet(n);
            }

            @Override
            public void finish() {}
        };
        int batch = (int) Math.min(Transfer.UPLOAD_BATCH_BYTES, limits.queueBytes() / 4);
        transfer.sendAll(new Lacking(blocking), locations, bytes, Map.of(), Map.of(), Map.of(), Map.of(), counted, batch, batch);
    }

    /**
     * The queued chunks the host lacks, asked about a group at a time. What it no longer needs
     * of a chunk (where it lies, a small file's bytes) is let go as soon as the chunk was read
     * or found not needed, so at most what waits and one group are held.
     */
    private final class Lacking implements Iterator<Hash> {
        private final boolean blocking;
        private final ArrayDeque<Hash> ready = new ArrayDeque<>();
        private boolean ended;
        /** The chunk given last: read and encoded by the time the sender asks for the next. */
        private Hash given;

        Lacking(boolean blocking) {
            this.blocking = blocking;
        }

        private void forget(Hash h) {
            locations.remove(h);
            bytes.remove(h);
        }

        @Override
        public boolean hasNext() {
            if (given != null) forget(given);
            given = null;
            try {
                while (ready.isEmpty() && !finishing && !ended && !stoppedByError()) fill();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(e);
            }
            if (finishing || stoppedByError()) ready.clear();
            return !ready.isEmpty();
        }

        @Override
        public Hash next() {
            if (!hasNext()) throw new NoSuchElementException();
            given = ready.poll();
            return given;
        }

        private boolean stoppedByError() {
            return stopped && !finishing;
        }

        private void fill() throws IOException, InterruptedException {
            Item first = blocking ? queue.take() : queue.poll();
            if (first == null || first == END) {
                ended = true;
                return;
            }
            List<Item> group = new ArrayList<>();
            group.add(first);
            long groupBytes = first.length();
            while (group.size() < GROUP_CHUNKS && groupBytes < GROUP_BYTES) {
                Item next = queue.peek();
                if (next == null || next == END) break;
                group.add(queue.poll());
                groupBytes += next.length();
            }
            queued.addAndGet(-groupBytes);
            List<Hash> hashes = new ArrayList<>(group.size());
            for (Item i : group) hashes.add(i.hash());
            List<Hash> unknown = index.notHosted(hashes);
            Set<Hash> lacking = unknown.isEmpty() ? Set.of() : host.missing(unknown);
            for (Item i : group) {
                if (lacking.contains(i.hash())) {
                    if (i.whole()) newToHost.add(i.hash());
                    ready.add(i.hash());
                } else {
                    forget(i.hash());
                }
            }
        }
    }
}
