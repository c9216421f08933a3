package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content this machine held once (its index still names the file it was in, which is gone)
 * arrives in many new files: it is downloaded once, not once per file (50 identical files
 * cost 15 MB instead of 0.3 MB before).
 */
class StaleChunkTest {
    @TempDir
    Path tmp;

    @Test
    void contentWhoseLocalCopyIsGoneIsFetchedOnceForManyFiles() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            byte[] data = new byte[300 << 10];
            new Random(3).nextBytes(data);
            Files.write(m.a.resolve("orig.bin"), data);
            m.settle();
            Files.delete(m.b.resolve("orig.bin")); // B's index keeps where its chunks were
            m.settle();
            for (int i = 0; i < 50; i++) Files.write(m.a.resolve("copy-" + i + ".bin"), data);
            m.ea.cycle();
            long received0 = m.eb.host().bytesReceived();
            assertThat(m.eb.cycle().agreed()).isTrue();
            long received = m.eb.host().bytesReceived() - received0;
            for (int i = 0; i < 50; i++) assertThat(Files.readAllBytes(m.b.resolve("copy-" + i + ".bin"))).isEqualTo(data);
            // Once, give or take the few files written at the same moment (4 at a time) and the trees.
            assertThat(received).as("bytes received for 50 copies of 300 KiB").isLessThan(5L * data.length);
        }
    }
}
