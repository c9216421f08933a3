package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cycle names what it moved, both ways, deletions and moves included, and counts deletions it sends. */
class ActivityTest {
    @TempDir
    Path tmp;

    @Test
    void eachCycleTellsWhatItSentAndReceived() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("old.txt"), "to be deleted");
            Files.writeString(m.a.resolve("c.txt"), "to be moved");
            m.settle();

            Files.createDirectories(m.a.resolve("docs"));
            Files.writeString(m.a.resolve("docs/a.txt"), "12345");
            Files.delete(m.a.resolve("old.txt"));
            Files.move(m.a.resolve("c.txt"), m.a.resolve("d.txt"));
            CycleReport up = m.ea.cycle();
            assertThat(up.activity()).containsExactlyInAnyOrder("c.txt → d.txt: sent (moved)", "docs/: sent (new, 1 file, 5 B)",
                    "old.txt: sent (deleted)");
            assertThat(up.filesUp()).as("the deletion counts too").isEqualTo(3);

            CycleReport down = m.eb.cycle();
            assertThat(down.activity()).containsExactlyInAnyOrder("c.txt → d.txt: received (moved)", "docs/: received (new, 1 file, 5 B)",
                    "old.txt: received (deleted here, kept in the trash)");
            assertThat(m.eb.cycle().activity()).as("a cycle with nothing to do tells nothing").isEmpty();
        }
    }
}
