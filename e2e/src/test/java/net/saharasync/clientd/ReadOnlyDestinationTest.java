package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder this machine cannot write into (immutable here: `chattr +i`, which binds root too,
 * on the real file system) makes only the changes inside it fail: each is reported ("cannot
 * write: …"), everything else is applied, nothing is committed back, and once the folder
 * takes writes again the next cycle brings them. Before, one refused write failed the whole
 * apply, cycle after cycle.
 */
class ReadOnlyDestinationTest {
    @TempDir
    Path tmp;

    private static boolean chattr(String flag, Path p) throws Exception {
        Process pr = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
        pr.getInputStream().readAllBytes();
        return pr.waitFor(30, TimeUnit.SECONDS) && pr.exitValue() == 0;
    }

    @Test
    void writesIntoAnImmutableFolderAreReportedAndTheRestIsApplied() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.createDirectories(m.a.resolve("ro"));
            Files.writeString(m.a.resolve("ro/existing.txt"), "v1");
            Files.writeString(m.a.resolve("ro/doomed.txt"), "to be deleted on A");
            m.settle();
            Path ro = m.b.resolve("ro");
            assumeTrue(chattr("+i", ro), "needs chattr +i (root, ext4)");
            try {
                Files.writeString(m.a.resolve("ro/new.txt"), "new in ro");
                Files.writeString(m.a.resolve("ro/existing.txt"), "v2");
                Files.delete(m.a.resolve("ro/doomed.txt"));
                Files.writeString(m.a.resolve("elsewhere.txt"), "applied all the same");
                m.ea.cycle();

                CycleReport r = m.eb.cycle();
                assertThat(r.agreed()).isTrue();
                assertThat(Files.readString(m.b.resolve("elsewhere.txt"))).isEqualTo("applied all the same");
                assertThat(r.unsyncable()).anySatisfy(u -> assertThat(u).startsWith("'ro/new.txt': cannot write: not permitted"))
                        .anySatisfy(u -> assertThat(u).startsWith("'ro/existing.txt': cannot write:"))
                        .anySatisfy(u -> assertThat(u).startsWith("'ro/doomed.txt': cannot write:"));
                assertThat(Files.readString(ro.resolve("existing.txt"))).isEqualTo("v1");
                assertThat(ro.resolve("doomed.txt")).exists();
                // B commits nothing back: its old files are not a change of its own.
                Files.writeString(m.b.resolve("from-b.txt"), "a change of B's");
                m.eb.cycle();
                m.ea.cycle();
                assertThat(Files.readString(m.a.resolve("ro/existing.txt"))).isEqualTo("v2");
                assertThat(m.a.resolve("ro/doomed.txt")).doesNotExist();
                assertThat(Files.readString(m.a.resolve("from-b.txt"))).isEqualTo("a change of B's");
            } finally {
                chattr("-i", ro);
            }
            CycleReport again = m.eb.cycle();
            assertThat(again.unsyncable()).isEmpty();
            assertThat(Files.readString(ro.resolve("new.txt"))).isEqualTo("new in ro");
            assertThat(Files.readString(ro.resolve("existing.txt"))).isEqualTo("v2");
            assertThat(ro.resolve("doomed.txt")).doesNotExist();
            m.assertSame();
        }
    }
}
