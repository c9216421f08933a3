package net.saharasync.hostd.store;

import java.util.List;
import java.util.Optional;

/**
 * Users and their device tokens. A token is 256 random bits of which only the SHA-256 is kept,
 * so a copy of the store lets nobody in; a token's id (the first 8 bytes of that hash, in hex)
 * names it for listing and revoking. Names and devices follow {@link StoreRules}.
 */
public interface AccountStore {
    /** A user. Ids are random, never reused. */
    record User(long id, String name, boolean admin, long created) {}

    /** What the host keeps of a token. */
    record Token(String id, long user, String device, long created) {}

    /** A token as handed out once: the secret itself and what is stored of it. */
    record Issued(String secret, Token token) {}

    /** Who is calling: the token's user and device. */
    record Principal(User user, Token token) {
        public long userId() {
            return user.id();
        }
    }

    /** Creates a user ({@code bad_request} for a name {@link StoreRules#checkUserName} refuses, {@code user_exists} for a taken one). */
    User addUser(String name, boolean admin);

    Optional<User> user(String name);

    Optional<User> user(long id);

    List<User> users();

    /** A new token for one of the user's devices. The secret is returned once and never stored. */
    Issued issueToken(User user, String device);

    /** The caller a bearer token belongs to, if it is a live token of an existing user. */
    Optional<Principal> authenticate(String secret);

    /** The user's tokens (ids and devices, never secrets). */
    List<Token> tokens(long userId);

    /**
     * Revokes a token by id; with {@code onlyOf} present, only if it belongs to that user.
     * @return whether a token was revoked
     */
    boolean revoke(String tokenId, Optional<Long> onlyOf);

    /** Whether the token with this id still exists (not revoked) and its user too. */
    boolean live(String tokenId);
}
