package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unreadable file or folder (chmod 000) is skipped and reported, everything else syncs,
 * and what the volume had there stays (another machine does not delete it because this one
 * cannot read it). Today's root user reads anything, so the cycle runs in a process of its
 * own without the capabilities that let root ignore permissions (setpriv), on the real file
 * system. Before, one unreadable file failed the whole folder with "secret.txt".
 */
class UnreadableTest {
    @TempDir
    Path tmp;

    private static List<String> cycleWithoutPrivileges(Path folder) throws Exception {
        List<String> cmd = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) cmd.addAll(List.of("setpriv", "--bounding-set", "-all", "--inh-caps", "-all"));
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")
                    || a.startsWith("-Dlmdbjava.")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), ReportMain.class.getName(), folder.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @Test
    void unreadableFilesAndFoldersAreSkippedAndReportedAndTheRestSyncs() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("was-readable.txt"), "synced before");
            Files.createDirectories(m.a.resolve("locked"));
            Files.writeString(m.a.resolve("locked/inside.txt"), "synced before too");
            m.settle();

            Files.writeString(m.a.resolve("secret.txt"), "nobody reads this");
            Files.writeString(m.a.resolve("fine.txt"), "everything else syncs");
            // Changed, then made unreadable: the change cannot be read, so the volume keeps the old one.
            Files.writeString(m.a.resolve("was-readable.txt"), "changed, then locked");
            Files.setPosixFilePermissions(m.a.resolve("secret.txt"), PosixFilePermissions.fromString("---------"));
            Files.setPosixFilePermissions(m.a.resolve("was-readable.txt"), PosixFilePermissions.fromString("---------"));
            Files.setPosixFilePermissions(m.a.resolve("locked"), PosixFilePermissions.fromString("---------"));
            m.ea.close();
            try {
                List<String> out = cycleWithoutPrivileges(m.a);
                assertThat(out).contains("NOT SYNCED 'secret.txt': permission denied — skipped",
                        "NOT SYNCED 'was-readable.txt': permission denied — skipped",
                        "NOT SYNCED 'locked': permission denied (folder) — skipped", "AGREED true");
            } finally {
                Files.setPosixFilePermissions(m.a.resolve("locked"), PosixFilePermissions.fromString("rwx------"));
                m.ea = SyncEngine.open(m.a);
            }
            m.eb.cycle();
            assertThat(Files.readString(m.b.resolve("fine.txt"))).isEqualTo("everything else syncs");
            assertThat(m.b.resolve("secret.txt")).doesNotExist();
            // What B had from before stays: A could not read it, which is not deleting it.
            assertThat(Files.readString(m.b.resolve("was-readable.txt"))).isEqualTo("synced before");
            assertThat(Files.readString(m.b.resolve("locked/inside.txt"))).isEqualTo("synced before too");

            // Readable again: it syncs.
            Files.setPosixFilePermissions(m.a.resolve("secret.txt"), PosixFilePermissions.fromString("rw-------"));
            m.settle();
            assertThat(Files.readString(m.b.resolve("secret.txt"))).isEqualTo("nobody reads this");
        }
    }
}
