package net.saharasync.clientd.index;

/** Where a chunk's bytes were last seen on disk: reused instead of downloaded, after checking its hash. */
public record ChunkLocation(String path, long offset, int length) {}
