package net.saharasync.blockstore;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Arrays;

/**
 * FastCDC content-defined chunking (Xia et al., USENIX ATC 2016; extended in IEEE TPDS 2020).
 *
 * <ul>
 *   <li><b>Gear hash</b>: {@code fp = (fp << 1) + gear[byte]}; bit {@code k} of {@code fp}
 *       depends on the last {@code k + 1} bytes only, so the hash rolls with no subtraction.
 *   <li><b>Cut-point skipping</b>: the first {@code min} bytes of a chunk are not hashed at all
 *       (a cut there is not allowed anyway). Hashing starts 64 bytes before {@code min}, so every
 *       tested fingerprint covers a full window and a boundary depends on content alone, not on
 *       where the chunk began.
 *   <li><b>Normalized chunking, level 2</b>: up to {@code avg} bytes a boundary needs the
 *       harder mask {@code maskS} ({@code log2(avg) + 2} bits), after it the easier
 *       {@code maskL} ({@code log2(avg) - 2} bits), which pulls sizes toward {@code avg}.
 *   <li><b>Spread masks</b>: the mask bits are spaced evenly over bits 16..63 of {@code fp}
 *       instead of being the low bits, so every tested bit depends on at least 17 bytes and the
 *       effective window is up to 64 bytes (the paper's "padding zero bits").
 * </ul>
 *
 * A boundary falls right after the byte whose hash matches the mask; a chunk is cut at
 * {@code max} bytes if none matches. Chunking streams: memory is one buffer of
 * {@code max(4 MiB, 2 * max)} bytes whatever the input size.
 */
public final class Chunker {
    private static final int MIN_BUFFER = 4 << 20;
    /** Bytes a 64-bit Gear fingerprint depends on. */
    private static final int WINDOW = 64;

    private final ChunkerParams params;
    private final long[] gear;
    private final long maskS;
    private final long maskL;

    public Chunker(ChunkerParams params, GearTable table) {
        this.params = params;
        this.gear = table.valuesUnsafe();
        this.maskS = spreadMask(params.avgBits() + 2);
        this.maskL = spreadMask(params.avgBits() - 2);
    }

    /** Default sizes (16/64/256 KiB) and the default Gear table. */
    public static Chunker defaults() {
        return new Chunker(ChunkerParams.DEFAULT, GearTable.defaultTable());
    }

    public ChunkerParams params() {
        return params;
    }

    /** A mask of {@code bits} one-bits spaced evenly over bits 16..63 (the highest always set). */
    static long spreadMask(int bits) {
        if (bits < 1 || bits > 48) throw new IllegalArgumentException("mask of " + bits + " bits");
        long mask = 0;
        for (int j = 0; j < bits; j++) {
            mask |= 1L << (63 - (j * 48) / bits);
        }
        return mask;
    }

    /**
     * The length of the chunk that starts at {@code start}, looking at bytes up to {@code end}.
     * If fewer than {@code max} bytes are available they must be the end of the input.
     */
    public int cut(byte[] data, int start, int end) {
        int n = end - start;
        if (n <= params.min()) return n;
        int limit = start + Math.min(n, params.max());
        int normal = start + Math.min(n, params.avg());
        long[] g = gear;
        long fp = 0;
        int i = start + params.min();
        // Warm up over the 64 bytes before the first allowed cut, so every tested fingerprint
        // is the full-window value and depends only on content, not on where the chunk began.
        for (int w = i - WINDOW; w < i; w++) {
            fp = (fp << 1) + g[data[w] & 0xff];
        }
        for (; i < normal; i++) {
            fp = (fp << 1) + g[data[i] & 0xff];
            if ((fp & maskS) == 0) return i + 1 - start;
        }
        for (; i < limit; i++) {
            fp = (fp << 1) + g[data[i] & 0xff];
            if ((fp & maskL) == 0) return i + 1 - start;
        }
        return limit - start;
    }

    /** Where bytes come from: {@link InputStream#read(byte[], int, int)}'s contract (-1 at the end). */
    @FunctionalInterface
    public interface ByteSource {
        int read(byte[] buf, int off, int len) throws IOException;
    }

