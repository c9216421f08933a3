package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.saharasync.blockstore.Hash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ChunkCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsOneJsonLinePerChunkTilingTheFileWithCorrectHashes() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(1).nextBytes(data);
        Path file = Files.write(dir.resolve("data.bin"), data);

        Run r = run("chunk", file.toString(), "--min", "4K", "--avg", "16KiB", "--max", "64k");

        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.size()).isBetween(100, 400);
        ObjectMapper json = new ObjectMapper();
        long next = 0;
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            assertThat(n.size()).isEqualTo(3);
            long offset = n.get("offset").asLong();
            int length = n.get("length").asInt();
            assertThat(offset).isEqualTo(next);
            assertThat(length).isBetween(1, 65536);
            assertThat(n.get("hash").asText()).isEqualTo(Hash.of(data, (int) offset, length).toHex());
            next += length;
        }
        assertThat(next).isEqualTo(data.length);
    }

    @Test
    void defaultSizesGiveChunksOfAbout64KiB() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(2).nextBytes(data);
        Path file = Files.write(dir.resolve("big.bin"), data);
        Run r = run("chunk", file.toString());
        assertThat(r.exit()).isZero();
        long count = r.out().lines().count();
        assertThat(count).isBetween(8L * 1024 / 96, 8L * 1024 / 40);
    }

    @Test
    void anEmptyFilePrintsNothing() throws Exception {
        Path file = Files.write(dir.resolve("empty"), new byte[0]);
        Run r = run("chunk", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badInputGetsAClearErrorAndNoOutput() {
        Run missing = run("chunk", dir.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no such regular file");
        assertThat(missing.out()).isEmpty();

        Run folder = run("chunk", dir.toString());
        assertThat(folder.exit()).isEqualTo(1);

        Run badSize = run("chunk", "x", "--avg", "lots");
        assertThat(badSize.exit()).isEqualTo(2);
        assertThat(badSize.err()).contains("is not a size");

        Run badParams = run("chunk", "x", "--avg", "100K");
        assertThat(badParams.exit()).isEqualTo(2);
        assertThat(badParams.err()).contains("power of two");
    }
}
