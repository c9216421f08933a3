package net.saharasync.hostd.http;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.service.CommitService;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.ErrorCode;

/**
 * {@code POST /v1/volumes/{volume}/commits {"commit": HEX, "expected": HEX|null}}: moves the
 * head by compare-and-swap ({@link CommitService}); a lost race is 409 {@code head_moved}, an
 * incomplete commit 409 {@code missing_objects} listing what is missing. The answer comes after
 * the commit is durable; subscribers hear of the new head at once.
 */
final class CommitRoute {
    record CommitRequest(String commit, String expected) {}

    private final CommitService commits;
    private final HostMetrics metrics;
    private final HostConfig.Limits limits;

    CommitRoute(CommitService commits, HostMetrics metrics, HostConfig.Limits limits) {
        this.commits = commits;
        this.metrics = metrics;
        this.limits = limits;
    }

    void commit(HttpServerExchange ex) throws IOException {
        CommitRequest req = Exchanges.readJson(ex, CommitRequest.class, limits.maxJsonBytes());
        Hash commit = Exchanges.hash(req.commit(), "commit");
        Optional<Hash> expected = req.expected() == null ? Optional.empty() : Optional.of(Exchanges.hash(req.expected(), "expected"));
        switch (commits.commit(Exchanges.principal(ex), Exchanges.param(ex, "volume"), commit, expected)) {
            case CommitService.Accepted a -> {
                metrics.committed();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("volume", a.volume().idHex());
                m.put("head", a.head().commit().toHex());
                m.put("seq", a.head().seq());
                m.put("newObjects", a.newObjects());
                Exchanges.sendJson(ex, 200, m);
            }
            case CommitService.Moved moved -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("head", moved.current().map(h -> h.commit().toHex()).orElse(null));
                d.put("seq", moved.current().map(VolumeStore.Head::seq).orElse(0L));
                throw new HostException(ErrorCode.HEAD_MOVED, "the head is no longer the expected one", d);
            }
            case CommitService.Incomplete i -> throw new HostException(ErrorCode.MISSING_OBJECTS,
                    i.missingCount() + " objects the commit needs are not on the host",
                    Map.of("missing", i.missing().stream().map(Hash::toHex).toList(), "missingCount", i.missingCount()));
        }
    }
}