    /** Receives each chunk; {@code buf} is reused after the call returns. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(long offset, byte[] buf, int off, int len) throws IOException;
    }

    /** Cuts the whole input into chunks, in order; returns the number of bytes read. */
    public long chunk(ByteSource source, ChunkSink sink) throws IOException {
        return chunkWindows(source, (offset, buf, cuts, n) -> {
            long at = offset;
            for (int i = 0; i < n; i++) {
                int len = cuts[i + 1] - cuts[i];
                sink.accept(at, buf, cuts[i], len);
                at += len;
            }
        });
    }

    /**
     * Receives the chunks found in one filling of the buffer: chunk {@code i} is
     * {@code buf[cuts[i], cuts[i+1])}, the first one at input offset {@code offset}.
     */
    @FunctionalInterface
    private interface WindowSink {
        void accept(long offset, byte[] buf, int[] cuts, int n) throws IOException;
    }

    /** Fills buffers from a source and cuts them, carrying each uncut tail into the next buffer. */
    private final class Windows {
        private final ByteSource source;
        private int start;
        private int end;
        private long offset;
        private boolean eof;

        Windows(ByteSource source) {
            this.source = source;
        }

        /** Fills {@code buf} after the carried tail and cuts it: chunk i is {@code buf[cuts[i], cuts[i+1])}; returns the count. */
        int fill(byte[] buf, int[] cuts) throws IOException {
            while (!eof && end < buf.length) {
                int r = source.read(buf, end, buf.length - end);
                if (r < 0) eof = true;
                else end += r;
            }
            int n = 0;
            cuts[0] = start;
            while (end - start >= params.max() || (eof && end > start)) {
                start += cut(buf, start, end);
                cuts[++n] = start;
            }
            return n;
        }

        /** Moves past the chunks just cut, carrying the uncut tail of {@code buf} to the start of {@code next}. */
        void carry(byte[] buf, int[] cuts, byte[] next) {
            offset += start - cuts[0];
            System.arraycopy(buf, start, next, 0, end - start);
            end -= start;
            start = 0;
        }
    }

    /**
     * The two buffers of this thread, reused from call to call: a scan chunks file after file,
     * and a fresh 4 MiB buffer per file of a few hundred KiB was mostly zeroing. Nothing keeps a
     * reference to them after a call (a helper that starts late finds no chunk left to read).
     */
    private static final ThreadLocal<byte[][]> BUFFERS = new ThreadLocal<>();

    /** Takes this thread's buffers (a nested call, e.g. from a sink, gets its own); give them back with {@link #release}. */
    private byte[][] buffers() {
        int size = Math.max(MIN_BUFFER, 2 * params.max());
        byte[][] b = BUFFERS.get();
        BUFFERS.remove();
        return b != null && b[0].length == size ? b : new byte[][] {new byte[size], new byte[size]};
    }

    private static void release(byte[][] b) {
        BUFFERS.set(b);
    }

    private long chunkWindows(ByteSource source, WindowSink sink) throws IOException {
        byte[][] bufs = buffers();
        try {
            byte[] buf = bufs[0];
            int[] cuts = new int[buf.length / params.min() + 2];
            Windows w = new Windows(source);
            while (true) {
                int n = w.fill(buf, cuts);
                sink.accept(w.offset, buf, cuts, n);
                w.carry(buf, cuts, buf);
                if (w.eof) return w.offset;
            }
        } finally {
            release(bufs);
        }
    }

    public long chunk(InputStream in, ChunkSink sink) throws IOException {
        return chunk(in::read, sink);
    }

    /** Cuts and hashes the whole stream on the calling thread. */
    public List<Chunk> chunkAndHash(InputStream in) throws IOException {
        return chunkAndHash(in, Optional.empty());
    }

    /**
     * Cuts and hashes the whole stream; with a {@code helper}, as a two-stage pipeline: this
     * thread reads and cuts the next buffer while the helper hashes the chunks of the one
     * before (finding cuts and SHA-256 cost about the same, so two cores nearly halve the
     * time). Chunks are claimed one at a time, and this thread hashes whatever the helper has
     * not claimed when it comes back: a busy or absent helper never makes hashing slower than
     * doing it alone. Same chunks, same order, either way. Memory: two buffers instead of one.
     */
    public List<Chunk> chunkAndHash(InputStream in, Optional<Executor> helper) throws IOException {
        return chunkAndHash(in, helper, found -> {});
    }

