package net.saharasync.hostd.http;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.Accounts.Principal;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.Volumes;
import net.saharasync.hostd.store.Volumes.Access;
import net.saharasync.hostd.store.Volumes.Volume;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeCheck;

/**
 * {@code POST /v1/volumes/{volume}/commits {"commit": HEX, "expected": HEX|null}}: moves the
 * head by compare-and-swap. Before that, every object the commit reaches must be there and
 * usable by the caller (409 {@code missing_objects}, listing them), its trees must hold
 * together (400 {@code invalid_tree}), stay within the host's entry and depth limits (400
 * {@code tree_too_large}), and its parents must include the expected head and be
 * commits of this volume (400 {@code bad_parent}). The answer comes after the LMDB
 * transaction is durable; subscribers hear of the new head at once.
 */
final class CommitRoute {
    record CommitRequest(String commit, String expected) {}

    static final int MAX_LISTED_MISSING = 1000;

    private final HostStore store;
    private final EventHub events;
    private final HostMetrics metrics;
    private final HostConfig.Limits limits;

    CommitRoute(HostStore store, EventHub events, HostMetrics metrics, HostConfig.Limits limits) {
        this.store = store;
        this.events = events;
        this.metrics = metrics;
        this.limits = limits;
    }

    void commit(HttpServerExchange ex) throws IOException {
        Principal p = Exchanges.principal(ex);
        Volume v = VolumeRoutes.volume(store, ex, Access.WRITE);
        CommitRequest req = Exchanges.readJson(ex, CommitRequest.class, limits.maxJsonBytes());
        Hash commit = Exchanges.hash(req.commit(), "commit");
        Optional<Hash> expected = req.expected() == null ? Optional.empty() : Optional.of(Exchanges.hash(req.expected(), "expected"));

        ObjectStore objects = new ObjectStore(store.blocks());
        TreeCheck.Result check = TreeCheck.check(objects, commit,
                hs -> store.access().known(v.id(), hs),
                hs -> store.access().usableSet(p.userId(), hs));
        if (!check.complete()) {
            List<String> listed = check.missing().stream().limit(MAX_LISTED_MISSING).map(Hash::toHex).toList();
            throw new HostException(409, "missing_objects", check.missing().size() + " objects the commit needs are not on the host",
                    Map.of("missing", listed, "missingCount", check.missing().size()));
        }
        Commit c = (Commit) objects.read(commit);
        checkParents(v, c, expected, objects);
        net.saharasync.merkle.TreeStats sizes = new net.saharasync.merkle.TreeStats(objects, limits.tree(), store.treeSizes()::get);
        try {
            sizes.of(c.root(), 0);
        } catch (net.saharasync.merkle.TreeStats.LimitExceeded e) {
            throw new HostException(400, "tree_too_large", e.getMessage() + " (this host's limit per commit)");
        }
        store.treeSizes().record(sizes.computed());

        Volumes.CasResult result;
        synchronized (events.lock(v.id())) {
            result = store.volumes().compareAndSet(v.id(), expected, commit, p.userId(), check.reached());
            if (result instanceof Volumes.Accepted a) {
                events.publish(v.id(), store.volumes().after(v.id(), a.head().seq() - 1, 1).getFirst());
            }
        }
        switch (result) {
            case Volumes.Accepted a -> {
                metrics.committed();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("volume", v.idHex());
                m.put("head", a.head().commit().toHex());
                m.put("seq", a.head().seq());
                m.put("newObjects", check.reached().size());
                Exchanges.sendJson(ex, 200, m);
            }
            case Volumes.Moved moved -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("head", moved.current().map(h -> h.commit().toHex()).orElse(null));
                d.put("seq", moved.current().map(Volumes.Head::seq).orElse(0L));
                throw new HostException(409, "head_moved", "the head is no longer the expected one", d);
            }
        }
    }

    private void checkParents(Volume v, Commit c, Optional<Hash> expected, ObjectStore objects) {
        if (expected.isPresent() && !c.parents().contains(expected.get())) {
            throw new HostException(400, "bad_parent", "a commit onto " + expected.get().toHex() + " must list it as a parent");
        }
        var known = store.access().known(v.id(), c.parents());
        for (Hash parent : c.parents()) {
            if (!known.contains(parent) || !(objects.read(parent) instanceof Commit)) {
                throw new HostException(400, "bad_parent", "parent " + parent.toHex() + " is not a commit of this volume");
            }
        }
    }

}
