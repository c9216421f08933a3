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
import net.saharasync.hostd.store.Accounts.Principal;
import net.saharasync.hostd.store.Accounts.User;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.Volumes;
import net.saharasync.hostd.store.Volumes.Access;
import net.saharasync.hostd.store.Volumes.Volume;

/** Volumes, grants, heads and history. Commits are {@link CommitRoute}. */
final class VolumeRoutes {
    record Chunking(int min, int avg, int max) {}

    record CreateVolume(String name, Chunking chunking) {}

    record Grant(String access) {}

    private final HostStore store;
    private final HostConfig.Limits limits;
    private final EventHub events;

    VolumeRoutes(HostStore store, HostConfig.Limits limits, EventHub events) {
        this.events = events;
        this.store = store;
        this.limits = limits;
    }

    /**
     * The volume named in the path if the caller has at least {@code need} on it. A volume the
     * caller cannot read is "not found", whether or not it exists.
     */
    static Volume volume(HostStore store, HttpServerExchange ex, Access need) {
        Principal p = Exchanges.principal(ex);
        String text = Exchanges.param(ex, "volume");
        HostException none = HostException.notFound("no volume " + text);
        long id = Volumes.parseId(text).orElseThrow(() -> none);
        Access a = store.volumes().access(p.userId(), id);
        if (a == Access.NONE) throw none;
        if (!a.atLeast(need)) throw HostException.forbidden("volume " + text + " needs " + need.name().toLowerCase() + " access");
        return store.volumes().get(id).orElseThrow(() -> none);
    }

