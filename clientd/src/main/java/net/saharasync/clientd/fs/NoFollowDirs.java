package net.saharasync.clientd.fs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * Folders reached from a root one name at a time without ever following a symlink: each name
 * is opened with {@code openat(O_DIRECTORY | O_NOFOLLOW)} relative to the folder before it (and
 * made with {@code mkdirat} first when asked to), and what happens in the last one happens
 * relative to its descriptor ({@code renameat}, {@code linkat}). A symlink anywhere on the way
 * fails the call; nothing can steer it outside the root, even if a name is swapped for a
 * symlink while it runs. Without libc (not Linux) each name is lstat'ed instead, which checks
 * the same but leaves a window between the check and the use.
 */
final class NoFollowDirs {
    private NoFollowDirs() {}

    /** An open folder: a descriptor where libc is bound, else its checked path. Close it. */
    static final class Dir implements AutoCloseable {
        private final Optional<Libc.Calls> libc;
        private final int fd;
        private final Path path;

        private Dir(Optional<Libc.Calls> libc, int fd, Path path) {
            this.libc = libc;
            this.fd = fd;
            this.path = path;
        }

        /** A path to {@code name} in this folder that goes through the descriptor (/proc/self/fd), not the names above it. */
        Path entry(String name) {
            return fd >= 0 ? Path.of("/proc/self/fd/" + fd, name) : path.resolve(name);
        }

        void fsync() throws IOException {
            if (fd >= 0) {
                if (libc.get().fsync(fd) != 0) throw new IOException("fsync of " + path + " failed (errno " + Libc.errno(libc.get()) + ")");
            } else {
                LocalFs.fsyncDirectory(path);
            }
        }

        @Override
        public void close() {
            if (fd >= 0) libc.get().close(fd);
        }
    }

    /**
     * Opens {@code root/names...}. With {@code create}, missing folders are made (mode 0700);
     * otherwise a missing one fails with {@link java.nio.file.NoSuchFileException}.
     */
    static Dir open(Path root, List<String> names, boolean create) throws IOException {
        Optional<Libc.Calls> libc = Libc.calls();
        java.util.OptionalInt flags = Libc.openDirectoryNoFollow();
        Path at = root;
        if (libc.isEmpty() || flags.isEmpty()) {
            for (String n : names) {
                at = at.resolve(n);
                checkOrMake(at, create);
            }
            return new Dir(Optional.empty(), -1, at);
        }
        Libc.Calls c = libc.get();
        int fd = c.open(root.toString(), flags.getAsInt() & ~noFollow(flags.getAsInt()));
        if (fd < 0) throw failure(c, root, "open");
        try {
            for (String n : names) {
                if (n.isEmpty() || n.equals(".") || n.equals("..") || n.indexOf('/') >= 0) throw new IllegalArgumentException("not a name: " + n);
                at = at.resolve(n);
                if (create && c.mkdirat(fd, n, 0700) != 0 && Libc.errno(c) != Libc.EEXIST) throw failure(c, at, "mkdir");
                int next = c.openat(fd, n, flags.getAsInt(), 0);
                if (next < 0) throw failure(c, at, "open");
                c.close(fd);
                fd = next;
            }
        } catch (IOException | RuntimeException e) {
            c.close(fd);
            throw e;
        }
        return new Dir(libc, fd, at);
    }

    private static int noFollow(int flags) {
        // The root itself is the folder the user chose; it may be reached through a link.
        return System.getProperty("os.arch", "").equals("aarch64") ? 0x8000 : 0x20000;
    }

    private static IOException failure(Libc.Calls c, Path at, String what) {
        int errno = Libc.errno(c);
        if (errno == Libc.ENOENT) return new java.nio.file.NoSuchFileException(at.toString());
        if (errno == 20 || errno == 40) { // ENOTDIR, ELOOP
            return new IOException("refusing " + at + ": not a directory (a symlink is never followed)");
        }
        // The JDK's own exceptions for these, with its wording, so callers tell them apart alike.
        if (errno == 13) return new java.nio.file.AccessDeniedException(at.toString(), null, what + ": Permission denied");
        if (errno == 1) return new java.nio.file.FileSystemException(at.toString(), null, what + ": Operation not permitted");
        if (errno == 30) return new java.nio.file.FileSystemException(at.toString(), null, what + ": Read-only file system");
        return new IOException(what + " of " + at + " failed (errno " + errno + ")");
    }

    private static void checkOrMake(Path at, boolean create) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(at, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException absent) {
            if (!create) throw absent;
            try {
                Files.createDirectory(at);
            } catch (FileAlreadyExistsException raced) {
                // checked again below
            }
            a = Files.readAttributes(at, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        if (!a.isDirectory()) throw new IOException("refusing " + at + ": not a directory (a symlink is never followed)");
    }

    /** Moves {@code from/a} to {@code to/b} (rename(2): replaces a file at b). */
    static void rename(Dir from, String a, Dir to, String b) throws IOException {
        if (from.fd >= 0 && to.fd >= 0) {
            Libc.Calls c = from.libc.get();
            if (c.renameat(from.fd, a, to.fd, b) != 0) throw failure(c, to.path.resolve(b), "rename of " + from.path.resolve(a) + " to");
            return;
        }
        Files.move(from.entry(a), to.entry(b), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Makes {@code to/b} a hard link of {@code from/a} (a symlink is linked as itself, never
     * followed); where the file system has no hard links, a copy.
     */
    static void linkOrCopy(Dir from, String a, Dir to, String b) throws IOException {
        if (from.fd >= 0 && to.fd >= 0) {
            Libc.Calls c = from.libc.get();
            if (c.linkat(from.fd, a, to.fd, b, 0) == 0) return;
            int errno = Libc.errno(c);
            if (errno != 1 && errno != 18 && errno != 95) throw failure(c, to.path.resolve(b), "link of " + from.path.resolve(a) + " to");
        } else {
            try {
                Files.createLink(to.entry(b), from.entry(a));
                return;
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
                // copied below
            }
        }
        Files.copy(from.entry(a), to.entry(b), LinkOption.NOFOLLOW_LINKS, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    }
}
