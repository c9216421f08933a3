package net.saharasync.clientd.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started under a C or POSIX locale reads file names as ASCII: an accented name would
 * come back as question marks, be synced under that name and never be opened again. The
 * client refuses to run there and names the fix, instead of mangling names.
 */
class NameEncodingTest {
    @TempDir
    Path tmp;

    /** Opens a synced folder's file system (run in a child JVM). */
    public static void main(String[] args) {
        try {
            new LocalFs(Path.of(args[0]), Path.of(args[0]).resolve(".sahara/trash"));
            System.out.println("opened");
        } catch (RuntimeException e) {
            System.out.println(e.getMessage());
        }
    }

    private String run(String lcAll) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                NameEncodingTest.class.getName(), tmp.toString()).redirectErrorStream(true);
        pb.environment().remove("LANG");
        pb.environment().remove("LC_CTYPE");
        pb.environment().put("LC_ALL", lcAll);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void underAnAsciiLocaleTheClientRefusesAndNamesTheFix() throws Exception {
        Files.writeString(tmp.resolve("caf\u00e9.txt"), "x");
        assertThat(run("C")).contains("not UTF-8").contains("LC_ALL=C.UTF-8").doesNotContain("opened");
        assertThat(run("C.UTF-8")).contains("opened");
    }
}
