package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths longer than an LMDB key (511 bytes) sync like any other, up to what Linux takes: a
 * path over ~511 bytes froze the whole folder with LMDB's -30781 (MDB_BAD_VALSIZE).
 */
class LongPathTest {
    @TempDir
    Path tmp;

    @Test
    void aFileAtAPathOfThreeThousandBytesIsSyncedEditedMovedAndDeleted() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            // 12 folders of 240 bytes: 2,892 bytes of path before the file name.
            StringBuilder rel = new StringBuilder();
            for (int i = 0; i < 12; i++) rel.append(Character.toString('a' + i).repeat(240)).append('/');
            String dir = rel.toString();
            String file = dir + "notes-" + "é".repeat(60) + ".txt";
            Files.createDirectories(m.a.resolve(dir));
            Files.writeString(m.a.resolve(file), "deep down");
            Files.writeString(m.a.resolve("top.txt"), "the rest syncs too");
            m.settle();
            m.assertSame();
            assertThat(Files.readString(m.b.resolve(file))).isEqualTo("deep down");

            Files.writeString(m.b.resolve(file), "edited on B");
            m.settle();
            assertThat(Files.readString(m.a.resolve(file))).isEqualTo("edited on B");

            Path moved = m.a.resolve(dir + "moved.txt");
            Files.move(m.a.resolve(file), moved);
            m.settle();
            m.assertSame();
            assertThat(Files.readString(m.b.resolve(dir + "moved.txt"))).isEqualTo("edited on B");
            assertThat(m.b.resolve(file)).doesNotExist();

            Files.delete(moved);
            m.settle();
            assertThat(m.b.resolve(dir + "moved.txt")).doesNotExist();
            m.assertSame();
        }
    }
}
