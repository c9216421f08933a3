package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sparse file (a VM disk image, a database file) arrives sparse: its holes take no space on the other machine. */
class SparseFileTest {
    @TempDir
    Path tmp;

    /** Bytes the file takes on disk ({@code stat -c %b}: 512-byte blocks). */
    private static long allocated(Path f) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(out) * 512;
    }

    @Test
    void holesStayHoles() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Path a = m.a.resolve("disk.img");
            try (RandomAccessFile f = new RandomAccessFile(a.toFile(), "rw")) {
                f.setLength(64L << 20);
                f.seek(0);
                f.write("boot sector".getBytes());
                f.seek((32L << 20) + 123);
                f.write("some data in the middle".getBytes());
            }
            m.settle();
            Path b = m.b.resolve("disk.img");
            assertThat(Files.size(b)).isEqualTo(64L << 20);
            assertThat(Files.mismatch(a, b)).isEqualTo(-1);
            assertThat(allocated(b)).as("allocated on B").isLessThan(8L << 20);
        }
    }
}
