package net.saharasync.clientd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.saharasync.clientd.remote.HostConnection;
import net.saharasync.clientd.remote.HttpHost;

/** {@code sahara join}: makes a folder a synced folder of a host's volume (creating the volume if needed). */
public final class Join {
    private Join() {}

    /** What a join chose: the volume, whether it was made now, and the settings written. */
    public record Joined(ClientConfig config, HostConnection.Volume volume, boolean created) {
        /** One line for a person: which volume, whose, new or existing, how much is in it. */
        public String describe() {
            String whose = volume.access().equals("owner") ? "yours" : volume.owner() + "'s (shared with you, " + volume.access() + ")";
            return created ? "a new volume '" + volume.name() + "' (" + volume.id() + "), yours"
                    : "the existing volume '" + volume.name() + "' (" + volume.id() + "), " + whose + ", holding "
                            + volume.entries() + (volume.entries() == 1 ? " file or folder" : " files and folders");
        }
    }

    /** As {@link #join(String, String, Path, String, String, Optional, boolean)}, telling nothing of the choice. */
    public static ClientConfig join(String url, String token, Path dir, String volume, String device, Optional<String> fingerprint)
            throws IOException {
        return joinVolume(url, token, dir, volume, device, fingerprint, true).config();
    }

    /** As {@link #joinVolume(String, String, Path, String, String, Optional, boolean)}, creating the volume when none has the name. */
    public static Joined joinVolume(String url, String token, Path dir, String volume, String device, Optional<String> fingerprint)
            throws IOException {
        return joinVolume(url, token, dir, volume, device, fingerprint, true);
    }

    /**
     * Connects to the host, finds the volume by id, or by name among the caller's own volumes
     * and the shares the caller accepted (a share is an invitation until accepted, so nobody
     * can put a volume into this choice), or creates one by that name, and writes
     * {@code DIR/.sahara/config.json}. A name that matches more than one volume is refused:
     * the caller picks by id. Nothing in DIR is touched; the first sync merges what is there
     * with what the volume holds.
     */
    public static Joined joinVolume(String url, String token, Path dir, String volume, String device, Optional<String> fingerprint,
                                    boolean mayCreate) throws IOException {
        if (Files.exists(ClientConfig.file(dir))) throw new ClientException(dir + " is already a synced folder");
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new ClientException(dir + " is not a directory");
        if (fingerprint.isPresent() && !url.regionMatches(true, 0, "https://", 0, 8)) {
            throw new ClientException("--fingerprint pins a TLS certificate, but " + url + " is not https://: the token would travel in clear text."
                    + " Use the host's https:// URL (sahara host --tls), or leave out --fingerprint on a trusted network");
        }
        try (HostConnection host = new HttpHost(url, token, fingerprint)) {
            List<HostConnection.Volume> all = host.volumes();
            Optional<HostConnection.Volume> byId = all.stream().filter(v -> v.id().equals(volume)).findFirst();
            List<HostConnection.Volume> byName = all.stream().filter(v -> v.name().equals(volume)).toList();
            HostConnection.Volume v;
            boolean created = false;
            if (byId.isPresent()) {
                v = byId.get();
            } else if (byName.size() > 1) {
                StringBuilder sb = new StringBuilder("the name '" + volume + "' matches " + byName.size() + " volumes; pick one by id with --volume:");
                for (HostConnection.Volume c : byName) sb.append("\n  ").append(c.id()).append("  owner ").append(c.owner()).append(", ").append(c.access());
                throw new ClientException(sb.toString());
            } else if (byName.size() == 1) {
                v = byName.getFirst();
            } else if (mayCreate || all.isEmpty()) {
                // A first join makes the caller's first volume; later a name matching nothing is
                // more likely a typo than a wish for a second volume.
                v = host.createVolume(volume);
                created = true;
            } else {
                StringBuilder sb = new StringBuilder("no volume named '" + volume + "' among yours and the shares you accepted; you have:");
                for (HostConnection.Volume c : all) sb.append("\n  '").append(c.name()).append("' (").append(c.id()).append("), owner ").append(c.owner());
                sb.append("\ncheck the name, or add --create to make a new volume '").append(volume).append("'");
                throw new ClientException(sb.toString());
            }
            if (v.access().equals("read")) {
                throw new ClientException("volume '" + v.name() + "' (" + v.id() + ") of " + v.owner() + " is shared with you read-only; a synced folder needs write access");
            }
            ClientConfig c = new ClientConfig(url, token, v.id(), device, fingerprint.orElse(null),
                    v.chunking().min(), v.chunking().avg(), v.chunking().max());
            Files.createDirectories(dir);
            c.save(dir);
            return new Joined(c, v, created);
        }
    }
}
