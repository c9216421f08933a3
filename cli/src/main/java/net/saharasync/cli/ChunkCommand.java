package net.saharasync.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.Callable;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.GearTable;
import net.saharasync.blockstore.Hash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sahara chunk FILE}: prints the file's content-defined chunks as JSON lines (a debugging aid). */
@Command(name = "chunk", mixinStandardHelpOptions = true,
        description = "Cut FILE into content-defined chunks; print one JSON line per chunk: {\"offset\",\"length\",\"hash\"}.")
final class ChunkCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The file to chunk ('-' for standard input).")
    String file;

    @Option(names = "--min", converter = ByteSize.class, description = "Minimum chunk size (default: ${DEFAULT-VALUE}).", defaultValue = "16K")
    int min;

    @Option(names = "--avg", converter = ByteSize.class, description = "Average (normal) chunk size, a power of two (default: ${DEFAULT-VALUE}).", defaultValue = "64K")
    int avg;

    @Option(names = "--max", converter = ByteSize.class, description = "Maximum chunk size (default: ${DEFAULT-VALUE}).", defaultValue = "256K")
    int max;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ChunkerParams params;
        try {
            params = new ChunkerParams(min, avg, max);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("sahara chunk: " + e.getMessage());
            return 2;
        }
        if (!file.equals("-") && !Files.isRegularFile(Path.of(file))) {
            spec.commandLine().getErr().println("sahara chunk: " + file + ": no such regular file");
            return 1;
        }
        Chunker chunker = new Chunker(params, GearTable.defaultTable());
        PrintWriter out = spec.commandLine().getOut();
        MessageDigest sha = Hash.newDigest();
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file));
                JsonGenerator json = new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            json.setRootValueSeparator(null);
            chunker.chunk(in, (offset, buf, off, len) -> {
                sha.update(buf, off, len);
                json.writeStartObject();
                json.writeNumberField("offset", offset);
                json.writeNumberField("length", len);
                json.writeStringField("hash", Hash.fromBytes(sha.digest()).toHex());
                json.writeEndObject();
                json.writeRaw('\n');
            });
        }
        out.flush();
        return 0;
    }
}
