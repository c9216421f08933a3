package net.saharasync.clientd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.saharasync.clientd.remote.HostConnection;
import net.saharasync.clientd.remote.HttpHost;

/** {@code sahara join}: makes a folder a synced folder of a host's volume (creating the volume if needed). */
public final class Join {
    private Join() {}

    /**
     * Connects to the host, finds the volume by id or name among the caller's (or creates one
     * by that name), and writes {@code DIR/.sahara/config.json}. Nothing in DIR is touched; the
     * first sync merges what is there with what the volume holds.
     */
    public static ClientConfig join(String url, String token, Path dir, String volume, String device, Optional<String> fingerprint)
            throws IOException {
        if (Files.exists(ClientConfig.file(dir))) throw new ClientException(dir + " is already a synced folder");
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new ClientException(dir + " is not a directory");
        try (HostConnection host = new HttpHost(url, token, fingerprint)) {
            HostConnection.Volume v = null;
            for (HostConnection.Volume candidate : host.volumes()) {
                if (candidate.id().equals(volume) || candidate.name().equals(volume)) {
                    v = candidate;
                    break;
                }
            }
            if (v == null) v = host.createVolume(volume);
            ClientConfig c = new ClientConfig(url, token, v.id(), device, fingerprint.orElse(null),
                    v.chunking().min(), v.chunking().avg(), v.chunking().max());
            Files.createDirectories(dir);
            c.save(dir);
            return c;
        }
    }
}
