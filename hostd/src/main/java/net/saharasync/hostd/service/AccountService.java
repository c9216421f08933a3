package net.saharasync.hostd.service;

import java.util.Optional;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.HostStore;

/** Who a token speaks for, and the caller's own tokens. */
public final class AccountService {
    private final HostStore store;
    private final HeadEvents events;

    public AccountService(HostStore store, HeadEvents events) {
        this.store = store;
        this.events = events;
    }

    /** The caller a bearer token belongs to ({@code unauthorized} when none, whatever the reason: missing, malformed, unknown or revoked). */
    public Principal authenticate(Optional<String> bearer) {
        return bearer.flatMap(store.accounts()::authenticate)
                .orElseThrow(() -> new HostException(net.saharasync.protocol.ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
    }

    /**
     * A new token of the caller's own user for one device (a join asks for one for its folder,
     * so each machine can be revoked alone). It gives nothing the caller's token does not.
     */
    public AccountStore.Issued issue(Principal p, String device) {
        if (device == null) throw HostException.badRequest("device is required");
        return store.accounts().issueToken(p.user(), device);
    }

    /** Revokes one of the caller's tokens (an administrator: anyone's); open event streams of it close. */
    public void revoke(Principal p, String tokenId) {
        boolean done = store.accounts().revoke(tokenId, p.user().admin() ? Optional.empty() : Optional.of(p.userId()));
        if (!done) throw HostException.notFound("no token " + tokenId);
        events.accessChanged();
    }
}
