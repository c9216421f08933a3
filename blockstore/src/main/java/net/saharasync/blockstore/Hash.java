package net.saharasync.blockstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A 32-byte SHA-256 address: of a chunk (hash of its bytes) or of an object (hash of its
 * canonical encoding).
 *
 * <p>Held as four longs, big-endian, so equality, hashing and ordering never allocate, and
 * {@link #compareTo} (unsigned, most significant word first) sorts exactly like the 32 raw
 * bytes do, which is how LMDB orders its keys. Hex appears only at the edges
 * ({@link #toHex()}, {@link #fromHex(String)}).
 */
public final class Hash implements Comparable<Hash> {
    /** Length of a hash in bytes. */
    public static final int BYTES = 32;

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hash::newDigest);

    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;

    private Hash(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    /** SHA-256 of {@code data}. */
    public static Hash of(byte[] data) {
        return of(data, 0, data.length);
    }

    /** SHA-256 of {@code len} bytes of {@code data} starting at {@code off}. */
    public static Hash of(byte[] data, int off, int len) {
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return fromBytes(md.digest());
    }

    /** SHA-256 of the remaining bytes of {@code data}; the buffer's position is left unchanged. */
    public static Hash of(ByteBuffer data) {
        MessageDigest md = SHA256.get();
        md.update(data.duplicate());
        return fromBytes(md.digest());
    }

    /** A fresh SHA-256 digest, for callers that hash a stream piece by piece. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }

    /** The hash whose raw form is these 32 bytes. */
    public static Hash fromBytes(byte[] raw) {
        if (raw.length != BYTES) {
            throw new IllegalArgumentException("a hash is " + BYTES + " bytes, got " + raw.length);
        }
        return read(ByteBuffer.wrap(raw));
    }

    /** Reads 32 bytes at the buffer's position and advances it. */
    public static Hash read(ByteBuffer in) {
        if (in.remaining() < BYTES) {
            throw new IllegalArgumentException("a hash is " + BYTES + " bytes, only " + in.remaining() + " left");
        }
        ByteBuffer be = in.order() == ByteOrder.BIG_ENDIAN ? in : in.duplicate().order(ByteOrder.BIG_ENDIAN);
        Hash h = new Hash(be.getLong(), be.getLong(), be.getLong(), be.getLong());
        if (be != in) {
            in.position(in.position() + BYTES);
        }
        return h;
    }

    /** Parses 64 hex digits (either case). */
    public static Hash fromHex(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a hash is " + 2 * BYTES + " hex digits, got " + hex.length());
        }
        return fromBytes(HEX.parseHex(hex));
    }

    /** Writes the 32 raw bytes at the buffer's position and advances it. */
    public ByteBuffer writeTo(ByteBuffer out) {
        ByteOrder order = out.order();
        out.order(ByteOrder.BIG_ENDIAN).putLong(w0).putLong(w1).putLong(w2).putLong(w3);
        return out.order(order);
    }

    /** The 32 raw bytes (a new array). */
    public byte[] toBytes() {
        byte[] raw = new byte[BYTES];
        writeTo(ByteBuffer.wrap(raw));
        return raw;
    }

    /** Lower-case hex, 64 digits. */
    public String toHex() {
        return HEX.formatHex(toBytes());
    }

    /** The first {@code bits} (1..64) bits of the hash as an unsigned number; used for content-defined boundaries. */
    public long prefixBits(int bits) {
        if (bits < 1 || bits > 64) {
            throw new IllegalArgumentException("bits must be 1..64, got " + bits);
        }
        return bits == 64 ? w0 : w0 >>> (64 - bits);
    }

    @Override
    public int compareTo(Hash o) {
        int c = Long.compareUnsigned(w0, o.w0);
        if (c == 0) c = Long.compareUnsigned(w1, o.w1);
        if (c == 0) c = Long.compareUnsigned(w2, o.w2);
        if (c == 0) c = Long.compareUnsigned(w3, o.w3);
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && w0 == h.w0 && w1 == h.w1 && w2 == h.w2 && w3 == h.w3;
    }

    @Override
    public int hashCode() {
        // SHA-256 output is uniform: any 32 bits of it make a good hash code.
        return (int) (w0 >>> 32);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
