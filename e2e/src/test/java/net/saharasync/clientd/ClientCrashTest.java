package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client killed with SIGKILL in the middle of a download: every file is old or new, never a mix, and the next run finishes. */
class ClientCrashTest {
    @TempDir
    Path tmp;

    private static Process spawn(Path folder) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")
                    || a.startsWith("-Dlmdbjava.")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), OnceMain.class.getName(), folder.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void aClientKilledDuringADownloadLeavesOnlyWholeFilesAndFinishesOnRestart() throws Exception {
        int files = 40;
        int size = 2 << 20;
        try (TwoMachines m = new TwoMachines(tmp)) {
            for (int i = 0; i < files; i++) Files.writeString(m.a.resolve("f" + i), "old " + i);
            m.settle();
            for (int i = 0; i < files; i++) {
                byte[] b = new byte[size];
                new Random(i).nextBytes(b);
                Files.write(m.a.resolve("f" + i), b);
            }
            assertThat(m.ea.cycle().agreed()).isTrue();
            m.eb.close();

            for (int round = 0; round < 3; round++) {
                Process p = spawn(m.b);
                assertThat(new String(p.getInputStream().readNBytes(8))).isEqualTo("STARTED\n");
                Thread.sleep(300 + 200L * round);
                p.destroyForcibly(); // SIGKILL, somewhere in the download
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < files; i++) {
                    byte[] now = Files.readAllBytes(m.b.resolve("f" + i));
                    byte[] expected = new byte[size];
                    new Random(i).nextBytes(expected);
                    boolean old = Arrays.equals(now, ("old " + i).getBytes());
                    assertThat(old || Arrays.equals(now, expected)).as("f%d is whole (old or new)", i).isTrue();
                }
            }
            m.eb = SyncEngine.open(m.b);
            m.settle();
            m.assertSame();
            try (var s = Files.list(m.b)) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".sahara-tmp-")).toList())
                        .as("temp files of the killed runs are cleaned up").isEmpty();
            }
        }
    }
}
