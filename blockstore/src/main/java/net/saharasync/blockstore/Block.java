package net.saharasync.blockstore;

import java.util.Objects;

/**
 * Bytes with their address. The constructor trusts the caller's hash (the store verifies it
 * when asked); {@link #of(byte[])} computes it. Equality is by hash only.
 */
public final class Block {
    private final Hash hash;
    private final byte[] data;

    private Block(Hash hash, byte[] data) {
        this.hash = Objects.requireNonNull(hash);
        this.data = Objects.requireNonNull(data);
        if (data.length > BlockStore.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("block of " + data.length + " bytes exceeds the limit of "
                    + BlockStore.MAX_BLOCK_BYTES);
        }
    }

    /** A block addressed by the SHA-256 of {@code data}. The array is kept, not copied. */
    public static Block of(byte[] data) {
        return new Block(Hash.of(data), data);
    }

    /** A block whose hash the caller already computed (e.g. while chunking). The array is kept, not copied. */
    public static Block withHash(Hash hash, byte[] data) {
        return new Block(hash, data);
    }

    public Hash hash() {
        return hash;
    }

    /** The bytes; callers must not modify them. */
    public byte[] data() {
        return data;
    }

    public int length() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Block b && hash.equals(b.hash);
    }

    @Override
    public int hashCode() {
        return hash.hashCode();
    }

    @Override
    public String toString() {
        return "Block[" + hash.toHex() + ", " + data.length + " bytes]";
    }
}
