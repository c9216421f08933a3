package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan that keeps only a few chunk locations in memory (the rest go to the index as it goes,
 * as a scan of a huge folder does) still uploads everything, and a changed chunk still goes as
 * a delta against the old one. Real folders, a real host on loopback.
 */
class ScanMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void locationsWrittenToTheIndexDuringTheScanServeTheUploadAndItsDeltas() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp)) {
            m.ea.locationsKept = 4;
            EagerUploadTest.random(m.a, "data/image.bin", 3_000_000, 1);
            for (int i = 0; i < 30; i++) EagerUploadTest.random(m.a, "small/f" + i + ".bin", 5_000 + i, 10 + i);

            // The scan's result holds fewer than 4 of the ~75 locations; the index has the rest.
            net.saharasync.clientd.scan.Scanner.Result scan = m.ea.scan(m.ea.index().objects(), m.ea.index().base());
            assertThat(scan.filesHashed()).isEqualTo(31);
            assertThat(scan.chunkLocations()).hasSizeLessThan(4);
            assertThat(m.ea.index().chunk(java.util.List.copyOf(scan.smallChunks().keySet()).getFirst())).isPresent();

            CycleReport first = m.ea.cycle();

            assertThat(first.agreed()).isTrue();
            assertThat(first.filesUp()).isEqualTo(31);
            m.settle();
            m.assertSame();

            byte[] image = Files.readAllBytes(m.a.resolve("data/image.bin"));
            image[1_500_000] ^= 1;
            OldVersionCopyTest.saveLikeAnEditor(m.a.resolve("data/image.bin"), image);

            CycleReport edit = m.ea.cycle();

            assertThat(edit.agreed()).isTrue();
            // The changed chunk (~64 KiB) went as a delta: the scan kept none of the file's ~45
            // chunk locations in memory, so the upload found them in the index.
            assertThat(edit.bytesSent()).isLessThan(24_000);
            m.settle();
            m.assertSame();
        }
    }
}
