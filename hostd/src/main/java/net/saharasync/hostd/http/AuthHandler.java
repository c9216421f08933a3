package net.saharasync.hostd.http;

import net.saharasync.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Optional;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.AccountStore.Principal;

/**
 * Requires {@code Authorization: Bearer <token>} naming a live token; attaches the caller.
 * A missing, malformed, unknown or revoked token gets the same 401, which says nothing else.
 */
public final class AuthHandler implements HttpHandler {
    private static final HostException UNAUTHORIZED = new HostException(ErrorCode.UNAUTHORIZED, "a valid bearer token is required");
    private final AccountStore accounts;
    private final boolean adminOnly;
    private final HttpHandler next;
    private final Optional<Pacer> pacer;
    private final boolean stream;

    public AuthHandler(AccountStore accounts, boolean adminOnly, HttpHandler next) {
        this(accounts, adminOnly, next, Optional.empty(), false);
    }

    /** Also admits the caller's request through {@code pacer} (an event stream when {@code stream}). */
    AuthHandler(AccountStore accounts, boolean adminOnly, HttpHandler next, Optional<Pacer> pacer, boolean stream) {
        this.accounts = accounts;
        this.adminOnly = adminOnly;
        this.next = next;
        this.pacer = pacer;
        this.stream = stream;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        String header = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        Optional<Principal> p = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? accounts.authenticate(header.substring(7).trim())
                : Optional.empty();
        if (p.isEmpty()) throw UNAUTHORIZED;
        if (adminOnly && !p.get().user().admin()) throw HostException.forbidden("this needs an administrator's token");
        ex.putAttachment(Exchanges.PRINCIPAL, p.get());
        if (pacer.isPresent()) {
            pacer.get().admit(ex, p.get().userId(), stream, next);
        } else {
            next.handleRequest(ex);
        }
    }
}
