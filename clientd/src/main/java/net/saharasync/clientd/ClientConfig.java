package net.saharasync.clientd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import net.saharasync.blockstore.ChunkerParams;

/**
 * A synced folder's settings, in {@code DIR/.sahara/config.json} (owner-only: it holds the
 * token): the host, the token, the volume, this device's name, the host's pinned TLS
 * fingerprint (if any) and the volume's chunking parameters.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClientConfig(String host, String token, String volume, String device, String fingerprint,
                           int chunkMin, int chunkAvg, int chunkMax) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String STATE_DIR = ".sahara";

    public ChunkerParams chunking() {
        return new ChunkerParams(chunkMin, chunkAvg, chunkMax);
    }

    public Optional<String> pinnedFingerprint() {
        return Optional.ofNullable(fingerprint);
    }

    public static Path stateDir(Path folder) {
        return folder.resolve(STATE_DIR);
    }

    public static Path file(Path folder) {
        return stateDir(folder).resolve("config.json");
    }

    public static ClientConfig load(Path folder) {
        Path f = file(folder);
        if (!Files.exists(f)) {
            throw new ClientException(folder + " is not a synced folder (no " + STATE_DIR + "/config.json); run `sahara join` first");
        }
        try {
            return JSON.readValue(f.toFile(), ClientConfig.class);
        } catch (IOException e) {
            throw new ClientException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** These settings with another token (the same host, volume and device). */
    public ClientConfig withToken(String t) {
        return new ClientConfig(host, t, volume, device, fingerprint, chunkMin, chunkAvg, chunkMax);
    }

    /** Writes the settings atomically, readable by the owner only. */
    public void save(Path folder) {
        Path dir = stateDir(folder);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("config.json.tmp");
            Files.deleteIfExists(tmp);
            // Owner-only from its first byte: it holds the token.
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
            Files.move(tmp, file(folder), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ClientException("cannot write " + file(folder) + ": " + e.getMessage(), e);
        }
    }
}