    /** The ids of every volume the caller can read. */
    Map<String, Object> describe(Volume v, Access a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.idHex());
        m.put("name", v.name());
        m.put("owner", store.accounts().user(v.owner()).map(User::name).orElse("?"));
        m.put("access", a.name().toLowerCase());
        m.put("created", v.created());
        m.put("chunking", new Chunking(v.chunking().min(), v.chunking().avg(), v.chunking().max()));
        Optional<Volumes.Head> h = store.volumes().head(v.id());
        m.put("head", h.map(x -> x.commit().toHex()).orElse(null));
        m.put("seq", h.map(Volumes.Head::seq).orElse(0L));
        m.put("entries", h.map(x -> entries(x.commit())).orElse(0L));
        return m;
    }

    /** Files, symlinks and folders in a commit's tree (recorded sizes; a folder accepted before they were recorded is walked once). */
    private long entries(net.saharasync.blockstore.Hash commit) {
        net.saharasync.merkle.ObjectStore objects = new net.saharasync.merkle.ObjectStore(store.blocks());
        net.saharasync.merkle.Commit c = (net.saharasync.merkle.Commit) objects.read(commit);
        net.saharasync.merkle.TreeStats sizes = new net.saharasync.merkle.TreeStats(objects, limits.tree(), store.treeSizes()::get);
        long n = sizes.of(c.root(), 0).entries();
        store.treeSizes().record(sizes.computed());
        return n;
    }

    void list(HttpServerExchange ex) {
        Principal p = Exchanges.principal(ex);
        List<Map<String, Object>> out = store.volumes().visibleTo(p.userId()).stream()
                .map(va -> describe(va.volume(), va.access())).toList();
        Exchanges.sendJson(ex, 200, Map.of("volumes", out));
    }

    void create(HttpServerExchange ex) throws IOException {
        Principal p = Exchanges.principal(ex);
        CreateVolume req = Exchanges.readJson(ex, CreateVolume.class, limits.maxJsonBytes());
        if (req.name() == null) throw HostException.badRequest("name is required");
        ChunkerParams chunking;
        try {
            chunking = req.chunking() == null ? ChunkerParams.DEFAULT
                    : new ChunkerParams(req.chunking().min(), req.chunking().avg(), req.chunking().max());
        } catch (IllegalArgumentException e) {
            throw HostException.badRequest("chunking: " + e.getMessage());
        }
        Volume v = store.volumes().create(p.userId(), req.name(), chunking);
        Exchanges.sendJson(ex, 201, describe(v, Access.OWNER));
    }

    void get(HttpServerExchange ex) {
        Volume v = volume(store, ex, Access.READ);
        Exchanges.sendJson(ex, 200, describe(v, store.volumes().access(Exchanges.principal(ex).userId(), v.id())));
    }

    void head(HttpServerExchange ex) {
        Volume v = volume(store, ex, Access.READ);
        Optional<Volumes.Head> h = store.volumes().head(v.id());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("volume", v.idHex());
        m.put("head", h.map(x -> x.commit().toHex()).orElse(null));
        m.put("seq", h.map(Volumes.Head::seq).orElse(0L));
        Exchanges.sendJson(ex, 200, m);
    }

    void grant(HttpServerExchange ex) throws IOException {
        Volume v = volume(store, ex, Access.OWNER);
        String name = Exchanges.param(ex, "user");
        Grant req = Exchanges.readJson(ex, Grant.class, limits.maxJsonBytes());
        Access level = switch (String.valueOf(req.access())) {
            case "read" -> Access.READ;
            case "write" -> Access.WRITE;
            case "none" -> Access.NONE;
            default -> throw HostException.badRequest("access must be read, write or none");
        };
        User u = store.accounts().user(name).orElseThrow(() -> HostException.notFound("no user " + name));
        Volumes.GrantOutcome outcome = store.volumes().grant(v.id(), u.id(), level);
        if (outcome != Volumes.GrantOutcome.GRANTED || level == Access.NONE) events.closeRevoked();
        Exchanges.sendJson(ex, 200, Map.of("volume", v.idHex(), "user", u.name(), "access", level.name().toLowerCase(),
                "state", outcome.name().toLowerCase()));
    }

    /** {@code GET /v1/invitations}: volumes shared with the caller, waiting to be accepted (they give no access until then). */
    void invitations(HttpServerExchange ex) {
        Principal p = Exchanges.principal(ex);
        List<Map<String, Object>> out = store.volumes().invitations(p.userId()).stream().map(va -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", va.volume().idHex());
            m.put("name", va.volume().name());
            m.put("owner", store.accounts().user(va.volume().owner()).map(User::name).orElse("?"));
            m.put("access", va.access().name().toLowerCase());
            return m;
        }).toList();
        Exchanges.sendJson(ex, 200, Map.of("invitations", out));
    }

    /** {@code POST /v1/volumes/{volume}/accept}: takes an invitation; the volume is then the caller's to sync. */
    void accept(HttpServerExchange ex) {
        Principal p = Exchanges.principal(ex);
        String text = Exchanges.param(ex, "volume");
        long id = Volumes.parseId(text).orElseThrow(() -> HostException.notFound("no invitation to volume " + text));
        if (!store.volumes().accept(p.userId(), id)) throw HostException.notFound("no invitation to volume " + text);
        Volume v = store.volumes().get(id).orElseThrow(() -> HostException.notFound("no volume " + text));
        Exchanges.sendJson(ex, 200, describe(v, store.volumes().access(p.userId(), id)));
    }

    /** {@code DELETE /v1/volumes/{volume}/membership}: declines an invitation or leaves a shared volume. */
    void leave(HttpServerExchange ex) {
        Principal p = Exchanges.principal(ex);
        String text = Exchanges.param(ex, "volume");
        long id = Volumes.parseId(text).orElseThrow(() -> HostException.notFound("no volume " + text));
        if (!store.volumes().leave(p.userId(), id)) throw HostException.notFound("no invitation to or share of volume " + text);
        events.closeRevoked();
        Exchanges.sendJson(ex, 200, Map.of("volume", text, "left", true));
    }

    /** {@code GET /v1/volumes/{volume}/members}: who has access and who is invited (owner only). */
    void members(HttpServerExchange ex) {
        Volume v = volume(store, ex, Access.OWNER);
        List<Map<String, Object>> out = store.volumes().members(v.id()).stream().map(m -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("user", store.accounts().user(m.user()).map(User::name).orElse("?"));
            e.put("access", m.access().name().toLowerCase());
            e.put("state", m.invited() ? "invited" : "accepted");
            return e;
        }).toList();
        Exchanges.sendJson(ex, 200, Map.of("volume", v.idHex(), "members", out));
    }

    /** {@code GET .../commits?before=SEQ&limit=N}: newest first. */
    void history(HttpServerExchange ex) {
        Volume v = volume(store, ex, Access.READ);
        long headSeq = store.volumes().head(v.id()).map(Volumes.Head::seq).orElse(0L);
        long before = Exchanges.queryLong(ex, "before", headSeq + 1, 1, Long.MAX_VALUE);
        int limit = (int) Exchanges.queryLong(ex, "limit", 100, 1, 1000);
        List<Map<String, Object>> commits = store.volumes().newestFirst(v.id(), before, limit).stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", e.seq());
            m.put("commit", e.commit().toHex());
            m.put("accepted", e.acceptedMillis());
            m.put("user", store.accounts().user(e.user()).map(User::name).orElse("?"));
            return m;
        }).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commits", commits);
        long oldest = commits.isEmpty() ? 1 : (long) commits.getLast().get("seq");
        out.put("next", oldest > 1 ? oldest : null);
        Exchanges.sendJson(ex, 200, out);
    }


}
