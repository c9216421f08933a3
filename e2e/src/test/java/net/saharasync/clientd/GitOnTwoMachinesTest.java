package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A git repository used on two machines at once: `git status` on B rewrites B's
 * {@code .git/index} while A stages a file. The newer index (A's) stays where git reads it;
 * B's is a conflict copy inside {@code .git/} that git ignores. Before, the index that reached
 * the host first won, and A's staged file showed as untracked.
 */
class GitOnTwoMachinesTest {
    @TempDir
    Path tmp;

    private static String git(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("git " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    @Test
    void theNewestIndexStaysWhereGitReadsIt() throws Exception {
        assumeTrue(RealToolsTest.available("git"), "git is not installed");
        try (TwoMachines m = new TwoMachines(tmp)) {
            Path a = m.a.resolve("repo"), b = m.b.resolve("repo");
            Files.createDirectories(a);
            git(a, "init", "-q", "-b", "main");
            git(a, "config", "user.email", "t@example.org");
            git(a, "config", "user.name", "T");
            Files.writeString(a.resolve("a.txt"), "one\n");
            git(a, "add", "a.txt");
            git(a, "commit", "-q", "-m", "first");
            m.settle();

            git(b, "update-index", "--refresh"); // what `git status` does: B's index is rewritten (new inodes, times)
            Thread.sleep(1_100);
            Files.writeString(a.resolve("b.txt"), "two\n");
            git(a, "add", "b.txt"); // A's index: newer
            m.eb.cycle(); // B's index reaches the host first
            m.settle();

            for (Path repo : new Path[] {a, b}) {
                assertThat(git(repo, "status", "--porcelain")).as(repo.toString()).contains("A  b.txt").doesNotContain("?? b.txt");
                try (Stream<Path> s = Files.list(repo.resolve(".git"))) {
                    assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("index (conflict "));
                }
            }
        }
    }
}
