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
        final List<Long> totals = new ArrayList<>();
        final List<Long> doneBefore = new ArrayList<>();

        @Override
        public synchronized void start(String phase, long total) {
            start(phase, total, 0);
        }

        @Override
        public synchronized void start(String phase, long total, long before) {
            phases.add(phase);
            steps.add(new ArrayList<>());
            totals.add(total);
            doneBefore.add(before);
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

    /**
     * The upload bar covers the whole new content: what went up while the scan still read is
     * counted as done before the phase began (the bar starts there), the rest moves it.
     */
    @Test
    void theUploadBarCountsWhatWentUpDuringTheScan() throws Exception {
        byte[] big = new byte[8 << 20];
        new SplittableRandom(5).nextBytes(big);
        try (TwoMachines m = new TwoMachines(tmp)) {
            m.ea.eagerOnScanThread = true; // what the scan finds goes up as it is found, a MiB at a time
            m.ea.eagerLimits = new net.saharasync.clientd.remote.EagerUpload.Limits(1 << 20, 32 << 20);
            Files.write(m.a.resolve("big.bin"), big);
            Recorder a = new Recorder();
            m.ea.progress(a);
            m.ea.cycle();
            int upload = a.phases.indexOf("upload");
            assertThat(upload).as("phases %s", a.phases).isGreaterThan(a.phases.indexOf("scan"));
            long before = a.doneBefore.get(upload);
            assertThat(before).as("sent during the scan").isGreaterThan(big.length / 2);
            assertThat(before + a.bytes("upload")).as("the whole new content, once").isBetween((long) big.length, big.length + (64L << 10));
        }
    }
}
