package net.saharasync.hostd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A small tmpfs mounted for a full-disk test (needs root; empty where it cannot be mounted). Unmounted on close. */
public final class SmallDisk implements AutoCloseable {
    private final Path at;

    private SmallDisk(Path at) {
        this.at = at;
    }

    /** Mounts a tmpfs of {@code size} (as mount takes it: "16m") at a new folder {@code at}. */
    public static Optional<SmallDisk> mount(Path at, String size) throws Exception {
        Files.createDirectory(at);
        return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString()) == 0 ? Optional.of(new SmallDisk(at)) : Optional.empty();
    }

    public Path path() {
        return at;
    }

    /** Grows (or shrinks) it in place; whether that worked. */
    public boolean resize(String size) throws Exception {
        return run("mount", "-o", "remount,size=" + size, at.toString()) == 0;
    }

    @Override
    public void close() throws Exception {
        run("umount", "-l", at.toString());
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
