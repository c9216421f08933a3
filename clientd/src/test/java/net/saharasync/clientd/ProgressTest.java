package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress moves inside a big file, in the scan and in the download, not in one step at its end. */
class ProgressTest {
    @TempDir
    Path tmp;

    /** Each phase's advances: bytes and files, in order. */
    static final class Recorder implements Progress {
        final List<String> phases = new ArrayList<>();
        final List<List<long[]>> steps = new ArrayList<>();

        @Override
        public synchronized void start(String phase, long total) {
            phases.add(phase);
            steps.add(new ArrayList<>());
        }

        @Override
        public synchronized void advance(long bytes, int files) {
            steps.getLast().add(new long[] {bytes, files});
        }

        @Override
        public void finish() {}

        /** Advances with bytes before the phase's first finished file. */
        synchronized int stepsBeforeFirstFile(String phase) {
            List<long[]> s = steps.get(phases.indexOf(phase));
            int n = 0;
            for (long[] x : s) {
                if (x[1] > 0) break;
                if (x[0] > 0) n++;
            }
            return n;
        }

        synchronized long bytes(String phase) {
            long n = 0;
            for (long[] x : steps.get(phases.indexOf(phase))) n += x[0];
            return n;
        }
    }

    @Test
    void aBigFileMovesTheBarChunkByChunkInTheScanAndTheDownload() throws Exception {
        byte[] big = new byte[24 << 20];
        new SplittableRandom(3).nextBytes(big);
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.write(m.a.resolve("big.bin"), big);
            Recorder a = new Recorder();
            m.ea.progress(a);
            m.ea.cycle();
            assertThat(a.stepsBeforeFirstFile("scan")).as("scan steps inside the file").isGreaterThan(4);
            assertThat(a.bytes("scan")).isEqualTo(big.length);

            Recorder b = new Recorder();
            m.eb.progress(b);
            m.eb.cycle();
            assertThat(b.stepsBeforeFirstFile("download")).as("download steps inside the file").isGreaterThan(4);
            assertThat(b.bytes("download")).isEqualTo(big.length);
            assertThat(Files.readAllBytes(m.b.resolve("big.bin"))).isEqualTo(big);
        }
    }
}
