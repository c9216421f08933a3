package net.saharasync.clientd;

import static net.saharasync.clientd.RealToolsTest.available;
import static net.saharasync.clientd.RealToolsTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everyday tools on machine A with both daemons running: each cycle looks only where the
 * watcher reported changes (git's temp files and renames, new and removed folders, moved
 * trees), and B still ends up identical after every step.
 */
class DaemonToolsTest {
    @TempDir
    Path tmp;
    TwoMachines m;
    Daemon da;
    Daemon db;
    final List<CycleReport> aCycles = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        m = new TwoMachines(tmp);
        da = new Daemon(m.ea, Daemon.Timing.DEFAULT, aCycles::add).start();
        db = new Daemon(m.eb, Daemon.Timing.DEFAULT, r -> {}).start();
    }

    @AfterEach
    void stop() {
        da.close();
        db.close();
        m.close();
    }

    /** Waits until B's folder is A's (and stays so for a moment: no cycle is still on its way). */
    void awaitSame(String step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int stable = 0;
        while (stable < 3) {
            if (System.nanoTime() > deadline) {
                m.assertSame();
                throw new AssertionError("A and B kept changing after " + step);
            }
            Thread.sleep(200);
            try {
                stable = TwoMachines.snapshot(m.a).equals(TwoMachines.snapshot(m.b)) ? stable + 1 : 0;
            } catch (java.io.IOException | java.io.UncheckedIOException changingWhileRead) {
                stable = 0;
            }
        }
    }

    static void write(Path p, String content) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void gitBranchesCopiesMovesAndDeletesArriveWhole() throws Exception {
        assumeTrue(available("git"), "git is not installed");
        // Folders enough that a scan of everything would show in the counts below.
        for (int d = 0; d < 30; d++) write(m.a.resolve("other/d" + d + "/keep.txt"), "keep " + d);
        Path repo = m.a.resolve("repo");
        Files.createDirectories(repo);
        run(repo, "git", "init", "-q", "-b", "main");
        run(repo, "git", "config", "user.email", "t@example.org");
        run(repo, "git", "config", "user.name", "T");
        for (int i = 0; i < 20; i++) write(repo.resolve("src/pkg" + (i % 4) + "/F" + i + ".java"), "class F" + i + " {}\n");
        write(repo.resolve("README"), "main\n");
        run(repo, "git", "add", ".");
        run(repo, "git", "commit", "-q", "-m", "main");
        awaitSame("git commit on main");

        run(repo, "git", "checkout", "-q", "-b", "feature");
        run(repo, "git", "mv", "src/pkg1", "src/moved");
        run(repo, "git", "rm", "-q", "-r", "src/pkg2");
        write(repo.resolve("src/pkg0/F0.java"), "class F0 { int x; }\n");
        write(repo.resolve("docs/new/deep/guide.md"), "# guide\n");
        run(repo, "git", "add", "-A");
        run(repo, "git", "commit", "-q", "-m", "feature");
        awaitSame("git commit on feature");

        run(repo, "git", "checkout", "-q", "main");
        awaitSame("git checkout main");
        assertThat(m.b.resolve("repo/src/pkg2/F2.java")).hasContent("class F2 {}");
        assertThat(m.b.resolve("repo/docs")).doesNotExist();

        run(repo, "git", "checkout", "-q", "feature");
        awaitSame("git checkout feature");
        assertThat(m.b.resolve("repo/src/moved/F1.java")).exists();
        assertThat(m.b.resolve("repo/docs/new/deep/guide.md")).hasContent("# guide");
        run(m.b.resolve("repo"), "git", "status", "--porcelain");

        run(m.a, "cp", "-r", "repo/src", "copy-of-src");
        awaitSame("cp -r");
        run(m.a, "mv", "copy-of-src", "other/d3/nested-copy");
        awaitSame("mv of a folder into another");
        run(m.a, "rm", "-r", "other/d5");
        awaitSame("rm -r");
        run(m.a, "sed", "-i", "s/keep/kept/", "other/d7/keep.txt");
        awaitSame("sed -i");
        assertThat(m.b.resolve("other/d7/keep.txt")).hasContent("kept 7");
        assertThat(m.b.resolve("other/d3/nested-copy/moved/F1.java")).exists();

        // After the first cycles, A looked only where things changed, not at all 30+ folders each time.
        int folders = (int) java.util.stream.Stream.of(m.a.resolve("other").toFile().listFiles()).count() + 40;
        long narrow = aCycles.stream().skip(1).filter(r -> r.foldersListed() < folders / 2).count();
        assertThat(narrow).as("cycles of A that listed under half the folders, of %d", aCycles.size()).isGreaterThan(aCycles.size() / 2);
    }
}
