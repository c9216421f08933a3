package net.saharasync.hostd.store.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.StoreRules;
import net.saharasync.protocol.ErrorCode;

/** {@link AccountStore} in memory; like the LMDB one it keeps only each token's hash. */
final class MemoryAccounts implements AccountStore {
    private final Map<String, User> users = new TreeMap<>();
    private final Map<Long, String> names = new java.util.HashMap<>();
    /** By the hex of the secret's hash (so in the same order as LMDB's keys). */
    private final Map<String, Token> tokens = new TreeMap<>();

    @Override
    public synchronized User addUser(String name, boolean admin) {
        StoreRules.checkUserName(name);
        if (users.containsKey(name)) throw new HostException(ErrorCode.USER_EXISTS, "user " + name + " already exists");
        User u = new User(StoreRules.randomId(), name, admin, System.currentTimeMillis());
        users.put(name, u);
        names.put(u.id(), name);
        return u;
    }

    @Override
    public synchronized Optional<User> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    @Override
    public synchronized Optional<User> user(long id) {
        return Optional.ofNullable(names.get(id)).map(users::get);
    }

    @Override
    public synchronized List<User> users() {
        return List.copyOf(users.values());
    }

    @Override
    public synchronized Issued issueToken(User user, String device) {
        StoreRules.checkDevice(device);
        if (!names.containsKey(user.id())) throw HostException.notFound("no user " + user.name());
        String secret = StoreRules.newSecret();
        var h = StoreRules.secretHash(secret);
        Token t = new Token(StoreRules.tokenId(h), user.id(), device, System.currentTimeMillis());
        tokens.put(h.toHex(), t);
        return new Issued(secret, t);
    }

    @Override
    public synchronized Optional<Principal> authenticate(String secret) {
        if (!StoreRules.plausibleSecret(secret)) return Optional.empty();
        Token t = tokens.get(StoreRules.secretHash(secret).toHex());
        return t == null ? Optional.empty() : user(t.user()).map(u -> new Principal(u, t));
    }

    @Override
    public synchronized List<Token> tokens(long userId) {
        List<Token> out = new ArrayList<>();
        for (Token t : tokens.values()) if (t.user() == userId) out.add(t);
        return out;
    }

    @Override
    public synchronized boolean revoke(String tokenId, Optional<Long> onlyOf) {
        Optional<String> key = key(tokenId);
        if (key.isEmpty() || onlyOf.isPresent() && tokens.get(key.get()).user() != onlyOf.get()) return false;
        tokens.remove(key.get());
        return true;
    }

    @Override
    public synchronized boolean live(String tokenId) {
        return key(tokenId).map(k -> names.containsKey(tokens.get(k).user())).orElse(false);
    }

    /** The key of the token with this id: the first in key order whose hash starts with it, as in LMDB. */
    private Optional<String> key(String tokenId) {
        if (!StoreRules.plausibleTokenId(tokenId)) return Optional.empty();
        return tokens.keySet().stream().filter(k -> k.startsWith(tokenId)).findFirst();
    }
}
