package net.saharasync.clientd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What the daemon last did, in {@code DIR/.sahara/status.json} (written atomically after every
 * cycle), for {@code sahara status} and other local tools.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Status(String state, long updated, CycleReport lastCycle, String lastError, Long lastErrorAt) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path file(Path folder) {
        return ClientConfig.stateDir(folder).resolve("status.json");
    }

    public static Optional<Status> read(Path folder) {
        Path f = file(folder);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(f.toFile(), Status.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void write(Path folder) {
        Path f = file(folder);
        Path tmp = f.resolveSibling("status.json.tmp");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(this));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Status is informational; never fail a sync over it.
        }
    }
}
