package net.saharasync.blockstore;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The stored form of a block, shared by every {@link BlockStore} implementation:
 *
 * <pre>
 *   u8  format      0 = raw, 1 = one zstd frame
 *   u32 rawLength   length of the block's bytes (big-endian)
 *   u32 crc32c      CRC-32C of the payload below (big-endian)
 *   ... payload     the bytes themselves, or their zstd frame
 * </pre>
 *
 * The CRC is checked on every read (it runs at memory speed), so a flipped bit on disk is
 * reported instead of returned; the SHA-256 of the decoded bytes is checked when the caller
 * asks for it. A block is stored raw unless zstd saves at least 1/64 of it: decoding raw
 * bytes costs nothing, and a nearly incompressible block is not worth the decompression.
 */
public final class BlockCodec {
    static final byte RAW = 0;
    static final byte ZSTD = 1;
    /** Bytes before the payload. */
    public static final int HEADER = 9;

    /** One compression context per thread: making one per block cost as much as compressing it. */
    private final ThreadLocal<ZstdCompressCtx> context;

    /** @param zstdLevel zstd compression level (1 is fast; 3 is zstd's default) */
    public BlockCodec(int zstdLevel) {
        this.context = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(zstdLevel));
    }

    /** Encodes {@code data} into its stored form. A raw form keeps {@code data} itself, not a copy. */
    public StoredForm encode(byte[] data) {
        return encode(data, 0, data.length);
    }

    /** Encodes {@code data[off, off + n)}; a raw form keeps that slice of {@code data}, not a copy. */
    public StoredForm encode(byte[] data, int off, int n) {
        java.util.Objects.checkFromIndexSize(off, n, data.length);
        byte[] scratch = scratch((int) Zstd.compressBound(n));
        long z;
        try {
            z = context.get().compressByteArray(scratch, 0, scratch.length, data, off, n);
        } catch (ZstdException e) {
            throw new BlockStoreException("zstd failed to compress a block: " + e.getMessage(), e);
        }
        boolean compressed = z < n - (n >> 6);
        CRC32C crc = new CRC32C();
        if (compressed) {
            byte[] payload = Arrays.copyOf(scratch, (int) z);
            crc.update(payload);
            return new StoredForm(ZSTD, n, (int) crc.getValue(), payload, 0, payload.length);
        }
        crc.update(data, off, n);
        return new StoredForm(RAW, n, (int) crc.getValue(), data, off, n);
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);
    private static final ThreadLocal<byte[]> DECODE_SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

    private static byte[] scratch(int size) {
        return scratch(SCRATCH, size);
    }

    private static byte[] scratch(ThreadLocal<byte[]> local, int size) {
        byte[] s = local.get();
        if (s.length < size) {
            s = new byte[size];
            local.set(s);
        }
        return s;
    }

    /** A block's stored form, written straight to its destination without an intermediate array. */
    public static final class StoredForm {
        private final byte format;
        private final int rawLength;
        private final int crc;
        private final byte[] payload;
        private final int offset;
        private final int payloadLength;

        StoredForm(byte format, int rawLength, int crc, byte[] payload, int offset, int payloadLength) {
            this.format = format;
            this.rawLength = rawLength;
            this.crc = crc;
            this.payload = payload;
            this.offset = offset;
            this.payloadLength = payloadLength;
        }

        /** Bytes the stored form takes. */
        public int length() {
            return HEADER + payloadLength;
        }

        /** Bytes the block decodes to. */
        public int rawLength() {
            return rawLength;
        }

        /** Writes the stored form at the buffer's position and advances it. */
        public void writeTo(ByteBuffer dst) {
            ByteOrder order = dst.order();
            dst.order(ByteOrder.BIG_ENDIAN).put(format).putInt(rawLength).putInt(crc).put(payload, offset, payloadLength).order(order);
        }

        /** The stored form as two buffers, its header and its payload where it lies (not copied). */
        public ByteBuffer[] buffers() {
            ByteBuffer head = ByteBuffer.allocate(HEADER).put(format).putInt(rawLength).putInt(crc).flip();
            return new ByteBuffer[] {head, ByteBuffer.wrap(payload, offset, payloadLength).slice()};
        }

        public byte[] toBytes() {
            byte[] out = new byte[length()];
            writeTo(ByteBuffer.wrap(out));
            return out;
        }

        /**
         * A stored form received from elsewhere (e.g. the wire), fully checked: CRC, format,
         * decompressed length and that the content hashes to {@code hash}. This is how a host
         * accepts a block without compressing it again.
         *
         * @throws CorruptBlockException if any check fails
         */
        public static StoredForm verified(Hash hash, byte[] stored) {
            return verified(hash, stored, 0, stored.length);
        }

        /** {@link #verified(Hash, byte[])} of the form at {@code a[off, off + len)}, which the result then refers to. */
        public static StoredForm verified(Hash hash, byte[] a, int off, int len) {
            ByteBuffer b = ByteBuffer.wrap(a, off, len).slice();
            header(hash, b);
            byte format = b.get(0);
            int rawLength = b.getInt(1);
            int crc = b.getInt(5);
            // No copies: a raw block is hashed where it lies, a zstd one in a reused scratch buffer.
            Hash actual;
            if (format == RAW) {
                actual = Hash.of(a, off + HEADER, rawLength);
            } else {
                byte[] out = scratch(DECODE_SCRATCH, rawLength);
                unzstd(hash, rawLength, () -> Zstd.decompressByteArray(out, 0, rawLength, a, off + HEADER, len - HEADER));
                actual = Hash.of(out, 0, rawLength);
            }
            if (!actual.equals(hash)) throw new CorruptBlockException(hash, "content hashes to " + actual.toHex());
            return new StoredForm(format, rawLength, crc, a, off + HEADER, len - HEADER);
        }
    }

    /** The length of the block a stored value decodes to, read from its header. */
    public static int rawLength(ByteBuffer stored) {
        return stored.order() == ByteOrder.BIG_ENDIAN
                ? stored.getInt(stored.position() + 1)
                : Integer.reverseBytes(stored.getInt(stored.position() + 1));
    }

    /**
     * Checks a stored value's header and CRC without decompressing it: the length, format,
     * recorded length and checksum, and for a raw value that the payload has that length.
     *
     * @throws CorruptBlockException naming {@code hash} if any check fails
     */
    public static void checkStored(Hash hash, ByteBuffer stored) {
        header(hash, stored.duplicate().order(ByteOrder.BIG_ENDIAN));
    }

    /** Checks the header and CRC; returns the payload. */
    private static ByteBuffer header(Hash hash, ByteBuffer stored) {
        int p = stored.position();
        int len = stored.remaining();
        if (len < HEADER) {
            throw new CorruptBlockException(hash, "stored value of " + len + " bytes is shorter than its header");
        }
        byte format = stored.get(p);
        int rawLength = stored.getInt(p + 1);
        int crc = stored.getInt(p + 5);
        if (rawLength < 0 || rawLength > BlockStore.MAX_BLOCK_BYTES) {
            throw new CorruptBlockException(hash, "recorded length " + rawLength + " is out of range");
        }
        ByteBuffer payload = stored.slice(p + HEADER, len - HEADER);
        CRC32C c = new CRC32C();
        c.update(payload.duplicate());
        if ((int) c.getValue() != crc) {
            throw new CorruptBlockException(hash, "checksum mismatch");
        }
        if (format == RAW && payload.remaining() != rawLength) {
            throw new CorruptBlockException(hash, "raw payload of " + payload.remaining() + " bytes, header says " + rawLength);
        }
        if (format != RAW && format != ZSTD) {
            throw new CorruptBlockException(hash, "unknown format byte " + format);
        }
        return payload;
    }

    /**
     * Decodes a stored value (heap or direct buffer, position to limit; not modified).
     *
     * @throws CorruptBlockException if the value is malformed, fails its CRC, does not
     *     decompress to its recorded length or, with {@code verifyHash}, does not hash to {@code hash}
     */
    public static byte[] decode(Hash hash, ByteBuffer stored, boolean verifyHash) {
        stored = stored.duplicate().order(ByteOrder.BIG_ENDIAN);
        ByteBuffer payload = header(hash, stored);
        byte format = stored.get(stored.position());
        int rawLength = stored.getInt(stored.position() + 1);
        byte[] data = new byte[rawLength];
        if (format == RAW) {
            payload.get(0, data);
        } else {
            unzstd(hash, rawLength, () -> payload.isDirect()
                    ? Zstd.decompress(data, payload)
                    : Zstd.decompressByteArray(data, 0, rawLength, payload.array(), payload.arrayOffset(), payload.remaining()));
        }
        if (verifyHash && !Hash.of(data).equals(hash)) {
            throw new CorruptBlockException(hash, "content hashes to " + Hash.of(data).toHex());
        }
        return data;
    }

    /**
     * Like {@link #decode} with the hash checked, but a raw form is not copied: the result is a
     * view of {@code stored}'s payload (a zstd form decodes into a new array).
     */
    public static ByteBuffer decodeView(Hash hash, byte[] stored) {
        return decodeView(hash, stored, 0, stored.length);
    }

    /** {@link #decodeView(Hash, byte[])} of the form at {@code a[off, off + len)}. */
    public static ByteBuffer decodeView(Hash hash, byte[] a, int off, int len) {
        ByteBuffer b = ByteBuffer.wrap(a, off, len).slice();
        if (len == 0 || a[off] != RAW) return ByteBuffer.wrap(decode(hash, b, true));
        ByteBuffer payload = header(hash, b);
        Hash actual = Hash.of(a, off + HEADER, payload.remaining());
        if (!actual.equals(hash)) throw new CorruptBlockException(hash, "content hashes to " + actual.toHex());
        return ByteBuffer.wrap(a, off + HEADER, payload.remaining()).slice();
    }

    /** Runs a zstd decompression and reports any failure, or a wrong decoded length, as corruption of {@code hash}. */
    private static void unzstd(Hash hash, int rawLength, java.util.function.LongSupplier decompress) {
        long n;
        try {
            n = decompress.getAsLong();
        } catch (ZstdException e) {
            throw new CorruptBlockException(hash, "zstd frame does not decode: " + e.getMessage());
        }
        if (Zstd.isError(n) || n != rawLength) {
            throw new CorruptBlockException(hash, Zstd.isError(n)
                    ? "zstd frame does not decode: " + Zstd.getErrorName(n)
                    : "zstd frame decodes to " + n + " bytes, header says " + rawLength);
        }
    }
}
