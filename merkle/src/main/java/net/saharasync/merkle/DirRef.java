package net.saharasync.merkle;

import net.saharasync.blockstore.Hash;

/** A directory tree's root node and its height (0: the root is a leaf holding all entries). */
public record DirRef(Hash root, int height) {}
