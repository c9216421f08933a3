package net.saharasync.hostd.store.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.BlockAccessStore;
import net.saharasync.hostd.store.StoreRules;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.Access;

/**
 * {@link VolumeStore} and {@link BlockAccessStore} in memory, as one object: both read the
 * volumes' reach. A user's reach is computed from the volumes they can read (the LMDB store
 * keeps it as a table); the answers are the same, which the contract suites hold both to.
 */
final class MemoryVolumes implements VolumeStore, BlockAccessStore {
    private record Key(long user, long volume) {}

    private final Map<Long, Volume> volumes = new HashMap<>();
    private final Map<Key, Access> access = new HashMap<>();
    private final Map<Key, Access> invites = new HashMap<>();
    private final Map<Long, Head> heads = new HashMap<>();
    private final Map<Long, List<HistoryEntry>> history = new HashMap<>();
    private final Map<Long, Set<Hash>> reach = new HashMap<>();
    private final Map<Long, Set<Hash>> uploads = new HashMap<>();

    @Override
    public synchronized Volume create(long owner, String name, ChunkerParams chunking) {
        StoreRules.checkVolumeName(name);
        Volume v = new Volume(StoreRules.randomId(), name, owner, System.currentTimeMillis(), chunking);
        volumes.put(v.id(), v);
        access.put(new Key(owner, v.id()), Access.OWNER);
        return v;
    }

    @Override
    public synchronized Optional<Volume> get(long id) {
        return Optional.ofNullable(volumes.get(id));
    }

    @Override
    public synchronized Access access(long user, long volume) {
        return access.getOrDefault(new Key(user, volume), Access.NONE);
    }

    @Override
    public synchronized GrantOutcome grant(long volume, long user, Access level) {
        if (level == Access.OWNER) throw HostException.badRequest("ownership cannot be granted");
        Key k = new Key(user, volume);
        Access cur = access.get(k);
        if (cur == Access.OWNER) throw HostException.badRequest("the owner's access cannot change");
        if (level == Access.NONE) {
            access.remove(k);
            invites.remove(k);
            return GrantOutcome.REMOVED;
        }
        if (cur != null) {
            access.put(k, level);
            invites.remove(k);
            return GrantOutcome.GRANTED;
        }
        invites.put(k, level);
        return GrantOutcome.INVITED;
    }

    @Override
    public synchronized boolean accept(long user, long volume) {
        Access level = invites.remove(new Key(user, volume));
        if (level == null) return false;
        access.put(new Key(user, volume), level);
        return true;
    }

    @Override
    public synchronized boolean leave(long user, long volume) {
        Key k = new Key(user, volume);
        boolean declined = invites.remove(k) != null;
        if (access.get(k) == Access.OWNER) throw HostException.badRequest("an owner cannot leave their own volume");
        return access.remove(k) != null || declined;
    }

    @Override
    public synchronized List<VolumeAccess> invitations(long user) {
        return listed(invites, user);
    }

    @Override
    public synchronized List<Member> members(long volume) {
        List<Member> out = new ArrayList<>();
        for (Map<Key, Access> m : List.of(access, invites)) {
            TreeMap<Long, Access> byUser = new TreeMap<>(Long::compareUnsigned);
            m.forEach((k, a) -> {
                if (k.volume() == volume) byUser.put(k.user(), a);
            });
            byUser.forEach((u, a) -> out.add(new Member(u, a, m == invites)));
        }
        return out;
    }

    @Override
    public synchronized List<VolumeAccess> visibleTo(long user) {
        return listed(access, user);
    }

    private List<VolumeAccess> listed(Map<Key, Access> m, long user) {
        TreeMap<Long, Access> byVolume = new TreeMap<>(Long::compareUnsigned);
        m.forEach((k, a) -> {
            if (k.user() == user && volumes.containsKey(k.volume())) byVolume.put(k.volume(), a);
        });
        List<VolumeAccess> out = new ArrayList<>();
        byVolume.forEach((v, a) -> out.add(new VolumeAccess(volumes.get(v), a)));
        return out;
    }

    @Override
    public synchronized Optional<Head> head(long volume) {
        return Optional.ofNullable(heads.get(volume));
    }

    /** Per volume: what makes its compare-and-swaps and their listeners run one at a time (listeners outside this store's monitor). */
    private final Map<Long, Object> turns = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public CasResult compareAndSet(long volume, Optional<Hash> expected, Hash commit, long user, List<Hash> reached,
                                   Consumer<HistoryEntry> onAccepted) {
        synchronized (turns.computeIfAbsent(volume, v -> new Object())) {
            CasResult r = write(volume, expected, commit, user, reached);
            if (r instanceof Accepted a) onAccepted.accept(after(volume, a.head().seq() - 1, 1).getFirst());
            return r;
        }
    }

    private synchronized CasResult write(long volume, Optional<Hash> expected, Hash commit, long user, List<Hash> reached) {
        Optional<Head> current = head(volume);
        if (!current.map(Head::commit).equals(expected)) return new Moved(current);
        Head h = new Head(current.map(Head::seq).orElse(0L) + 1, commit);
        heads.put(volume, h);
        history.computeIfAbsent(volume, v -> new ArrayList<>()).add(new HistoryEntry(h.seq(), commit, System.currentTimeMillis(), user));
        reach.computeIfAbsent(volume, v -> new HashSet<>()).addAll(reached);
        return new Accepted(h);
    }

    @Override
    public synchronized List<HistoryEntry> after(long volume, long after, int limit) {
        List<HistoryEntry> all = history.getOrDefault(volume, List.of());
        int from = (int) Math.min(all.size(), Math.max(0, after));
        return List.copyOf(all.subList(from, Math.min(all.size(), from + limit)));
    }

    @Override
    public synchronized void recordUploads(long user, Collection<Hash> hashes) {
        if (!hashes.isEmpty()) uploads.computeIfAbsent(user, u -> new HashSet<>()).addAll(hashes);
    }

    @Override
    public synchronized Set<Hash> known(long volume, List<Hash> hashes) {
        Set<Hash> r = reach.getOrDefault(volume, Set.of());
        Set<Hash> out = new HashSet<>();
        for (Hash h : hashes) if (r.contains(h)) out.add(h);
        return out;
    }

    @Override
    public synchronized java.util.BitSet usable(long user, List<Hash> hashes) {
        List<Set<Hash>> readable = new ArrayList<>();
        readable.add(uploads.getOrDefault(user, Set.of()));
        access.forEach((k, a) -> {
            if (k.user() == user) readable.add(reach.getOrDefault(k.volume(), Set.of()));
        });
        java.util.BitSet out = new java.util.BitSet(hashes.size());
        for (int i = 0; i < hashes.size(); i++) {
            Hash h = hashes.get(i);
            if (h.equals(EMPTY)) {
                out.set(i);
                continue;
            }
            for (Set<Hash> s : readable) {
                if (s.contains(h)) {
                    out.set(i);
                    break;
                }
            }
        }
        return out;
    }

    /** Counts for {@link MemoryHostStore#census()}, named like the LMDB tables. */
    synchronized Map<String, Long> census() {
        Map<String, Long> out = new TreeMap<>();
        out.put("volumes", (long) volumes.size());
        out.put("access", (long) access.size());
        out.put("heads", (long) heads.size());
        out.put("history", history.values().stream().mapToLong(List::size).sum());
        out.put("reach", reach.values().stream().mapToLong(Set::size).sum());
        out.put("uploads", uploads.values().stream().mapToLong(Set::size).sum());
        return out;
    }
}
