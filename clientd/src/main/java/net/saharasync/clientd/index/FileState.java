package net.saharasync.clientd.index;

import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.fs.FileStat;

/**
 * What the index remembers of a file or symlink: the stat it had when it was last hashed (or
 * written by the client) and the tree entry's content (file root and height, or symlink
 * target hash). A file whose stat still matches is not read again.
 */
public record FileState(FileStat stat, Hash content, int height) {}
