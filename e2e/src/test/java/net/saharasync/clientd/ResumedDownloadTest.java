package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.saharasync.protocol.http.HttpHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A big download cut off midway (the host went away, a stop, a crash) resumes from the chunks
 * already written: the next cycle takes them from the partial temp file, checks each against
 * its hash, and fetches only the rest; the temp file is gone once it is done.
 */
class ResumedDownloadTest {
    @TempDir
    Path tmp;

    private static long tempFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.toString().contains("/.sahara/") && p.getFileName().toString().startsWith(".sahara-tmp")).count();
        }
    }

    @Test
    void aBigDownloadCutOffHalfwayFetchesOnlyTheRestNextTime() throws Exception {
        byte[] big = new byte[40 << 20];
        new SplittableRandom(11).nextBytes(big);
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.write(m.a.resolve("video.mp4"), big);
            m.ea.cycle();
            m.eb.close();
            ClientConfig cb = ClientConfig.load(m.b);
            // About half of its ~640 chunks arrive, then the host goes away.
            try (SyncEngine broken = new SyncEngine(m.b, cb, HttpHostTest.breakingDownloads(new HttpHost(cb.host(), cb.token(), Optional.empty()), 320))) {
                assertThatThrownBy(broken::cycle).hasMessageContaining("the host went away");
            }
            assertThat(m.b.resolve("video.mp4")).doesNotExist();
            assertThat(tempFiles(m.b)).as("the partial download is kept").isEqualTo(1);

            m.eb = SyncEngine.open(m.b);
            CycleReport r = m.eb.cycle();
            assertThat(r.agreed()).isTrue();
            assertThat(Files.readAllBytes(m.b.resolve("video.mp4"))).isEqualTo(big);
            assertThat(r.bytesReceived()).as("only what had not arrived").isLessThan(big.length * 7L / 10);
            assertThat(tempFiles(m.b)).isZero();
        }
    }
}
