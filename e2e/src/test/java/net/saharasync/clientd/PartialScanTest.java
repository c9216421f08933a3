package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cycles given the paths a watcher reported (real folders, a real host): only the folders
 * holding them are listed, and the outcome is the same as a full scan's.
 */
class PartialScanTest {
    static final int FOLDERS = 10;
    static final int FILES = 5;

    @TempDir
    Path tmp;
    TwoMachines m;

    @BeforeEach
    void start() throws IOException {
        m = new TwoMachines(tmp);
        for (int d = 0; d < FOLDERS; d++) {
            for (int f = 0; f < FILES; f++) write(m.a, "d" + d + "/f" + f, "file " + d + "/" + f);
        }
        m.settle();
        // The engine keeps the tree of its last agreed cycle: settle ended with A agreeing.
        assertThat(m.ea.cycle(Optional.empty()).agreed()).isTrue();
    }

    @AfterEach
    void stop() {
        m.close();
    }

    static void write(Path root, String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    @Test
    void aReportedEditListsOnlyItsFolderAndArrives() throws IOException {
        write(m.a, "d3/f1", "edited");
        CycleReport r = m.ea.cycle(Optional.of(Set.of("d3/f1")));
        assertThat(r.agreed()).isTrue();
        assertThat(r.filesUp()).isEqualTo(1);
        assertThat(r.foldersListed()).isEqualTo(1);
        m.eb.cycle();
        assertThat(Files.readString(m.b.resolve("d3/f1"))).isEqualTo("edited");
        // Nothing reported, nothing listed.
        CycleReport idle = m.ea.cycle(Optional.of(Set.of()));
        assertThat(idle.agreed()).isTrue();
        assertThat(idle.foldersListed()).isZero();
    }

    @Test
    void aFullScanListsEveryFolder() throws IOException {
        assertThat(m.ea.cycle(Optional.empty()).foldersListed()).isEqualTo(FOLDERS + 1);
    }

    @Test
    void aDeletedFolderLeavesTheFolderTheIndexAndTheOtherMachine() throws IOException {
        deleteTree(m.a.resolve("d2"));
        CycleReport r = m.ea.cycle(Optional.of(Set.of("d2", "d2/f0", "d2/f1", "d2/f2", "d2/f3", "d2/f4")));
        assertThat(r.agreed()).isTrue();
        assertThat(r.foldersListed()).isEqualTo(1); // the root
        assertThat(m.ea.index().pathsUnder("d2")).isEmpty();
        m.eb.cycle();
        assertThat(m.b.resolve("d2")).doesNotExist();
        assertThat(m.b.resolve("d3/f0")).hasContent("file 3/0");
    }

    @Test
    void aNewFolderReportedByItsNameIsScannedWhole() throws IOException {
        write(m.a, "new/deep/er/x.txt", "x");
        write(m.a, "new/y.txt", "y");
        CycleReport r = m.ea.cycle(Optional.of(Set.of("new")));
        assertThat(r.agreed()).isTrue();
        assertThat(r.filesUp()).isEqualTo(2);
        m.eb.cycle();
        assertThat(m.b.resolve("new/deep/er/x.txt")).hasContent("x");
        assertThat(m.b.resolve("new/y.txt")).hasContent("y");
    }

    @Test
    void aReportThatDoesNotMatchTheFolderFallsBackToAFullScan() throws IOException {
        // The folder's own event was lost: only a file inside it is reported.
        deleteTree(m.a.resolve("d4"));
        write(m.a, "d7/new.txt", "unreported");
        CycleReport r = m.ea.cycle(Optional.of(Set.of("d4/f0")));
        assertThat(r.agreed()).isTrue();
        assertThat(r.foldersListed()).isGreaterThanOrEqualTo(FOLDERS);
        m.eb.cycle();
        assertThat(m.b.resolve("d4")).doesNotExist();
        assertThat(m.b.resolve("d7/new.txt")).hasContent("unreported");
    }

    @Test
    void aRemoteEditIsAppliedAfterListingOnlyItsFolder() throws IOException {
        write(m.b, "d5/f0", "from B");
        m.eb.cycle();
        CycleReport r = m.ea.cycle(Optional.of(Set.of()));
        assertThat(r.agreed()).isTrue();
        assertThat(r.filesDown()).isEqualTo(1);
        assertThat(r.foldersListed()).isEqualTo(1);
        assertThat(m.a.resolve("d5/f0")).hasContent("from B");
    }

    @Test
    void aRemoteFolderRemovalAndMoveListTheFoldersTheyTouch() throws IOException {
        write(m.b, "d1/sub/deeper/x.txt", "x");
        m.eb.cycle();
        m.ea.cycle(Optional.of(Set.of()));
        assertThat(m.a.resolve("d1/sub/deeper/x.txt")).hasContent("x");
        deleteTree(m.b.resolve("d2"));
        Files.move(m.b.resolve("d1"), m.b.resolve("d9/moved"));
        m.eb.cycle();
        CycleReport r = m.ea.cycle(Optional.of(Set.of()));
        assertThat(r.agreed()).isTrue();
        assertThat(r.foldersListed()).isLessThan(FOLDERS);
        assertThat(m.a.resolve("d2")).doesNotExist();
        assertThat(m.a.resolve("d1")).doesNotExist();
        assertThat(m.a.resolve("d9/moved/sub/deeper/x.txt")).hasContent("x");
        assertThat(m.a.resolve("d9/moved/f3")).hasContent("file 1/3");
        assertThat(TwoMachines.snapshot(m.a)).isEqualTo(TwoMachines.snapshot(m.b));
    }

    @Test
    void aLocalEditTheWatcherHasNotReportedYetIsNotOverwrittenByARemoteOne() throws IOException {
        write(m.b, "d5/f0", "from B");
        m.eb.cycle();
        // A's save of the same file, its event still on the way: the folder is listed for the
        // remote change, so the save is seen and both versions are kept.
        write(m.a, "d5/f0", "from A, not reported yet");
        CycleReport r = m.ea.cycle(Optional.of(Set.of()));
        assertThat(r.conflicts()).isEqualTo(1);
        try (Stream<Path> s = Files.list(m.a.resolve("d5"))) {
            assertThat(s.map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList()).contains("from B", "from A, not reported yet");
        }
    }

    @Test
    void aChangedIgnoreFileScansEverything() throws IOException {
        write(m.a, ".saharaignore", "*.log\n");
        CycleReport r = m.ea.cycle(Optional.of(Set.of(".saharaignore")));
        assertThat(r.foldersListed()).isEqualTo(FOLDERS + 1);
    }

    @Test
    void aRestartedEngineScansEverythingFirst() throws IOException {
        m.ea.close();
        // A fresh engine (a restarted daemon) knows no agreed tree yet.
        m.ea = SyncEngine.open(m.a);
        assertThat(m.ea.cycle(Optional.of(Set.of("d1/f1"))).foldersListed()).isEqualTo(FOLDERS + 1);
        assertThat(m.ea.cycle(Optional.of(Set.of("d1/f1"))).foldersListed()).isEqualTo(1);
    }
}
