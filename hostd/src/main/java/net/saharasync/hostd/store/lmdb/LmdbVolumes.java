package net.saharasync.hostd.store.lmdb;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.StoreRules;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.Access;

/**
 * {@link VolumeStore} in LMDB. A head moves in one durable transaction that also appends the
 * history entry and records every newly reachable object in the volume's reach set and in
 * each reader's {@code user_reach}.
 */
public final class LmdbVolumes implements VolumeStore {
    /** Per volume: what makes its compare-and-swaps and their listeners run one at a time. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Object> turns = new java.util.concurrent.ConcurrentHashMap<>();

    private final LmdbEnvironment env;
    private final LmdbEnvironment.Table volumes;
    private final LmdbEnvironment.Table access;
    private final LmdbEnvironment.Table heads;
    private final LmdbEnvironment.Table history;
    private final LmdbEnvironment.Table reach;
    private final LmdbEnvironment.Table invites;
    private final LmdbEnvironment.Table meta;
    /** vol(8) user(8) -> level: {@link #access} by volume, so a commit finds its volume's members at once. */
    private final LmdbEnvironment.Table members;
    /**
     * user(8) hash(32) -> 1: every object reachable from a volume the user may read. "May this
     * caller use this hash" is then one lookup, whatever the number of volumes (it was one per
     * readable volume per hash: 400 volumes made a negotiation 25 times slower).
     */
    private final LmdbEnvironment.Table userReach;
    private static final String SHARES_ARE_INVITATIONS = "shares-are-invitations";
    private static final String USER_REACH_BUILT = "user-reach-built";

    LmdbVolumes(LmdbEnvironment env, LmdbEnvironment.Table reach, LmdbEnvironment.Table userReach) {
        this.env = env;
        this.volumes = env.table("volumes");
        this.access = env.table("access");
        this.invites = env.table("invites");
        this.meta = env.table("volumes_meta");
        this.members = env.table("volume_members");
        this.heads = env.table("heads");
        this.history = env.table("history");
        this.reach = reach;
        this.userReach = userReach;
        grantsBecomeInvitations();
        buildUserReach();
    }

    /** Once per store: the by-volume index and every user's reach, from the grants and reach sets. */
    private void buildUserReach() {
        ByteBuffer marker = Keys.of(USER_REACH_BUILT);
        if (env.read(txn -> txn.contains(meta, marker))) return;
        env.write(txn -> {
            if (txn.contains(meta, marker)) return null;
            List<long[]> grants = new ArrayList<>();
            txn.scan(access, Optional.empty(), (k, v) -> {
                grants.add(new long[] {k.getLong(k.position()), k.getLong(k.position() + 8), v.get(v.position())});
                return true;
            });
            for (long[] g : grants) {
                txn.put(members, Keys.of(g[1], g[0]), Keys.flag((int) g[2]));
                addReach(txn, g[0], g[1]);
            }
            txn.put(meta, marker, Keys.flag(1));
            return null;
        });
    }

    private void setAccess(LmdbEnvironment.WriteTxn txn, long user, long volume, Access level) {
        txn.put(access, Keys.of(user, volume), Keys.flag(level.ordinal()));
        txn.put(members, Keys.of(volume, user), Keys.flag(level.ordinal()));
    }

    /** Removes {@code user}'s access to {@code volume} and what it let them use; false if there was none. */
    private boolean removeAccess(LmdbEnvironment.WriteTxn txn, long user, long volume) {
        boolean had = txn.delete(access, Keys.of(user, volume));
        txn.delete(members, Keys.of(volume, user));
        if (had) rebuildReach(txn, user);
        return had;
    }

    /** Adds everything reachable in {@code volume} to {@code user}'s reach: O(the volume's objects), once per share accepted. */
    private void addReach(LmdbEnvironment.WriteTxn txn, long user, long volume) {
        ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
        ByteBuffer one = Keys.flag(1);
        List<Hash> batch = new ArrayList<>();
        Optional<ByteBuffer> from = Optional.of(Keys.of(volume));
        while (true) {
            batch.clear();
            txn.scan(reach, from, (k, v) -> {
                if (k.getLong(k.position()) != volume) return false;
                batch.add(Hash.read(k.duplicate().position(k.position() + 8)));
                return batch.size() < 65_536;
            });
            for (Hash h : batch) txn.put(userReach, Keys.fill(key, user, h), one);
            if (batch.size() < 65_536) return;
            from = Optional.of(Keys.of(volume, batch.getLast()));
        }
    }

