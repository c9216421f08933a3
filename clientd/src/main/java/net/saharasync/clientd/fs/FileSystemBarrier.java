package net.saharasync.clientd.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux's {@code syncfs(2)}: one call writes out and makes durable everything written to the
 * file system that holds a folder (data, inodes, directory entries; ext4 and XFS commit their
 * journal and flush the device cache). Many small files become durable for the price of one
 * journal commit instead of one per file: that is how a batch of downloaded files is written
 * (see {@link LocalFs#writeFiles}). Called through jnr-ffi, which lmdbjava already brings; where
 * the call is missing (not Linux), {@link #forFolder} is empty and callers fsync file by file.
 */
final class FileSystemBarrier {
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemBarrier.class);
    private static final int O_RDONLY = 0;

    /** The libc functions used. */
    public interface LibC {
        int open(String path, int flags);

        int syncfs(int fd);

        int close(int fd);
    }

    /** Loaded on first use: binding libc through jnr-ffi costs start-up time a `sync --once` that writes few files should not pay. */
    private static final class Holder {
        static final Optional<LibC> LIBC = load();
    }

    private final Path folder;

    private FileSystemBarrier(Path folder) {
        this.folder = folder;
    }

    private static Optional<LibC> load() {
        if (!linux()) return Optional.empty();
        try {
            return Optional.of(LibraryLoader.create(LibC.class).load("c"));
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("syncfs(2) is not available ({}); files are fsynced one by one", e.toString());
            return Optional.empty();
        }
    }

    /** A barrier for the file system holding {@code folder}, if this platform may have syncfs (see {@link #available}). */
    static Optional<FileSystemBarrier> forFolder(Path folder) {
        return linux() ? Optional.of(new FileSystemBarrier(folder)) : Optional.empty();
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    /** Whether syncfs could be bound (the first call binds it). */
    boolean available() {
        return Holder.LIBC.isPresent();
    }

    /** Returns once everything written so far to the folder's file system is durable. */
    void sync() throws IOException {
        LibC c = Holder.LIBC.orElseThrow(() -> new IOException("syncfs(2) is not available here"));
        int fd = c.open(folder.toString(), O_RDONLY);
        if (fd < 0) throw new IOException("cannot open " + folder + " to sync it: errno " + errno(c));
        try {
            if (c.syncfs(fd) != 0) throw new IOException("syncfs of " + folder + " failed: errno " + errno(c));
        } finally {
            c.close(fd);
        }
    }

    private static int errno(LibC c) {
        return jnr.ffi.Runtime.getRuntime(c).getLastError();
    }
}
