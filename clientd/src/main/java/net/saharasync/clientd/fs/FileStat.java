package net.saharasync.clientd.fs;

/**
 * What lstat says of a path (links are never followed). {@code fileKey} identifies the file
 * (device and inode on Linux), so a file replaced by a rename counts as changed even when its
 * size and mtime happen to match.
 */
public record FileStat(Kind kind, long size, long mtimeNanos, String fileKey, boolean executable, boolean ownerOnly) {
    public enum Kind { FILE, DIRECTORY, SYMLINK, OTHER }

    /** Not owner-only ({@code ownerOnly}: a file with no permission for group or others, as 0600). */
    public FileStat(Kind kind, long size, long mtimeNanos, String fileKey, boolean executable) {
        this(kind, size, mtimeNanos, fileKey, executable, false);
    }

    /** Whether the file is, as far as metadata can tell, the one {@code o} describes. */
    public boolean sameAs(FileStat o) {
        return kind == o.kind && size == o.size && mtimeNanos == o.mtimeNanos && fileKey.equals(o.fileKey);
    }
}
