package net.saharasync.merkle;

/**
 * Average fanout of tree nodes, as powers of two: a node closes after an item with
 * probability 2^-bits (at most 4 * 2^bits items). Defaults: 64 for files (a node lists
 * 64 chunks, ~2.6 KB) and 64 for directories. Fixed per volume: they decide node hashes.
 */
public record TreeParams(int fileBits, int dirBits) {
    public static final TreeParams DEFAULT = new TreeParams(6, 6);

    public TreeParams {
        if (fileBits < 1 || fileBits > 12 || dirBits < 1 || dirBits > 12) {
            throw new IllegalArgumentException("fanout bits must be 1..12");
        }
    }
}
