package net.saharasync.merkle;

import net.saharasync.blockstore.Hash;

/**
 * One name in a directory.
 *
 * <ul>
 *   <li>FILE: {@code content} is the root of the file's tree, {@code height} its height (0: the
 *       root is the file's only chunk), {@code size} the file's length; {@code executable},
 *       {@code ownerOnly} (no permission for group or others, as a private key or a 0600 file
 *       has: other machines create it so, never readable by anyone else) and
 *       {@code mtimeNanos} are synced.
 *   <li>DIRECTORY: {@code content} is the root of the directory's tree, {@code height} its
 *       height; size, mtime and executable are 0/false (a folder's mtime changes whenever its
 *       contents do; syncing it would only manufacture conflicts).
 *   <li>SYMLINK: {@code content} is the hash of the link target's UTF-8 bytes (stored as a
 *       block), {@code size} their length, height 0, not executable; mtime is synced.
 * </ul>
 * The constructor enforces every rule, so an invalid entry cannot exist.
 */
public record Entry(String name, EntryKind kind, boolean executable, long mtimeNanos, long size, Hash content, int height,
                    boolean ownerOnly) {
    /** Tallest tree allowed: 2^(6*32) items is far beyond any file or folder. */
    public static final int MAX_HEIGHT = 32;

    public Entry {
        Names.check(name);
        if (size < 0) throw new MalformedObjectException("negative size for " + Names.printable(name));
        if (height < 0 || height > MAX_HEIGHT) throw new MalformedObjectException("height " + height + " out of range");
        switch (kind) {
            case FILE -> {}
            case DIRECTORY -> {
                if (executable || ownerOnly || mtimeNanos != 0 || size != 0) {
                    throw new MalformedObjectException("directory " + Names.printable(name) + " must have size, mtime 0 and no exec bit");
                }
            }
            case SYMLINK -> {
                if (executable || ownerOnly || height != 0) {
                    throw new MalformedObjectException("symlink " + Names.printable(name) + " must have height 0 and no exec bit");
                }
            }
        }
    }

    /** Not owner-only. */
    public Entry(String name, EntryKind kind, boolean executable, long mtimeNanos, long size, Hash content, int height) {
        this(name, kind, executable, mtimeNanos, size, content, height, false);
    }

    public static Entry file(String name, FileRef ref, boolean executable, long mtimeNanos) {
        return file(name, ref, executable, false, mtimeNanos);
    }

    public static Entry file(String name, FileRef ref, boolean executable, boolean ownerOnly, long mtimeNanos) {
        return new Entry(name, EntryKind.FILE, executable, mtimeNanos, ref.size(), ref.root(), ref.height(), ownerOnly);
    }

    public static Entry directory(String name, DirRef ref) {
        return new Entry(name, EntryKind.DIRECTORY, false, 0, 0, ref.root(), ref.height());
    }

    public static Entry symlink(String name, Hash target, int targetBytes, long mtimeNanos) {
        return new Entry(name, EntryKind.SYMLINK, false, mtimeNanos, targetBytes, target, 0);
    }

    public boolean isDirectory() {
        return kind == EntryKind.DIRECTORY;
    }

    /** The directory tree this entry points to; only for directories. */
    public DirRef dir() {
        if (kind != EntryKind.DIRECTORY) throw new MerkleException(Names.printable(name) + " is not a directory");
        return new DirRef(content, height);
    }

    /** The file tree this entry points to; only for files. */
    public FileRef file() {
        if (kind != EntryKind.FILE) throw new MerkleException(Names.printable(name) + " is not a file");
        return new FileRef(content, size, height);
    }

    /** The same entry under another name. */
    public Entry withName(String newName) {
        return new Entry(newName, kind, executable, mtimeNanos, size, content, height, ownerOnly);
    }

    /** Same kind and content (what a rename keeps). */
    public boolean sameContent(Entry o) {
        return kind == o.kind && content.equals(o.content) && height == o.height && size == o.size;
    }
}
