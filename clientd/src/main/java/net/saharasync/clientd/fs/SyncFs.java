package net.saharasync.clientd.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * The synced folder as the engine sees it. Links are never followed; every write is a temp
 * file in the same directory, fsync, rename, fsync of the directory; whatever a write replaces
 * or a delete removes goes to the trash first. Writes take the state the caller last saw
 * ({@code expected}) and refuse with {@link ChangedMeanwhile} if the path no longer matches it,
 * so a file the user changed during a sync is never overwritten.
 *
 * <p>The real implementation is {@link LocalFs}; tests can substitute one that injects faults.
 */
public interface SyncFs {
    /** lstat: empty if nothing is there. */
    Optional<FileStat> stat(RelPath p) throws IOException;

    /** The names in a directory, sorted. */
    List<String> list(RelPath dir) throws IOException;

    InputStream read(RelPath file) throws IOException;

    /** Exactly {@code length} bytes at {@code offset}, or fewer if the file is shorter now. */
    byte[] read(RelPath file, long offset, int length) throws IOException;

    /** Reads pieces of one file through one open handle (many chunks of one file: one open). */
    interface PieceReader extends AutoCloseable {
        /** As {@link SyncFs#read(RelPath, long, int)}. */
        byte[] read(long offset, int length) throws IOException;

        /** Reads up to {@code length} bytes at {@code offset} into {@code dst[off..]}; returns how many (fewer only at the end of the file). */
        default int read(long offset, byte[] dst, int off, int length) throws IOException {
            byte[] b = read(offset, length);
            System.arraycopy(b, 0, dst, off, b.length);
            return b.length;
        }

        @Override
        void close() throws IOException;
    }

    /**
     * Bytes a new file may still take on this folder's disk (for an unprivileged writer), and
     * where that disk is, to say so; empty when unknown (no check is made then).
     */
    default Optional<Space> freeSpace() throws IOException {
        return Optional.empty();
    }

    /** Free bytes on the disk of a folder: {@code where} names it for a person. */
    record Space(long usable, String where) {}

    /** How many hard links the file has (1 where the file system has none, or the file is gone). */
    default int links(RelPath file) throws IOException {
        return 1;
    }

    /** A {@link PieceReader} of {@code file}; by default each read opens the file anew. */
    default PieceReader pieces(RelPath file) throws IOException {
        return new PieceReader() {
            @Override
            public byte[] read(long offset, int length) throws IOException {
                return SyncFs.this.read(file, offset, length);
            }

            @Override
            public void close() {}
        };
    }

    String readLink(RelPath link) throws IOException;

