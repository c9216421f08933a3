package net.saharasync.merkle;

import net.saharasync.blockstore.Hash;

/** A file's identity: the root of its chunk tree, its length, and the tree's height (0: the root is the only chunk). */
public record FileRef(Hash root, long size, int height) {
    /** The empty file: no chunks; its root is the hash of zero bytes. */
    public static final FileRef EMPTY = new FileRef(Hash.of(new byte[0]), 0, 0);
}
