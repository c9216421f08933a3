package net.saharasync.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

/**
 * Where lmdbjava unpacks its native library. It writes a fresh copy at every start and deletes
 * it at a clean exit, so every killed process (kill -9, a crash, a power cut) used to leave
 * ~100 KB behind in /tmp. The copies now go to {@code ~/.sahara/native/} (owner-only), and
 * copies there older than an hour are removed at start: a running process keeps its own
 * mapped even once its file is gone, and an hour is far longer than a start takes.
 */
final class NativeLibraries {
    static final String PROPERTY = "lmdbjava.extract.dir";
    private static final Duration STALE = Duration.ofHours(1);

    private NativeLibraries() {}

    /**
     * Sets the extraction folder (unless the user set one) and cleans stale copies; never fails
     * the command. Like every default of the CLI it follows {@code $HOME} (see ARCHITECTURE.md).
     */
    static void prepare() {
        if (System.getProperty(PROPERTY) != null) return;
        String home = System.getenv("HOME") != null && !System.getenv("HOME").isEmpty() ? System.getenv("HOME") : System.getProperty("user.home");
        if (home == null || home.isEmpty()) return;
        Path dir = Path.of(home, ".sahara", "native");
        try {
            Files.createDirectories(dir.getParent());
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            removeStale(dir, Instant.now().minus(STALE));
            System.setProperty(PROPERTY, dir.toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // lmdbjava falls back to java.io.tmpdir, as before.
        }
    }

    /**
     * Starts binding LMDB on a background thread, for a command that is about to open a store.
     * lmdbjava's first use unpacks its library and has jnr-ffi generate the binding's classes
     * (~250 ms at every start, none of it kept by the class-data archive); begun here it runs on
     * the second core while the main thread parses the command line and reads the config
     * (`sync --once` over 20,000 unchanged files: see BENCHMARKS.md). Call after {@link #prepare}
     * (the unpacking reads its folder). A failure here is left to the command's own first use
     * of LMDB, which then reports it (the JVM keeps the cause).
     */
    static void preload() {
        Thread t = new Thread(() -> {
            try {
                Class.forName("org.lmdbjava.Library", true, NativeLibraries.class.getClassLoader());
            } catch (Throwable e) {
                // Reported where the command opens its store.
            }
        }, "sahara-preload");
        t.setDaemon(true);
        t.start();
    }

    /** Deletes lmdbjava's copies last modified before {@code cutoff}; returns how many. */
    static int removeStale(Path dir, Instant cutoff) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "lmdbjava-native-library-*")) {
            for (Path p : s) {
                if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) n++;
            }
        }
        return n;
    }
}
