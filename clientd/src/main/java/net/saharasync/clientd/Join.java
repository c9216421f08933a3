package net.saharasync.clientd;

import net.saharasync.protocol.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.saharasync.protocol.http.HttpHost;

/** {@code sahara join}: makes a folder a synced folder of a host's volume (creating the volume if needed). */
public final class Join {
    private Join() {}

    /** What a join chose: the volume, whether it was made now, and the settings written. */
    public record Joined(ClientConfig config, Volume volume, boolean created, boolean tokenReplaced) {
        Joined(ClientConfig config, Volume volume, boolean created) {
            this(config, volume, created, false);
        }

        /** One line for a person: which volume, whose, new or existing, how much is in it. */
        public String describe() {
            String whose = volume.access() == net.saharasync.protocol.Access.OWNER ? "yours" : volume.owner() + "'s (shared with you, " + volume.access().wireName() + ")";
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

    /**
     * Joining a folder that is already synced with that host gives it a new token (the old one
     * revoked, say): the token must reach the folder's volume with write access; nothing else
     * changes. Another host is refused: leave first.
     */
    private static Joined replaceToken(String url, String token, Path dir, Optional<String> fingerprint) throws IOException {
        ClientConfig old = ClientConfig.load(dir);
        if (!old.host().equals(url.endsWith("/") ? url.substring(0, url.length() - 1) : url)) {
            throw new ClientException(dir + " is already a synced folder, of " + old.host() + ": to join " + url
                    + " instead, first `sahara leave " + dir + "`");
        }
        try (HttpHost host = new HttpHost(url, token, fingerprint.or(old::pinnedFingerprint))) {
            Volume v = host.volumes().stream().filter(x -> x.id().equals(old.volume())).findFirst()
                    .orElseThrow(() -> new ClientException("the new token's user cannot use the volume " + old.volume()
                            + " this folder syncs (has it been shared with them and accepted?); the folder keeps its old token"));
            if (v.access() == net.saharasync.protocol.Access.READ) throw new ClientException("the new token's user may only read volume '" + v.name() + "'; the folder keeps its old token");
            ClientConfig c = old.withToken(host.issueDeviceToken(old.device()).secret());
            c.save(dir);
            return new Joined(c, v, false, true);
        }
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
        if (Files.exists(ClientConfig.file(dir))) return replaceToken(url, token, dir, fingerprint);
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new ClientException(dir + " is not a directory");
        if (fingerprint.isPresent() && !url.regionMatches(true, 0, "https://", 0, 8)) {
            throw new ClientException("--fingerprint pins a TLS certificate, but " + url + " is not https://: the token would travel in clear text."
                    + " Use the host's https:// URL (sahara host --tls), or leave out --fingerprint on a trusted network");
        }
        try (HttpHost host = new HttpHost(url, token, fingerprint)) {
            List<Volume> all = host.volumes();
            Optional<Volume> byId = all.stream().filter(v -> v.id().equals(volume)).findFirst();
            List<Volume> byName = all.stream().filter(v -> v.name().equals(volume)).toList();
            Volume v;
            boolean created = false;
            if (byId.isPresent()) {
                v = byId.get();
            } else if (byName.size() > 1) {
                StringBuilder sb = new StringBuilder("the name '" + volume + "' matches " + byName.size() + " volumes; pick one by id with --volume:");
                for (Volume c : byName) sb.append("\n  ").append(c.id()).append("  owner ").append(c.owner()).append(", ").append(c.access().wireName());
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
                for (Volume c : all) sb.append("\n  '").append(c.name()).append("' (").append(c.id()).append("), owner ").append(c.owner());
                sb.append("\ncheck the name, or add --create to make a new volume '").append(volume).append("'");
                throw new ClientException(sb.toString());
            }
            if (v.access() == net.saharasync.protocol.Access.READ) {
                throw new ClientException("volume '" + v.name() + "' (" + v.id() + ") of " + v.owner() + " is shared with you read-only; a synced folder needs write access");
            }
            // The folder keeps a token of its own, not the one given: each machine can be revoked alone.
            ClientConfig c = new ClientConfig(url, host.issueDeviceToken(device).secret(), v.id(), device, fingerprint.orElse(null),
                    v.chunking().min(), v.chunking().avg(), v.chunking().max());
            Files.createDirectories(dir);
            c.save(dir);
            return new Joined(c, v, created);
        }
    }
}
