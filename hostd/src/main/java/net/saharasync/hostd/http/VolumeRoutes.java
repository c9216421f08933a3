package net.saharasync.hostd.http;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.service.VolumeService;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.Access;

/** Volumes, grants, heads and history over HTTP: parse, call {@link VolumeService}, serialise. Commits are {@link CommitRoute}. */
final class VolumeRoutes {
    record Chunking(int min, int avg, int max) {}

    record CreateVolume(String name, Chunking chunking) {}

    record Grant(String access) {}

    private final VolumeService volumes;
    private final HostConfig.Limits limits;

    VolumeRoutes(VolumeService volumes, HostConfig.Limits limits) {
        this.volumes = volumes;
        this.limits = limits;
    }

    static Map<String, Object> describe(VolumeService.View view) {
        VolumeStore.Volume v = view.volume();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.idHex());
        m.put("name", v.name());
        m.put("owner", view.ownerName());
        m.put("access", view.access().wireName());
        m.put("created", v.created());
        m.put("chunking", new Chunking(v.chunking().min(), v.chunking().avg(), v.chunking().max()));
        m.put("head", view.head().map(x -> x.commit().toHex()).orElse(null));
        m.put("seq", view.head().map(VolumeStore.Head::seq).orElse(0L));
        m.put("entries", view.entries());
        return m;
    }

    void list(HttpServerExchange ex) {
        List<Map<String, Object>> out = volumes.list(Exchanges.principal(ex)).stream().map(VolumeRoutes::describe).toList();
        Exchanges.sendJson(ex, 200, Map.of("volumes", out));
    }

    void create(HttpServerExchange ex) throws IOException {
        CreateVolume req = Exchanges.readJson(ex, CreateVolume.class, limits.maxJsonBytes());
        Optional<ChunkerParams> chunking;
        try {
            chunking = req.chunking() == null ? Optional.empty()
                    : Optional.of(new ChunkerParams(req.chunking().min(), req.chunking().avg(), req.chunking().max()));
        } catch (IllegalArgumentException e) {
            throw HostException.badRequest("chunking: " + e.getMessage());
        }
        Exchanges.sendJson(ex, 201, describe(volumes.create(Exchanges.principal(ex), req.name(), chunking)));
    }

    void get(HttpServerExchange ex) {
        Exchanges.sendJson(ex, 200, describe(volumes.get(Exchanges.principal(ex), Exchanges.param(ex, "volume"))));
    }

    void head(HttpServerExchange ex) {
        String id = Exchanges.param(ex, "volume");
        Optional<VolumeStore.Head> h = volumes.head(Exchanges.principal(ex), id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("volume", id);
        m.put("head", h.map(x -> x.commit().toHex()).orElse(null));
        m.put("seq", h.map(VolumeStore.Head::seq).orElse(0L));
        Exchanges.sendJson(ex, 200, m);
    }

    void grant(HttpServerExchange ex) throws IOException {
        String volume = Exchanges.param(ex, "volume");
        String name = Exchanges.param(ex, "user");
        Grant req = Exchanges.readJson(ex, Grant.class, limits.maxJsonBytes());
        Access level = Access.fromWire(String.valueOf(req.access())).filter(a -> a != Access.OWNER)
                .orElseThrow(() -> HostException.badRequest("access must be read, write or none"));
        VolumeService.Shared s = volumes.share(Exchanges.principal(ex), volume, name, level);
        Exchanges.sendJson(ex, 200, Map.of("volume", s.volume().idHex(), "user", s.user(), "access", s.access().wireName(),
                "state", s.outcome().name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** {@code GET /v1/invitations}: volumes shared with the caller, waiting to be accepted (they give no access until then). */
    void invitations(HttpServerExchange ex) {
        List<Map<String, Object>> out = volumes.invitations(Exchanges.principal(ex)).stream().map(i -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.volume().idHex());
            m.put("name", i.volume().name());
            m.put("owner", i.ownerName());
            m.put("access", i.access().wireName());
            return m;
        }).toList();
        Exchanges.sendJson(ex, 200, Map.of("invitations", out));
    }

    void accept(HttpServerExchange ex) {
        Exchanges.sendJson(ex, 200, describe(volumes.accept(Exchanges.principal(ex), Exchanges.param(ex, "volume"))));
    }

    void leave(HttpServerExchange ex) {
        String volume = Exchanges.param(ex, "volume");
        volumes.leave(Exchanges.principal(ex), volume);
        Exchanges.sendJson(ex, 200, Map.of("volume", volume, "left", true));
    }

    void members(HttpServerExchange ex) {
        String volume = Exchanges.param(ex, "volume");
        List<Map<String, Object>> out = volumes.members(Exchanges.principal(ex), volume).stream().map(m -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("user", m.user());
            e.put("access", m.access().wireName());
            e.put("state", m.invited() ? "invited" : "accepted");
            return e;
        }).toList();
        Exchanges.sendJson(ex, 200, Map.of("volume", volume, "members", out));
    }

    /** {@code GET .../commits?before=SEQ&limit=N}: newest first. */
    void history(HttpServerExchange ex) {
        Optional<Long> before = Exchanges.query(ex, "before").isPresent()
                ? Optional.of(Exchanges.queryLong(ex, "before", 1, 1, Long.MAX_VALUE)) : Optional.empty();
        int limit = (int) Exchanges.queryLong(ex, "limit", 100, 1, VolumeService.MAX_HISTORY_PAGE);
        VolumeService.HistoryPage page = volumes.history(Exchanges.principal(ex), Exchanges.param(ex, "volume"), before, limit);
        List<Map<String, Object>> commits = page.commits().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", e.seq());
            m.put("commit", e.commit().toHex());
            m.put("accepted", e.acceptedMillis());
            m.put("user", e.user());
            return m;
        }).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commits", commits);
        out.put("next", page.next().orElse(null));
        Exchanges.sendJson(ex, 200, out);
    }
}
