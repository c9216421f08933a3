package net.saharasync.clientd.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Linux's {@code syncfs(2)}: one call writes out and makes durable everything written to the
 * file system that holds a folder (data, inodes, directory entries; ext4 and XFS commit their
 * journal and flush the device cache). Many small files become durable for the price of one
 * journal commit instead of one per file: that is how a batch of downloaded files is written
 * (see {@link LocalFs#writeFiles}). Called through jnr-ffi, which lmdbjava already brings; where
 * the call is missing (not Linux), {@link #forFolder} is empty and callers fsync file by file.
 */
final class FileSystemBarrier {
    private final Path folder;

    private FileSystemBarrier(Path folder) {
        this.folder = folder;
    }

    /** A barrier for the file system holding {@code folder}, if this platform may have syncfs (see {@link #available}). */
    static Optional<FileSystemBarrier> forFolder(Path folder) {
        return Libc.linux() ? Optional.of(new FileSystemBarrier(folder)) : Optional.empty();
    }

    /** Whether syncfs could be bound (the first call binds it). */
    boolean available() {
        return Libc.calls().isPresent();
    }

    /** Returns once everything written so far to the folder's file system is durable. */
    void sync() throws IOException {
        Libc.Calls c = Libc.calls().orElseThrow(() -> new IOException("syncfs(2) is not available here"));
        int fd = c.open(folder.toString(), Libc.O_RDONLY);
        if (fd < 0) throw new IOException("cannot open " + folder + " to sync it: errno " + Libc.errno(c));
        try {
            if (c.syncfs(fd) != 0) throw new IOException("syncfs of " + folder + " failed: errno " + Libc.errno(c));
        } finally {
            c.close(fd);
        }
    }
}
