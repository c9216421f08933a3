package net.saharasync.clientd.fs;

import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Linux libc calls the JDK has no direct equivalent for, bound through jnr-ffi (which
 * lmdbjava already brings): {@code syncfs(2)}, a path-based {@code utimensat(2)} and
 * {@code sync_file_range(2)} to start write-back early. Empty
 * where they cannot be bound (not Linux); callers then fall back to the JDK.
 */
final class Libc {
    private static final Logger LOG = LoggerFactory.getLogger(Libc.class);
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    /** {@code sync_file_range} flag: start write-back of the range's dirty pages, do not wait. */
    static final int SYNC_FILE_RANGE_WRITE = 2;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int ENOENT = 2;
    static final int EEXIST = 17;

    /** {@code O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC} (read-only) for this architecture; empty where unknown. */
    static java.util.OptionalInt openDirectoryNoFollow() {
        if (!linux()) return java.util.OptionalInt.empty();
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> java.util.OptionalInt.of(0x10000 | 0x20000 | 0x80000);
            case "aarch64" -> java.util.OptionalInt.of(0x4000 | 0x8000 | 0x80000);
            default -> java.util.OptionalInt.empty();
        };
    }

    /** {@code tv_nsec} value meaning "the current time". */
    static final long UTIME_NOW = (1L << 30) - 1;

    /** The libc functions used. */
    public interface Calls {
        int open(String path, int flags);

        int syncfs(int fd);

        int close(int fd);

        int sync_file_range(int fd, long offset, long nbytes, int flags);

        /** {@code times}: access then modification time, each {@code tv_sec, tv_nsec} (struct timespec[2] on 64-bit Linux). */
        int utimensat(int dirfd, String path, @In long[] times, int flags);

        int openat(int dirfd, String path, int flags, int mode);

        int mkdirat(int dirfd, String path, int mode);

        int renameat(int olddirfd, String oldpath, int newdirfd, String newpath);

        int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

        int fsync(int fd);

        /** The link's target as the bytes the file system holds (the JDK decodes them, replacing what is not UTF-8). */
        long readlink(String path, @Out byte[] buf, long bufsiz);
    }

    private Libc() {}

    /** Bound on first use: binding libc costs start-up time a `sync --once` that writes nothing should not pay. */
    private static final class Holder {
        static final Optional<Calls> CALLS = load();
    }

    static Optional<Calls> calls() {
        return Holder.CALLS;
    }

    static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    /** Whether {@code struct timespec} is two longs here (64-bit Linux), as {@link Calls#utimensat} passes it. */
    static boolean timespecIsTwoLongs() {
        return linux() && System.getProperty("os.arch", "").matches("amd64|x86_64|aarch64");
    }

    private static Optional<Calls> load() {
        if (!linux()) return Optional.empty();
        try {
            return Optional.of(LibraryLoader.create(Calls.class).load("c"));
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("libc calls are not available ({}); using the JDK's slower equivalents", e.toString());
            return Optional.empty();
        }
    }

    static int errno(Calls c) {
        return jnr.ffi.Runtime.getRuntime(c).getLastError();
    }
}
