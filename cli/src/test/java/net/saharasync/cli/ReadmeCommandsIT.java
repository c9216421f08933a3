package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands, run as a newcomer runs them: the real {@code ./sahara} script (the
 * jar this build just packaged), a temp HOME, a free loopback port: {@code up}, the printed
 * {@code join} line, {@code sync --once --stats}, {@code status}, Ctrl-C (SIGTERM), {@code up}
 * again.
 */
class ReadmeCommandsIT {
    @TempDir
    Path home;

    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    record Run(int exit, String out) {}

    Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("sahara").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        return pb.start();
    }

    Run run(String... args) throws Exception {
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRebuiltJarGetsAFreshStartUpArchiveAndNoArchiveErrors() throws Exception {
        Path jar = ROOT.resolve("cli/target/sahara.jar"), jsa = ROOT.resolve("cli/target/sahara-version.jsa");
        assertThat(run("--version").exit()).isZero(); // builds the jar if needed, makes the archive
        // As after a rebuild: the jar is newer than the archive made from its predecessor.
        Thread.sleep(20);
        java.nio.file.attribute.FileTime later = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis());
        Files.setLastModifiedTime(jar, later);
        assertThat(Files.getLastModifiedTime(jsa)).isLessThan(later);
        for (int i = 0; i < 2; i++) {
            Run v = run("--version");
            assertThat(v.exit()).isZero();
            assertThat(v.out().strip()).as("output of run %d", i).matches("sahara \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        }
        assertThat(Files.getLastModifiedTime(jsa)).isGreaterThanOrEqualTo(later);
    }

    @Test
    void upJoinSyncStatusStopAndUpAgain() throws Exception {
        int port = freePort();
        Path sync = home.resolve("Sync"), other = home.resolve("Other");
        Process up = start("up", sync.toString(), "--listen", "127.0.0.1:" + port);
        BufferedReader upOut = new BufferedReader(new InputStreamReader(up.getInputStream()));
        String joinLine = null;
        for (String line = upOut.readLine(); line != null; line = upOut.readLine()) {
            if (line.contains("sahara join ")) {
                joinLine = line.trim();
                break;
            }
        }
        assertThat(joinLine).as("up prints the join line").isNotNull();
        Matcher m = Pattern.compile("\\./sahara join (\\S+) FOLDER --token (\\S+) --volume default").matcher(joinLine);
        assertThat(m.matches()).as(joinLine).isTrue();
        List<String> upLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread drain = Thread.ofVirtual().start(() -> upOut.lines().forEach(upLines::add)); // keep draining up's output

        Files.writeString(sync.resolve("hello.txt"), "hello from up");
        Run join = run("join", m.group(1), other.toString(), "--token", m.group(2), "--volume", "default");
        assertThat(join.exit()).as(join.out()).isZero();
        assertThat(net.saharasync.clientd.ClientConfig.load(other).token()).as("the joined folder keeps a token of its own")
                .startsWith("sst_").isNotEqualTo(m.group(2));

        boolean arrived = false;
        for (int i = 0; i < 20 && !arrived; i++) {
            Run s = run("sync", other.toString(), "--once", "--stats");
            assertThat(s.exit()).as(s.out()).isZero();
            assertThat(s.out()).contains("\"bytesSent\"").contains("\"filesDown\"");
            arrived = Files.exists(other.resolve("hello.txt"));
            // The files that moved are named, in human units.
            if (arrived) assertThat(s.out()).contains("hello.txt: received (new, 13 B)");
            if (!arrived) Thread.sleep(500);
        }
        // --quiet: warnings only, no line per file.
        Files.writeString(sync.resolve("second.txt"), "quietly");
        boolean second = false;
        for (int i = 0; i < 20 && !second; i++) {
            Run s = run("sync", other.toString(), "--once", "--quiet");
            assertThat(s.exit()).as(s.out()).isZero();
            assertThat(s.out()).doesNotContain("received").doesNotContain("INFO");
            second = Files.exists(other.resolve("second.txt"));
            if (!second) Thread.sleep(500);
        }
        assertThat(Files.readString(other.resolve("second.txt"))).isEqualTo("quietly");
        assertThat(Files.readString(other.resolve("hello.txt"))).isEqualTo("hello from up");
        Run status = run("status", other.toString());
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("pending    0 local changes").contains("conflicts  0");

        up.destroy(); // SIGTERM, as Ctrl-C
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
        drain.join(10_000);
        // Its log lines come through SLF4J in one format; Undertow's and XNIO's too (through
        // java.util.logging they would print "INFO: XNIO version ..." on two lines of their own).
        assertThat(upLines).anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO UpCommand - synced: 1 up.*"));
        assertThat(upLines).anyMatch(l -> l.endsWith("INFO UpCommand - hello.txt: sent (new, 13 B)"));
        assertThat(upLines).noneMatch(l -> l.contains("XNIO") || l.startsWith("INFO:") || l.contains("org.xnio"));
        assertThat(Files.exists(home.resolve(".sahara/host/db/data.mdb"))).isTrue();

        Process again = start("up", sync.toString(), "--listen", "127.0.0.1:" + port);
        BufferedReader againOut = new BufferedReader(new InputStreamReader(again.getInputStream()));
        String againJoin = null;
        for (String line = againOut.readLine(); line != null; line = againOut.readLine()) {
            if (line.contains("sahara join ")) {
                againJoin = line.trim();
                break;
            }
        }
        assertThat(againJoin).as("a second up resumes with the same join line").isEqualTo(joinLine);
        again.destroy();
        assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
}