    /** {@code user}'s reach anew from the volumes they still have (after losing one: rare, and O(their volumes' objects)). */
    private void rebuildReach(LmdbEnvironment.WriteTxn txn, long user) {
        List<Hash> old = new ArrayList<>();
        txn.scan(userReach, Optional.of(Keys.of(user)), (k, v) -> {
            if (k.getLong(k.position()) != user) return false;
            old.add(Hash.read(k.duplicate().position(k.position() + 8)));
            return true;
        });
        ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
        for (Hash h : old) txn.delete(userReach, Keys.fill(key, user, h));
        for (VolumeAccess va : listed(txn, access, user)) addReach(txn, user, va.volume().id());
    }

    /**
     * Once per store: grants made before shares needed accepting (anyone could put a volume in
     * anyone's list) become invitations, so every share in effect is one its user accepted.
     */
    private void grantsBecomeInvitations() {
        ByteBuffer marker = Keys.of(SHARES_ARE_INVITATIONS);
        if (env.read(txn -> txn.contains(meta, marker))) return;
        env.write(txn -> {
            if (txn.contains(meta, marker)) return null;
            List<ByteBuffer[]> moved = new ArrayList<>();
            txn.scan(access, Optional.empty(), (k, v) -> {
                if (v.get(v.position()) != Access.OWNER.ordinal()) moved.add(new ByteBuffer[] {copy(k), copy(v)});
                return true;
            });
            for (ByteBuffer[] kv : moved) {
                txn.put(invites, kv[0].duplicate(), kv[1].duplicate());
                txn.delete(access, kv[0].duplicate());
            }
            txn.put(meta, marker, Keys.flag(1));
            return null;
        });
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocateDirect(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    @Override
    public Volume create(long owner, String name, ChunkerParams chunking) {
        StoreRules.checkVolumeName(name);
        Volume v = new Volume(StoreRules.randomId(), name, owner, System.currentTimeMillis(), chunking);
        byte[] json = LmdbAccounts.write(v);
        return env.write(txn -> {
            txn.put(volumes, Keys.of(v.id()), Keys.of(json));
            setAccess(txn, owner, v.id(), Access.OWNER);
            return v;
        });
    }

    @Override
    public Optional<Volume> get(long id) {
        return env.read(txn -> txn.get(volumes, Keys.of(id)).map(b -> LmdbAccounts.read(b, Volume.class)));
    }

    @Override
    public Access access(long user, long volume) {
        return env.read(txn -> txn.get(access, Keys.of(user, volume)).map(b -> Access.values()[b.get(b.position())]).orElse(Access.NONE));
    }

    @Override
    public GrantOutcome grant(long volume, long user, Access level) {
        if (level == Access.OWNER) throw HostException.badRequest("ownership cannot be granted");
        return env.write(txn -> {
            ByteBuffer key = Keys.of(user, volume);
            Optional<ByteBuffer> cur = txn.get(access, key);
            if (cur.isPresent() && cur.get().get(cur.get().position()) == Access.OWNER.ordinal()) {
                throw HostException.badRequest("the owner's access cannot change");
            }
            if (level == Access.NONE) {
                removeAccess(txn, user, volume);
                txn.delete(invites, key);
                return GrantOutcome.REMOVED;
            }
            if (cur.isPresent()) {
                setAccess(txn, user, volume, level);
                txn.delete(invites, key);
                return GrantOutcome.GRANTED;
            }
            txn.put(invites, key, Keys.flag(level.ordinal()));
            return GrantOutcome.INVITED;
        });
    }

    @Override
    public boolean accept(long user, long volume) {
        return env.write(txn -> {
            ByteBuffer key = Keys.of(user, volume);
            Optional<ByteBuffer> inv = txn.get(invites, key);
            if (inv.isEmpty()) return false;
            Access level = Access.values()[inv.get().get(inv.get().position())];
            txn.delete(invites, key);
            setAccess(txn, user, volume, level);
            addReach(txn, user, volume);
            return true;
        });
    }

    @Override
    public boolean leave(long user, long volume) {
        return env.write(txn -> {
            ByteBuffer key = Keys.of(user, volume);
            boolean declined = txn.delete(invites, key);
            Optional<ByteBuffer> cur = txn.get(access, key);
            if (cur.isPresent() && cur.get().get(cur.get().position()) == Access.OWNER.ordinal()) {
                throw HostException.badRequest("an owner cannot leave their own volume");
            }
            return removeAccess(txn, user, volume) || declined;
        });
    }

    @Override
    public List<VolumeAccess> invitations(long user) {
        return env.read(txn -> listed(txn, invites, user));
    }

    @Override
    public List<Member> members(long volume) {
        return env.read(txn -> {
            List<Member> out = new ArrayList<>();
            for (LmdbEnvironment.Table t : List.of(access, invites)) {
                txn.scan(t, Optional.empty(), (k, v) -> {
                    if (k.getLong(k.position() + 8) == volume) {
                        out.add(new Member(k.getLong(k.position()), Access.values()[v.get(v.position())], t == invites));
                    }
                    return true;
                });
            }
            return out;
        });
    }

    @Override
    public List<VolumeAccess> visibleTo(long user) {
        return env.read(txn -> listed(txn, access, user));
    }

    private List<VolumeAccess> listed(LmdbEnvironment.ReadTxn txn, LmdbEnvironment.Table table, long user) {
        List<Long> ids = new ArrayList<>();
        List<Access> levels = new ArrayList<>();
        txn.scan(table, Optional.of(Keys.of(user)), (k, v) -> {
            if (k.getLong(k.position()) != user) return false;
            ids.add(k.getLong(k.position() + 8));
            levels.add(Access.values()[v.get(v.position())]);
            return true;
        });
        List<VolumeAccess> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Optional<ByteBuffer> b = txn.get(volumes, Keys.of(ids.get(i)));
            if (b.isPresent()) out.add(new VolumeAccess(LmdbAccounts.read(b.get(), Volume.class), levels.get(i)));
        }
        return out;
    }

    @Override
    public Optional<Head> head(long volume) {
        return env.read(txn -> txn.get(heads, Keys.of(volume)).map(LmdbVolumes::readHead));
    }

    private static Head readHead(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        long seq = d.getLong();
        return new Head(seq, Hash.read(d));
    }

    @Override
    public CasResult compareAndSet(long volume, Optional<Hash> expected, Hash commit, long user, List<Hash> reached,
                                   java.util.function.Consumer<HistoryEntry> onAccepted) {
        synchronized (turns.computeIfAbsent(volume, v -> new Object())) {
            CasResult r = write(volume, expected, commit, user, reached);
            if (r instanceof Accepted a) onAccepted.accept(after(volume, a.head().seq() - 1, 1).getFirst());
            return r;
        }
    }

    private CasResult write(long volume, Optional<Hash> expected, Hash commit, long user, List<Hash> reached) {
        long now = System.currentTimeMillis();
        return env.write(txn -> {
            Optional<Head> current = txn.get(heads, Keys.of(volume)).map(LmdbVolumes::readHead);
            if (!current.map(Head::commit).equals(expected)) return new Moved(current);
            long seq = current.map(Head::seq).orElse(0L) + 1;
            ByteBuffer head = ByteBuffer.allocateDirect(8 + Hash.BYTES).putLong(seq);
            commit.writeTo(head);
            txn.put(heads, Keys.of(volume), head.flip());
            ByteBuffer entry = ByteBuffer.allocateDirect(Hash.BYTES + 16);
            commit.writeTo(entry);
            entry.putLong(now).putLong(user);
            txn.put(history, Keys.of(volume, seq), entry.flip());
            ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
            ByteBuffer one = Keys.flag(1);
            for (Hash h : reached) txn.put(reach, Keys.fill(key, volume, h), one);
            // ...and to the reach of each user who may read the volume (a handful, usually one).
            List<Long> readers = new ArrayList<>();
            txn.scan(members, Optional.of(Keys.of(volume)), (k, v) -> {
                if (k.getLong(k.position()) != volume) return false;
                readers.add(k.getLong(k.position() + 8));
                return true;
            });
            for (long u : readers) {
                for (Hash h : reached) txn.put(userReach, Keys.fill(key, u, h), one);
            }
            return new Accepted(new Head(seq, commit));
        });
    }

    @Override
    public List<HistoryEntry> after(long volume, long after, int limit) {
        return env.read(txn -> {
            List<HistoryEntry> out = new ArrayList<>();
            txn.scan(history, Optional.of(Keys.of(volume, after + 1)), (k, v) -> {
                if (k.getLong(k.position()) != volume || out.size() >= limit) return false;
                out.add(readEntry(k.getLong(k.position() + 8), v));
                return out.size() < limit;
            });
            return out;
        });
    }

    private static HistoryEntry readEntry(long seq, ByteBuffer v) {
        ByteBuffer d = v.duplicate();
        Hash h = Hash.read(d);
        return new HistoryEntry(seq, h, d.getLong(), d.getLong());
    }
}
