package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two machines renaming one file (or folder) to two names before either sees the other's
 * rename end with one of it, at the name that reached the host first: the content is the
 * same, so keeping both would only be a second copy to clean up by hand. An edit made on one
 * machine while the other moves the folder follows the move.
 */
class ConcurrentRenameTest {
    @TempDir
    Path tmp;

    private static long files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.toString().contains("/.sahara")).filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aFileAndAFolderRenamedOnTwoMachinesAtOnceEndAsOneEach() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("thesis.txt"), "chapter one");
            Files.createDirectories(m.a.resolve("photos"));
            Files.writeString(m.a.resolve("photos/a.jpg"), "jpeg bytes");
            m.settle();

            Files.move(m.a.resolve("thesis.txt"), m.a.resolve("thesis-final.txt"));
            Files.move(m.a.resolve("photos"), m.a.resolve("album"));
            Files.move(m.b.resolve("thesis.txt"), m.b.resolve("thesis (1).txt"));
            Files.move(m.b.resolve("photos"), m.b.resolve("pics"));
            m.ea.cycle(); // A's renames reach the host first
            CycleReport rb = m.eb.cycle();
            assertThat(rb.conflicts()).isZero();
            assertThat(rb.filesUp()).as("B's rename follows A's: nothing new goes up").isZero();
            m.settle();

            for (Path d : new Path[] {m.a, m.b}) {
                assertThat(Files.readString(d.resolve("thesis-final.txt"))).isEqualTo("chapter one");
                assertThat(Files.readString(d.resolve("album/a.jpg"))).isEqualTo("jpeg bytes");
                assertThat(d.resolve("thesis (1).txt")).doesNotExist();
                assertThat(d.resolve("pics")).doesNotExist();
                assertThat(files(d)).isEqualTo(2);
            }
            m.assertSame();
        }
    }

    @Test
    void anEditInsideAFolderTheOtherMachineMovesFollowsTheMove() throws Exception {
        for (boolean moverFirst : new boolean[] {true, false}) {
            try (TwoMachines m = new TwoMachines(tmp.resolve("mover-first-" + moverFirst))) {
                Files.createDirectories(m.a.resolve("docs"));
                Files.writeString(m.a.resolve("docs/report.txt"), "draft");
                Files.writeString(m.a.resolve("docs/other.txt"), "unchanged");
                Files.writeString(m.a.resolve("notes.txt"), "notes");
                m.settle();

                Files.createDirectories(m.a.resolve("archive/2026"));
                Files.move(m.a.resolve("docs"), m.a.resolve("archive/2026/docs"));
                Files.move(m.a.resolve("notes.txt"), m.a.resolve("old-notes.txt"));
                Files.writeString(m.b.resolve("docs/report.txt"), "final version");
                Files.writeString(m.b.resolve("docs/added.txt"), "new on B");
                Files.delete(m.b.resolve("docs/other.txt"));
                Files.writeString(m.b.resolve("notes.txt"), "notes, edited");
                CycleReport second;
                if (moverFirst) {
                    m.ea.cycle();
                    second = m.eb.cycle();
                } else {
                    m.eb.cycle();
                    second = m.ea.cycle();
                }
                assertThat(second.conflicts()).isZero();
                m.settle();

                for (Path d : new Path[] {m.a, m.b}) {
                    String ctx = "mover first: " + moverFirst + ", " + d;
                    assertThat(Files.readString(d.resolve("archive/2026/docs/report.txt"))).as(ctx).isEqualTo("final version");
                    assertThat(Files.readString(d.resolve("archive/2026/docs/added.txt"))).as(ctx).isEqualTo("new on B");
                    assertThat(Files.readString(d.resolve("old-notes.txt"))).as(ctx).isEqualTo("notes, edited");
                    assertThat(d.resolve("archive/2026/docs/other.txt")).as(ctx).doesNotExist();
                    assertThat(d.resolve("docs")).as(ctx + ": no orphan left at the old path").doesNotExist();
                    assertThat(d.resolve("notes.txt")).as(ctx).doesNotExist();
                    assertThat(files(d)).as(ctx).isEqualTo(3);
                }
                m.assertSame();
            }
        }
    }
}
