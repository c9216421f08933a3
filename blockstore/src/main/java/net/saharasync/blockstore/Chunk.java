package net.saharasync.blockstore;

/** A run of a file's bytes cut by the chunker: where it starts, how long it is, and its hash. */
public record Chunk(long offset, int length, Hash hash) {
    public Chunk {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative offset or length");
    }

    public long end() {
        return offset + length;
    }
}
