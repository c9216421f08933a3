package net.saharasync.protocol.wire;

import net.saharasync.blockstore.*;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * A block sent as the difference from another block both sides know (a transfer encoding
 * only: the receiver rebuilds the whole block and checks its hash before using it; nothing is
 * ever stored in these forms). Two ways, by who holds what:
 * <ul>
 * <li>{@link #PATCH} (format 2): the sender holds the base and the target, the receiver the
 *     base: one zstd frame compressed with the base as a raw-content dictionary, as
 *     {@code zstd --patch-from} does.</li>
 * <li>{@link #COPY} (format 3): the sender lacks the base (an editor replaced the file), so it
 *     asks for the base's {@link #signature} (rsync's weak rolling + strong sum per
 *     {@value #SIGNATURE_BLOCK}-byte block, of just that block) and sends copy/literal
 *     instructions.</li>
 * </ul>
 * Both travel in a frame like a stored form: {@code u8 format | u32 rawLength | u32 crc32c |
 * payload}, payload = {@code baseHash[32] | body}.
 */
public final class BlockDelta {
    public static final byte PATCH = 2;
    public static final byte COPY = 3;
    public static final int SIGNATURE_BLOCK = 2048;
    private static final int STRONG = 8;

    private BlockDelta() {}

    // ---- forms on the wire ----

    private static byte[] form(byte format, int rawLength, Hash base, byte[] body) {
        byte[] payload = new byte[Hash.BYTES + body.length];
        ByteBuffer.wrap(payload).put(base.toBytes()).put(body);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(BlockCodec.HEADER + payload.length).put(format).putInt(rawLength).putInt((int) crc.getValue())
                .put(payload).array();
    }

    /** Whether a received form is a delta (needs a base to become a block). */
    public static boolean isDelta(byte[] form) {
        return form.length > 0 && isDelta(form[0]);
    }

    /** Whether a form starting with {@code format} is a delta. */
    public static boolean isDelta(byte format) {
        return format == PATCH || format == COPY;
    }

    /** The base a delta form was made against. */
    public static Hash baseOf(Hash target, byte[] form) {
        if (form.length < BlockCodec.HEADER + Hash.BYTES) throw new CorruptBlockException(target, "delta form too short");
        return Hash.read(ByteBuffer.wrap(form, BlockCodec.HEADER, Hash.BYTES));
    }

    /** A {@link #PATCH} form of {@code target} against {@code base}. */
    public static byte[] patch(Hash base, byte[] baseBytes, byte[] target) {
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(3);
            ctx.loadDict(baseBytes);
            return form(PATCH, target.length, base, ctx.compress(target));
        }
    }

    /** A {@link #COPY} form of {@code target} against a base known only by its {@link #signature}. */
    public static byte[] copy(Hash base, byte[] signature, byte[] target) {
        return form(COPY, target.length, base, instructions(signature, target));
    }

    /**
     * Rebuilds the block a form stands for: a stored form decodes as usual; a delta form is
     * applied to its base, fetched through {@code bases}. Either way the result must hash to
     * {@code target}, else {@link CorruptBlockException}.
     */
    public static byte[] resolve(Hash target, byte[] form, Function<Hash, Optional<byte[]>> bases) {
        if (!isDelta(form)) return BlockCodec.decode(target, ByteBuffer.wrap(form), true);
        ByteBuffer b = ByteBuffer.wrap(form);
        byte format = b.get();
        int rawLength = b.getInt();
        int crc = b.getInt();
        if (rawLength < 0 || rawLength > BlockStore.MAX_BLOCK_BYTES) throw new CorruptBlockException(target, "delta of " + rawLength + " bytes");
        CRC32C c = new CRC32C();
        c.update(form, BlockCodec.HEADER, form.length - BlockCodec.HEADER);
        if ((int) c.getValue() != crc) throw new CorruptBlockException(target, "delta checksum mismatch");
        Hash base = baseOf(target, form);
        byte[] baseBytes = bases.apply(base).orElseThrow(() -> new CorruptBlockException(target, "delta base " + base.toHex() + " is not available"));
        byte[] body = Arrays.copyOfRange(form, BlockCodec.HEADER + Hash.BYTES, form.length);
        byte[] out;
        try {
            out = format == PATCH ? unpatch(baseBytes, body, rawLength) : applyInstructions(baseBytes, body, rawLength);
        } catch (RuntimeException bad) {
            throw new CorruptBlockException(target, "delta does not apply: " + bad.getMessage());
        }
        if (out.length != rawLength || !Hash.of(out).equals(target)) throw new CorruptBlockException(target, "delta rebuilds other bytes");
        return out;
    }

    private static byte[] unpatch(byte[] base, byte[] frame, int rawLength) {
        try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
            ctx.loadDict(base);
            return ctx.decompress(frame, rawLength);
        } catch (ZstdException e) {
            throw new IllegalArgumentException("zstd: " + e.getMessage());
        }
    }

    // ---- rsync-style signatures and instructions ----

    private static int weak(byte[] d, int off, int len) {
        int a = 0, b = 0;
        for (int i = 0; i < len; i++) {
            int x = d[off + i] & 0xFF;
            a += x;
            b += (len - i) * x;
        }
        return (b << 16) | (a & 0xFFFF);
    }

    private static long strong(MessageDigest sha, byte[] d, int off, int len) {
        sha.update(d, off, len);
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    /** The signature of a base block: {@code u32 length}, then per whole block {@code u32 weak | u64 strong}. */
    public static byte[] signature(byte[] base) {
        int blocks = base.length / SIGNATURE_BLOCK;
        ByteBuffer out = ByteBuffer.allocate(4 + blocks * (4 + STRONG)).putInt(base.length);
        MessageDigest sha = Hash.newDigest();
        for (int i = 0; i < blocks; i++) {
            out.putInt(weak(base, i * SIGNATURE_BLOCK, SIGNATURE_BLOCK)).putLong(strong(sha, base, i * SIGNATURE_BLOCK, SIGNATURE_BLOCK));
        }
        return out.array();
    }

    /**
     * Copy/literal instructions: varint {@code (n << 1)} then n literal bytes, or varint
     * {@code (n << 1) | 1} then varint first block: copy n consecutive base blocks.
     */
    static byte[] instructions(byte[] signature, byte[] target) {
        ByteBuffer sig = ByteBuffer.wrap(signature);
        sig.getInt();
        int blocks = sig.remaining() / (4 + STRONG);
        Map<Integer, int[]> byWeak = new HashMap<>();
        long[] strongs = new long[blocks];
        for (int i = 0; i < blocks; i++) {
            int w = sig.getInt();
            strongs[i] = sig.getLong();
            int[] prev = byWeak.get(w);
            if (prev == null) byWeak.put(w, new int[] {i});
            else {
                int[] more = Arrays.copyOf(prev, prev.length + 1);
                more[prev.length] = i;
                byWeak.put(w, more);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest sha = Hash.newDigest();
        int n = SIGNATURE_BLOCK;
        int literalFrom = 0, i = 0;
        int copyStart = -1, copyCount = 0;
        int a = 0, b = 0;
        boolean rolling = false;
        while (i + n <= target.length && blocks > 0) {
            if (!rolling) {
                int w = weak(target, i, n);
                a = w & 0xFFFF;
                b = w >>> 16;
                rolling = true;
            }
            int w = (b << 16) | (a & 0xFFFF);
            int match = -1;
            int[] cands = byWeak.get(w);
            if (cands != null) {
                long s = strong(sha, target, i, n);
                for (int c : cands) {
                    if (strongs[c] == s) {
                        match = c;
                        break;
                    }
                }
            }
            if (match >= 0) {
                if (i > literalFrom) {
                    copyStart = flushCopy(out, copyStart, copyCount);
                    copyCount = 0;
                    literal(out, target, literalFrom, i);
                }
                if (copyCount > 0 && match == copyStart + copyCount) copyCount++;
                else {
                    flushCopy(out, copyStart, copyCount);
                    copyStart = match;
                    copyCount = 1;
                }
                i += n;
                literalFrom = i;
                rolling = false;
            } else {
                // Roll the window one byte: drop target[i], take target[i + n].
                int drop = target[i] & 0xFF;
                if (i + n < target.length) {
                    int take = target[i + n] & 0xFF;
                    a = (a - drop + take) & 0xFFFF;
                    b = (b - n * drop + a) & 0xFFFF;
                }
                i++;
            }
        }
        if (target.length > literalFrom) {
            flushCopy(out, copyStart, copyCount);
            copyCount = 0;
            literal(out, target, literalFrom, target.length);
        } else {
            flushCopy(out, copyStart, copyCount);
        }
        return out.toByteArray();
    }

    private static int flushCopy(ByteArrayOutputStream out, int start, int count) {
        if (count > 0) {
            varint(out, ((long) count << 1) | 1);
            varint(out, start);
        }
        return -1;
    }

    private static void literal(ByteArrayOutputStream out, byte[] d, int from, int to) {
        varint(out, (long) (to - from) << 1);
        out.write(d, from, to - from);
    }

    static byte[] applyInstructions(byte[] base, byte[] ins, int rawLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rawLength);
        ByteBuffer in = ByteBuffer.wrap(ins);
        while (in.hasRemaining()) {
            long tag = readVarint(in);
            long n = tag >>> 1;
            if ((tag & 1) == 0) {
                if (n > in.remaining() || out.size() + n > rawLength) throw new IllegalArgumentException("literal runs past the end");
                out.write(ins, in.position(), (int) n);
                in.position(in.position() + (int) n);
            } else {
                long first = readVarint(in);
                long from = first * SIGNATURE_BLOCK, len = n * SIGNATURE_BLOCK;
                if (first < 0 || from + len > base.length || out.size() + len > rawLength) throw new IllegalArgumentException("copy outside the base");
                out.write(base, (int) from, (int) len);
            }
        }
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.hasRemaining()) throw new IllegalArgumentException("truncated instruction");
            int x = in.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new IllegalArgumentException("varint too long");
    }
}
