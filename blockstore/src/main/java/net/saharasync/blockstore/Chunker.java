package net.saharasync.blockstore;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

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
        byte[] buf = new byte[Math.max(MIN_BUFFER, 2 * params.max())];
        int start = 0, end = 0;
        long offset = 0;
        boolean eof = false;
        while (true) {
            while (!eof && end < buf.length) {
                int r = source.read(buf, end, buf.length - end);
                if (r < 0) eof = true;
                else end += r;
            }
            while (end - start >= params.max() || (eof && end > start)) {
                int len = cut(buf, start, end);
                sink.accept(offset, buf, start, len);
                start += len;
                offset += len;
            }
            if (eof) return offset;
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
    }

    public long chunk(InputStream in, ChunkSink sink) throws IOException {
        return chunk(in::read, sink);
    }

    /** Cuts and hashes the whole stream. */
    public List<Chunk> chunkAndHash(InputStream in) throws IOException {
        List<Chunk> out = new ArrayList<>();
        MessageDigest sha = Hash.newDigest();
        chunk(in, (offset, buf, off, len) -> {
            sha.update(buf, off, len);
            out.add(new Chunk(offset, len, Hash.fromBytes(sha.digest())));
        });
        return out;
    }
}