    /** Receives the chunks found so far, a buffer's worth at a time, in order, while the input is still being read. */
    @FunctionalInterface
    public interface Found {
        void chunks(List<Chunk> chunks) throws IOException;
    }

    /**
     * As {@link #chunkAndHash(InputStream, Optional)}, telling {@code found} each buffer's
     * chunks as soon as they are hashed (a scan that uploads while it reads a big file).
     */
    public List<Chunk> chunkAndHash(InputStream in, Optional<Executor> helper, Found found) throws IOException {
        if (helper.isEmpty()) {
            List<Chunk> out = new ArrayList<>();
            MessageDigest sha = Hash.newDigest();
            chunkWindows(in::read, (offset, buf, cuts, n) -> {
                Chunk[] window = new Chunk[n];
                hashRange(sha, offset, buf, cuts, 0, n, window);
                List<Chunk> these = Arrays.asList(window);
                out.addAll(these);
                if (n > 0) found.chunks(these);
            });
            return out;
        }
        return pipelined(in::read, helper.get(), found);
    }

    /** The chunks of one buffer, hashed by whichever thread claims each first. */
    private static final class Window {
        private final long offset;
        private final byte[] buf;
        private final int[] cuts;
        private final Chunk[] found;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private volatile Throwable failed;

        Window(long offset, byte[] buf, int[] cuts, int n) {
            this.offset = offset;
            this.buf = buf;
            this.cuts = cuts;
            this.found = new Chunk[n];
            this.done = new CountDownLatch(n);
        }

        /** Hashes unclaimed chunks until none is left (each thread with its own digest). */
        void help() {
            for (int i = next.getAndIncrement(); i < found.length; i = next.getAndIncrement()) {
                try {
                    int len = cuts[i + 1] - cuts[i];
                    found[i] = new Chunk(offset + cuts[i] - cuts[0], len, Hash.of(buf, cuts[i], len));
                } catch (Throwable t) {
                    failed = t;
                } finally {
                    done.countDown();
                }
            }
        }

        /** Helps, then waits for chunks the other thread is still hashing; the chunks in order. */
        List<Chunk> finish() throws IOException {
            help();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while hashing");
            }
            if (failed != null) throw new IllegalStateException("hashing a chunk failed", failed);
            return Arrays.asList(found);
        }
    }

    private List<Chunk> pipelined(ByteSource source, Executor helper, Found found) throws IOException {
        byte[][] bufs = buffers();
        try {
            return pipelined(source, helper, bufs, found);
        } finally {
            release(bufs);
        }
    }

    private List<Chunk> pipelined(ByteSource source, Executor helper, byte[][] bufs, Found found) throws IOException {
        List<Chunk> out = new ArrayList<>();
        int size = bufs[0].length;
        int[][] cutLists = {new int[size / params.min() + 2], new int[size / params.min() + 2]};
        Windows windows = new Windows(source);
        Window pending = null;
        for (int cur = 0; ; cur = 1 - cur) {
            int n = windows.fill(bufs[cur], cutLists[cur]);
            // The window before is finished before this one is handed over: its buffer is refilled next.
            if (pending != null) out.addAll(told(pending.finish(), found));
            Window w = new Window(windows.offset, bufs[cur], cutLists[cur], n);
            // The last (or only) buffer of the input is shared too: a file of a few MiB is one buffer.
            if (n > 1) helper.execute(w::help);
            if (windows.eof) {
                out.addAll(told(w.finish(), found));
                return out;
            }
            pending = w;
            windows.carry(bufs[cur], cutLists[cur], bufs[1 - cur]);
        }
    }

    private static List<Chunk> told(List<Chunk> chunks, Found found) throws IOException {
        if (!chunks.isEmpty()) found.chunks(chunks);
        return chunks;
    }

    private static void hashRange(MessageDigest sha, long offset, byte[] buf, int[] cuts, int from, int to, Chunk[] found) {
        for (int i = from; i < to; i++) {
            int len = cuts[i + 1] - cuts[i];
            sha.update(buf, cuts[i], len);
            found[i] = new Chunk(offset + cuts[i] - cuts[0], len, Hash.fromBytes(sha.digest()));
        }
    }
}
