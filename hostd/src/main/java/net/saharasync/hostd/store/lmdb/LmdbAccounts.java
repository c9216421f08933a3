package net.saharasync.hostd.store.lmdb;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.StoreRules;
import net.saharasync.protocol.ErrorCode;

/** {@link AccountStore} in LMDB: {@code users}, {@code user_ids} and {@code tokens} (keyed by the secret's SHA-256). */
public final class LmdbAccounts implements AccountStore {
    static final ObjectMapper JSON = new ObjectMapper();

    private final LmdbEnvironment env;
    private final LmdbEnvironment.Table users;
    private final LmdbEnvironment.Table userIds;
    private final LmdbEnvironment.Table tokens;

    LmdbAccounts(LmdbEnvironment env) {
        this.env = env;
        this.users = env.table("users");
        this.userIds = env.table("user_ids");
        this.tokens = env.table("tokens");
    }

    @Override
    public User addUser(String name, boolean admin) {
        StoreRules.checkUserName(name);
        long id = StoreRules.randomId();
        User u = new User(id, name, admin, System.currentTimeMillis());
        byte[] json = write(u);
        return env.write(txn -> {
            ByteBuffer key = Keys.of(name);
            if (txn.contains(users, key)) throw new HostException(ErrorCode.USER_EXISTS, "user " + name + " already exists");
            txn.put(users, key, Keys.of(json));
            txn.put(userIds, Keys.of(id), Keys.of(name));
            return u;
        });
    }

    @Override
    public Optional<User> user(String name) {
        return env.read(txn -> txn.get(users, Keys.of(name)).map(v -> read(v, User.class)));
    }

    @Override
    public Optional<User> user(long id) {
        return env.read(txn -> txn.get(userIds, Keys.of(id))
                .flatMap(n -> txn.get(users, n)).map(v -> read(v, User.class)));
    }

    @Override
    public List<User> users() {
        return env.read(txn -> {
            List<User> out = new ArrayList<>();
            txn.scan(users, Optional.empty(), (k, v) -> out.add(read(v, User.class)));
            return out;
        });
    }

    @Override
    public Issued issueToken(User user, String device) {
        StoreRules.checkDevice(device);
        String text = StoreRules.newSecret();
        Hash h = StoreRules.secretHash(text);
        Token t = new Token(StoreRules.tokenId(h), user.id(), device, System.currentTimeMillis());
        byte[] json = write(t);
        env.write(txn -> {
            if (!txn.contains(userIds, Keys.of(user.id()))) throw HostException.notFound("no user " + user.name());
            txn.put(tokens, Keys.of(h), Keys.of(json));
            return null;
        });
        return new Issued(text, t);
    }

    @Override
    public Optional<Principal> authenticate(String secret) {
        if (!StoreRules.plausibleSecret(secret)) return Optional.empty();
        Hash h = StoreRules.secretHash(secret);
        return env.read(txn -> txn.get(tokens, Keys.of(h)).map(v -> read(v, Token.class)).flatMap(t ->
                txn.get(userIds, Keys.of(t.user())).flatMap(n -> txn.get(users, n))
                        .map(v -> new Principal(read(v, User.class), t))));
    }

    @Override
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

    @Override
    public boolean revoke(String tokenId, Optional<Long> onlyOf) {
        return env.write(txn -> {
            Optional<ByteBuffer> key = tokenKey(txn, tokenId, onlyOf);
            return key.isPresent() && txn.delete(tokens, key.get());
        });
    }

    /** The stored key of the token with this id (of that user only, if given). */
    private Optional<ByteBuffer> tokenKey(LmdbEnvironment.ReadTxn txn, String tokenId, Optional<Long> onlyOf) {
        if (!StoreRules.plausibleTokenId(tokenId)) return Optional.empty();
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

    @Override
    public boolean live(String tokenId) {
        return env.read(txn -> tokenKey(txn, tokenId, Optional.empty())
                .flatMap(k -> txn.get(tokens, k))
                .map(v -> txn.contains(userIds, Keys.of(read(v, Token.class).user())))
                .orElse(false));
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
