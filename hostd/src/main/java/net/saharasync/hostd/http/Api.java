package net.saharasync.hostd.http;

import net.saharasync.protocol.ErrorCode;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.service.HostServices;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.VolumeStore.Volume;
import net.saharasync.protocol.Access;

/**
 * The host's HTTP API (docs/PROTOCOL.md, "Host API"): the routes and the wrappers around
 * them. Outermost first: metrics (counts every request), errors (moves work off the I/O
 * thread, turns failures into JSON), routing, then authentication per route.
 */
public final class Api {
    private Api() {}

    /** A route body; runs on a worker thread. */
    @FunctionalInterface
    interface Route {
        void handle(HttpServerExchange ex) throws Exception;
    }

    public static HttpHandler handler(HostServices services, EventHub events, HostMetrics metrics, Pacer pacer) {
        HostConfig.Limits limits = services.limits();
        VolumeRoutes volumes = new VolumeRoutes(services.volumes(), limits);
        CommitRoute commits = new CommitRoute(services.commits(), metrics, limits);
        BlockRoutes blocks = new BlockRoutes(services.blocks(), metrics, limits, pacer);
        HostStore store = services.store();
        Auth authed = route -> new AuthHandler(store.accounts(), false, adapt(route), Optional.of(pacer), false);
        RoutingHandler r = Handlers.routing()
                .get("/v1/me", authed.wrap(ex -> me(ex)))
                .post("/v1/tokens", authed.wrap(ex -> issue(services, ex)))
                .delete("/v1/tokens/{token}", authed.wrap(ex -> revoke(services, ex)))
                .get("/v1/volumes", authed.wrap(volumes::list))
                .post("/v1/volumes", authed.wrap(volumes::create))
                .get("/v1/volumes/{volume}", authed.wrap(volumes::get))
                .get("/v1/volumes/{volume}/head", authed.wrap(volumes::head))
                .put("/v1/volumes/{volume}/grants/{user}", authed.wrap(volumes::grant))
                .get("/v1/volumes/{volume}/members", authed.wrap(volumes::members))
                .post("/v1/volumes/{volume}/accept", authed.wrap(volumes::accept))
                .delete("/v1/volumes/{volume}/membership", authed.wrap(volumes::leave))
                .get("/v1/invitations", authed.wrap(volumes::invitations))
                .get("/v1/volumes/{volume}/commits", authed.wrap(volumes::history))
                .post("/v1/volumes/{volume}/commits", authed.wrap(commits::commit))
                .get("/v1/volumes/{volume}/events",
                        new AuthHandler(store.accounts(), false, adapt(ex -> events(services, events, ex)), Optional.of(pacer), true))
                .post("/v1/blocks/missing", authed.wrap(blocks::missing))
                .post("/v1/blocks", authed.wrap(blocks::upload))
                .post("/v1/blocks/fetch", authed.wrap(blocks::fetch))
                .post("/v1/blocks/fetch-delta", authed.wrap(blocks::fetchDelta))
                .post("/v1/blocks/signatures", authed.wrap(blocks::signatures))
                .get("/metrics", new AuthHandler(store.accounts(), true, adapt(metrics::scrape)))
                .setFallbackHandler(open(ex -> {
                    throw HostException.notFound("no such endpoint: " + ex.getRequestMethod() + " " + ex.getRequestPath());
                }))
                .setInvalidMethodHandler(open(ex -> {
                    throw new HostException(ErrorCode.METHOD_NOT_ALLOWED, ex.getRequestMethod() + " is not allowed on " + ex.getRequestPath());
                }));
        HttpHandler errors = new ErrorHandler(r);
        // Health is answered on the I/O thread: it stays served when every worker is busy.
        HttpHandler health = ex -> {
            if (ex.getRequestPath().equals("/v1/health") && ex.getRequestMethod().equalToString("GET")) {
                ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
                ex.getResponseSender().send("{\"status\":\"ok\"}");
                return;
            }
            errors.handleRequest(ex);
        };
        // Clients such as curl send "Expect: 100-continue" before large bodies and wait for the answer.
        return metrics.counting(pacer.tracking(Handlers.httpContinueRead(health)));
    }

    /** Wraps a route in authentication and per-user admission. */
    @FunctionalInterface
    private interface Auth {
        HttpHandler wrap(Route route);
    }

    private static HttpHandler adapt(Route route) {
        return route::handle;
    }

    private static HttpHandler open(Route route) {
        return adapt(route);
    }

    private static void me(HttpServerExchange ex) {
        Principal p = Exchanges.principal(ex);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", p.user().name());
        m.put("admin", p.user().admin());
        m.put("device", p.token().device());
        m.put("token", p.token().id());
        Exchanges.sendJson(ex, 200, m);
    }

    record NewToken(String device) {}

    /** {@code POST /v1/tokens {"device":"laptop"}} ({@link net.saharasync.hostd.service.AccountService#issue}). */
    private static void issue(HostServices services, HttpServerExchange ex) throws java.io.IOException {
        NewToken req = Exchanges.readJson(ex, NewToken.class, services.limits().maxJsonBytes());
        AccountStore.Issued t = services.accounts().issue(Exchanges.principal(ex), req.device());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token", t.secret());
        m.put("id", t.token().id());
        m.put("device", t.token().device());
        Exchanges.sendJson(ex, 201, m);
    }

    /** {@code DELETE /v1/tokens/{id}}: one's own token (an administrator: anyone's). */
    private static void revoke(HostServices services, HttpServerExchange ex) {
        String id = Exchanges.param(ex, "token");
        services.accounts().revoke(Exchanges.principal(ex), id);
        Exchanges.sendJson(ex, 200, Map.of("revoked", id));
    }

    private static void events(HostServices services, EventHub events, HttpServerExchange ex) throws Exception {
        Principal p = Exchanges.principal(ex);
        Volume v = services.policy().volume(p, Exchanges.param(ex, "volume"), Access.READ);
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        long after;
        if (last != null) {
            try {
                after = Long.parseLong(last.trim());
            } catch (NumberFormatException e) {
                throw HostException.badRequest("Last-Event-ID must be a sequence number");
            }
        } else {
            // By default the stream starts with the current head, so a client learns its state at once.
            after = Exchanges.queryLong(ex, "after", services.store().volumes().head(v.id()).map(h -> h.seq() - 1).orElse(0L), 0, Long.MAX_VALUE);
        }
        events.subscribe(ex, p, v.id(), Math.max(0, after));
    }
}
