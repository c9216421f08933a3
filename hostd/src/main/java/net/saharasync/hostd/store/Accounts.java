package net.saharasync.hostd.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.HostException;

/**
 * Users and their device tokens. A token is 256 random bits; only its SHA-256 is stored (the
 * key of the {@code tokens} table), so a copy of the data directory does not let anyone in.
 * A token's id (the first 8 bytes of that hash, in hex) names it for listing and revoking.
 */
public final class Accounts {
    /** A user. Ids are random, never reused. */
    public record User(long id, String name, boolean admin, long created) {}

    /** What the host keeps of a token. */
    public record Token(String id, long user, String device, long created) {}

    /** A token as handed out once: the secret itself and what is stored of it. */
    public record Issued(String secret, Token token) {}

    /** Who is calling: the token's user and device. */
    public record Principal(User user, Token token) {
        public long userId() {
            return user.id();
        }
    }

    public static final String TOKEN_PREFIX = "sst_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern DEVICE = Pattern.compile("[\\p{L}\\p{N}._ -]{1,64}");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LmdbEnvironment env;
    private final LmdbEnvironment.Table users;
    private final LmdbEnvironment.Table userIds;
    private final LmdbEnvironment.Table tokens;

    Accounts(LmdbEnvironment env) {
        this.env = env;
        this.users = env.table("users");
        this.userIds = env.table("user_ids");
        this.tokens = env.table("tokens");
    }

    /** Creates a user; names are 1..64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit. */
    public User addUser(String name, boolean admin) {
        if (!NAME.matcher(name).matches()) {
            throw HostException.badRequest("a user name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        long id = RANDOM.nextLong() & Long.MAX_VALUE;
        User u = new User(id, name, admin, System.currentTimeMillis());
        byte[] json = write(u);
        return env.write(txn -> {
            ByteBuffer key = Keys.of(name);
            if (txn.contains(users, key)) throw new HostException(409, "user_exists", "user " + name + " already exists");
            txn.put(users, key, Keys.of(json));
            txn.put(userIds, Keys.of(id), Keys.of(name));
            return u;
        });
    }

    public Optional<User> user(String name) {
        return env.read(txn -> txn.get(users, Keys.of(name)).map(v -> read(v, User.class)));
    }

    public Optional<User> user(long id) {
        return env.read(txn -> txn.get(userIds, Keys.of(id))
                .flatMap(n -> txn.get(users, n)).map(v -> read(v, User.class)));
    }

    public List<User> users() {
        return env.read(txn -> {
            List<User> out = new ArrayList<>();
            txn.scan(users, Optional.empty(), (k, v) -> out.add(read(v, User.class)));
            return out;
        });
    }

    /** A new token for one of the user's devices. The secret is returned once and never stored. */
    public Issued issueToken(User user, String device) {
        if (!DEVICE.matcher(device).matches()) {
            throw HostException.badRequest("a device name is 1-64 letters, digits, spaces, '.', '_' or '-'");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String text = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Hash h = Hash.of(text.getBytes(StandardCharsets.UTF_8));
        Token t = new Token(idOf(h), user.id(), device, System.currentTimeMillis());
        byte[] json = write(t);
        env.write(txn -> {
            if (!txn.contains(userIds, Keys.of(user.id()))) throw HostException.notFound("no user " + user.name());
            txn.put(tokens, Keys.of(h), Keys.of(json));
            return null;
        });
        return new Issued(text, t);
    }

    /** The caller a bearer token belongs to, if it is a live token of an existing user. */
    public Optional<Principal> authenticate(String secret) {
        if (!secret.startsWith(TOKEN_PREFIX) || secret.length() > 128) return Optional.empty();
        Hash h = Hash.of(secret.getBytes(StandardCharsets.UTF_8));
        return env.read(txn -> txn.get(tokens, Keys.of(h)).map(v -> read(v, Token.class)).flatMap(t ->
                txn.get(userIds, Keys.of(t.user())).flatMap(n -> txn.get(users, n))
                        .map(v -> new Principal(read(v, User.class), t))));
    }

    /** The user's tokens (ids and devices, never secrets). */
    public List<Token> tokens(long userId) {
        return env.read(txn -> {
            List<Token> out = new ArrayList<>();
            txn.scan(tokens, Optional.empty(), (k, v) -> {
                Token t = read(v, Token.class);
                if (t.user() == userId) out.add(t);
                return true;
            });
            return out;
        });
    }

    /**
     * Revokes a token by id; with {@code onlyOf} present, only if it belongs to that user.
     * @return whether a token was revoked
     */
    public boolean revoke(String tokenId, Optional<Long> onlyOf) {
        return env.write(txn -> {
            Optional<ByteBuffer> key = tokenKey(txn, tokenId, onlyOf);
            return key.isPresent() && txn.delete(tokens, key.get());
        });
    }

    /** The stored key of the token with this id (of that user only, if given). */
    private Optional<ByteBuffer> tokenKey(LmdbEnvironment.ReadTxn txn, String tokenId, Optional<Long> onlyOf) {
        if (!tokenId.matches("[0-9a-f]{16}")) return Optional.empty();
        byte[] prefix = HexFormat.of().parseHex(tokenId);
        ByteBuffer[] found = {null};
        txn.scan(tokens, Optional.of(Keys.of(prefix)), (k, v) -> {
            byte[] key = Keys.bytes(k);
            if (!java.util.Arrays.equals(key, 0, 8, prefix, 0, 8)) return false;
            Token t = read(v, Token.class);
            if (onlyOf.isEmpty() || onlyOf.get() == t.user()) found[0] = Keys.of(key);
            return false;
        });
        return Optional.ofNullable(found[0]);
    }

    /** Whether the token with this id still exists (not revoked) and its user too. */
    public boolean live(String tokenId) {
        return env.read(txn -> tokenKey(txn, tokenId, Optional.empty())
                .flatMap(k -> txn.get(tokens, k))
                .map(v -> txn.contains(userIds, Keys.of(read(v, Token.class).user())))
                .orElse(false));
    }

    private static String idOf(Hash tokenHash) {
        return tokenHash.toHex().substring(0, 16);
    }

    static byte[] write(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(ByteBuffer v, Class<T> type) {
        try {
            return JSON.readValue(Keys.bytes(v), type);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }
}
