package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everyday tools on machine A (sed -i, git, cp -r, mv, rm -r); machine B ends up identical. */
class RealToolsTest {
    @TempDir
    Path tmp;
    TwoMachines m;

    @BeforeEach
    void start() throws Exception {
        m = new TwoMachines(tmp);
    }

    @AfterEach
    void stop() {
        m.close();
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    static boolean available(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void sedInPlaceEditArrives() throws Exception {
        Files.writeString(m.a.resolve("config.ini"), "colour = blue\nsize = 3\n");
        m.settle();
        run(m.a, "sed", "-i", "s/blue/green/", "config.ini");
        m.settle();
        assertThat(Files.readString(m.b.resolve("config.ini"))).isEqualTo("colour = green\nsize = 3\n");
        m.assertSame();
    }

    @Test
    void gitCheckoutOfAnotherBranchArrivesWhole() throws Exception {
        assumeTrue(available("git"), "git is not installed");
        Path repo = m.a.resolve("repo");
        Files.createDirectories(repo);
        run(repo, "git", "init", "-q", "-b", "main");
        run(repo, "git", "config", "user.email", "t@example.org");
        run(repo, "git", "config", "user.name", "T");
        Files.writeString(repo.resolve("a.txt"), "main a\n");
        Files.writeString(repo.resolve("common.txt"), "common\n");
        run(repo, "git", "add", ".");
        run(repo, "git", "commit", "-q", "-m", "main");
        run(repo, "git", "checkout", "-q", "-b", "feature");
        Files.delete(repo.resolve("a.txt"));
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("src/b.txt"), "feature b\n");
        run(repo, "git", "add", "-A");
        run(repo, "git", "commit", "-q", "-m", "feature");
        run(repo, "git", "checkout", "-q", "main");
        m.settle();
        m.assertSame();
        run(repo, "git", "checkout", "-q", "feature");
        m.settle();
        m.assertSame();
        assertThat(Files.readString(m.b.resolve("repo/src/b.txt"))).isEqualTo("feature b\n");
        assertThat(Files.exists(m.b.resolve("repo/a.txt"))).isFalse();
        // The synced copy is a working repository on the same branch.
        run(m.b.resolve("repo"), "git", "status", "--porcelain");
        assertThat(Files.readString(m.b.resolve("repo/.git/HEAD"))).contains("feature");
    }

    @Test
    void aCopiedTreeArrivesAndAMovedFolderOfAThousandFilesSendsNoFileData() throws Exception {
        Path src = m.a.resolve("photos/2024");
        Files.createDirectories(src);
        for (int i = 0; i < 1000; i++) Files.writeString(src.resolve(String.format("img-%04d.txt", i)), "picture " + i + " ".repeat(i % 50));
        m.settle();
        run(m.a, "cp", "-r", "photos", "backup");
        m.settle();
        m.assertSame();

        Files.createDirectories(m.a.resolve("archive"));
        run(m.a, "mv", "photos/2024", "archive/2024");
        long rawBefore = m.host.store().blocks().stats().rawBytes();
        CycleReport up = m.ea.cycle();
        assertThat(up.agreed()).isTrue();
        // Only a few directory nodes and the commit travel: no chunk of any of the 1,000 files.
        assertThat(up.bytesSent()).isLessThan(16 * 1024);
        assertThat(m.host.store().blocks().stats().rawBytes() - rawBefore).isLessThan(4 * 1024);
        CycleReport down = m.eb.cycle();
        assertThat(down.agreed()).isTrue();
        assertThat(down.bytesReceived()).isLessThan(16 * 1024);
        m.assertSame();
        assertThat(Files.readString(m.b.resolve("archive/2024/img-0999.txt"))).startsWith("picture 999");
    }

    @Test
    void aDeletedFolderIsDeletedOnTheOtherMachineAndKeptInItsTrash() throws Exception {
        Files.createDirectories(m.a.resolve("old/deep/er"));
        for (String f : List.of("old/x", "old/deep/y", "old/deep/er/z")) Files.writeString(m.a.resolve(f), f);
        Files.writeString(m.a.resolve("stay.txt"), "stay");
        m.settle();
        run(m.a, "rm", "-r", "old");
        m.settle();
        m.assertSame();
        assertThat(Files.exists(m.b.resolve("old"))).isFalse();
        try (var s = Files.walk(m.b.resolve(".sahara/trash"))) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList()).contains("x", "y", "z");
        }
    }
}