    /** The link's target as stored, byte for byte (a target need not be UTF-8). */
    default byte[] readLinkBytes(RelPath link) throws IOException {
        return readLink(link).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A folder opened for a scan: its entries are listed, stat'ed and read relative to it.
     * {@link LocalFs} opens the folder once and reaches each entry through that handle
     * (fstatat, openat with O_NOFOLLOW): no path walk and no parent check per file, and no
     * parent can be swapped for a symlink under the scan.
     */
    interface Folder extends AutoCloseable {
        /** The names in it, sorted. */
        List<String> names() throws IOException;

        /** lstat of an entry: empty if nothing is there. */
        Optional<FileStat> stat(String name) throws IOException;

        InputStream read(String name) throws IOException;

        /** At most {@code max} bytes from the start of an entry (all of it if it is shorter). */
        default byte[] readStart(String name, int max) throws IOException {
            try (InputStream in = read(name)) {
                return in.readNBytes(max);
            }
        }

        @Override
        void close() throws IOException;
    }

    /** Opens {@code dir} for a scan; by default each call goes through this file system's path methods. */
    default Folder folder(RelPath dir) throws IOException {
        List<String> names = list(dir);
        return new Folder() {
            @Override
            public List<String> names() {
                return names;
            }

            @Override
            public Optional<FileStat> stat(String name) throws IOException {
                return SyncFs.this.stat(dir.child(name));
            }

            @Override
            public InputStream read(String name) throws IOException {
                return SyncFs.this.read(dir.child(name));
            }

            @Override
            public void close() {}
        };
    }

    /**
     * Writes a file's whole content atomically (see the class comment); returns its new stat.
     * {@code ownerOnly}: created without permission for group or others, never readable by
     * anyone else for a moment.
     */
    FileStat writeFile(RelPath p, Content content, long mtimeNanos, boolean executable, boolean ownerOnly, Optional<FileStat> expected)
            throws IOException;

    /** As {@link #writeFile(RelPath, Content, long, boolean, boolean, Optional)}, not owner-only. */
    default FileStat writeFile(RelPath p, Content content, long mtimeNanos, boolean executable, Optional<FileStat> expected) throws IOException {
        return writeFile(p, content, mtimeNanos, executable, false, expected);
    }

    /** One file of a {@link #writeFiles} batch: what {@link #writeFile} takes. */
    record FileWrite(RelPath path, Content content, long mtimeNanos, boolean executable, boolean ownerOnly, Optional<FileStat> expected) {
        public FileWrite(RelPath path, Content content, long mtimeNanos, boolean executable, Optional<FileStat> expected) {
            this(path, content, mtimeNanos, executable, false, expected);
        }
    }

    /**
     * The order in which {@link #writeFiles} starts writing files (indices into its writes, given by their paths):
     * one file from each folder in turn, in order within a folder. Creating a file locks its
     * folder: stagers working through a sorted batch all waited on (and, on ext4, spun for) the
     * same folder's lock. A caller that feeds the files' bytes (downloads) follows this order.
     */
    static java.util.List<Integer> writeOrder(java.util.List<RelPath> paths) {
        java.util.Map<String, java.util.ArrayDeque<Integer>> byFolder = new java.util.LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i).toString();
            byFolder.computeIfAbsent(net.saharasync.merkle.Paths.parent(path), k -> new java.util.ArrayDeque<>()).add(i);
        }
        java.util.List<Integer> out = new java.util.ArrayList<>(paths.size());
        while (out.size() < paths.size()) {
            for (java.util.ArrayDeque<Integer> q : byFolder.values()) {
                if (!q.isEmpty()) out.add(q.poll());
            }
        }
        return out;
    }



    /** What became of one file of a {@link #writeFiles} batch. */
    sealed interface WriteResult {}

    /** Written: the file's new stat. */
    record Written(FileStat stat) implements WriteResult {}

    /** The path changed since the caller looked: nothing was written there. */
    record Changed() implements WriteResult {}

    /** The file system refuses to write there (a read-only or immutable folder or file, no permission): why. */
    record Refused(String why) implements WriteResult {}

    /**
     * Why {@code e} is the file system refusing a write at one path (so that path is skipped
     * and the rest goes on), or empty for any other failure.
     */
    static Optional<String> refusal(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return Optional.of("permission denied");
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            String r = fse.getReason();
            if (r.contains("Read-only file system")) return Optional.of("read-only file system");
            if (r.contains("Operation not permitted")) return Optional.of("not permitted (an immutable or append-only file or folder?)");
            if (r.contains("Permission denied")) return Optional.of("permission denied");
        }
        // The disk filled up meanwhile (the apply checks the space before it downloads a file;
        // another writer may have taken it since): this file waits, its temp file is gone.
        if (String.valueOf(e.getMessage()).contains("No space left on device")) return Optional.of("not enough space (the disk filled up while writing)");
        return Optional.empty();
    }

    /**
     * Writes many files, each as {@link #writeFile} would (temp file, durable, checked against
     * {@code expected}, renamed over the path, old version kept in the trash), but may share the
     * durability work between them: every file of the batch is durable when this returns. The
     * answer lists, in order, what became of each file; a file the file system refuses does not
     * stop the others.
     */
    default List<WriteResult> writeFiles(List<FileWrite> writes) throws IOException {
        List<WriteResult> out = new java.util.ArrayList<>();
        for (FileWrite w : writes) {
            try {
                out.add(new Written(writeFile(w.path(), w.content(), w.mtimeNanos(), w.executable(), w.ownerOnly(), w.expected())));
            } catch (ChangedMeanwhile changed) {
                out.add(new Changed());
            } catch (IOException e) {
                Optional<String> why = refusal(e);
                if (why.isEmpty()) throw e;
                out.add(new Refused(why.get()));
            }
        }
        return out;
    }

    /**
     * Sets a file's exec bit, owner-only-ness and modification time in place, if it is still what the caller
     * saw ({@link ChangedMeanwhile} otherwise), durably; its new stat. Empty where this file
     * system cannot: the caller writes the file anew instead.
     */
    default Optional<FileStat> setMetadata(RelPath p, boolean executable, boolean ownerOnly, long mtimeNanos, FileStat expected) throws IOException {
        return Optional.empty();
    }

    /** Creates (or atomically replaces) a symlink; the target is stored as is, never resolved. */
    FileStat writeSymlink(RelPath p, String target, Optional<FileStat> expected) throws IOException;

    /**
     * Moves a file, symlink or directory to a path where nothing is, if the source still matches
     * {@code expected}; never replaces anything at the destination.
     */
    void rename(RelPath from, RelPath to, FileStat expected) throws IOException;

    /** Creates a directory and any missing parents (never through a symlink). */
    void mkdirs(RelPath dir) throws IOException;

    /** Moves a file or symlink to the trash if it still matches {@code expected}. */
    void trash(RelPath p, FileStat expected) throws IOException;

    /**
     * Whether {@code name} is one of this client's own temp files (a crashed write's leftover).
     * Only such names are skipped by a scan and deleted by {@link #deleteTemp}: any other name,
     * however it looks, is the user's.
     */
    boolean isOwnTemp(String name);

    /** Deletes a temp file a crashed write left behind (only names with the temp prefix; nothing else is ever deleted outright). */
    void deleteTemp(RelPath p) throws IOException;

    /** Removes a directory if it is empty; returns whether it is gone. */
    boolean removeEmptyDirectory(RelPath dir) throws IOException;

    /** Writes the bytes of a file. */
    @FunctionalInterface
    interface Content {
        void writeTo(FileSink out) throws IOException;
    }

    /**
     * Where a new file's bytes go: written like any stream, or copied from a range of another
     * file of the folder without passing through the program (copy_file_range; a reflink where
     * the file system shares extents, e.g. btrfs or XFS).
     */
    abstract class FileSink extends OutputStream {
        /**
         * Appends {@code length} bytes at {@code offset} of {@code source}, if its stat is
         * still {@code expected}; returns false, having written nothing, if it is not. A source
         * that changes while it is copied fails the write with an IOException (never
         * {@link ChangedMeanwhile}, which would mark the file being written as the one changed).
         */
        public abstract boolean copyRange(RelPath source, FileStat expected, long offset, long length) throws IOException;
    }

    /** The path changed since the caller looked at it: nothing was written. */
    final class ChangedMeanwhile extends IOException {
        public ChangedMeanwhile(RelPath p) {
            super(p + " changed while syncing; left as it is");
        }
    }
}
