package net.saharasync.merkle;

/** One path-level difference between two trees. Paths are '/'-separated, relative to the root. */
public sealed interface Change permits Change.Added, Change.Removed, Change.Modified, Change.KindChanged, Change.Moved {
    /** The path the change leaves something at (for a removal: where it was). */
    String path();

    /** A new entry (a new directory comes with its whole subtree). */
    record Added(String path, Entry entry) implements Change {}

    /** An entry gone (a directory with its whole subtree). */
    record Removed(String path, Entry entry) implements Change {}

    /** Same kind, different content or metadata (files and symlinks; directories are diffed inside). */
    record Modified(String path, Entry before, Entry after) implements Change {}

    /** A file became a directory or the like. */
    record KindChanged(String path, Entry before, Entry after) implements Change {}

    /** The same content under a new path (a rename or move, of a file or a whole directory). */
    record Moved(String from, String path, Entry before, Entry after) implements Change {}
}
