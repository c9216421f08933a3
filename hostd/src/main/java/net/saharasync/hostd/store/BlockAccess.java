package net.saharasync.hostd.store;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;

/**
 * Who may use which block: the defence against a cross-user hash oracle (the Dropship attack
 * on Dropbox). Storage dedups across all users, but a user may "have" or download a block
 * only if it is reachable from a volume they can read, or if they uploaded it themselves.
 * Everything else is answered as if absent, so nobody learns what others store.
 */
public final class BlockAccess {
    private static final Hash EMPTY = Hash.of(new byte[0]);

    private final LmdbEnvironment env;
    private final LmdbEnvironment.Table reach;
    private final LmdbEnvironment.Table uploads;
    private final LmdbEnvironment.Table userReach;

    BlockAccess(LmdbEnvironment env, LmdbEnvironment.Table reach, LmdbEnvironment.Table userReach) {
        this.env = env;
        this.reach = reach;
        this.userReach = userReach;
        this.uploads = env.table("uploads");
    }

    /** Records that {@code user} uploaded these blocks (after they were stored). */
    public void recordUploads(long user, Collection<Hash> hashes) {
        if (hashes.isEmpty()) return;
        env.write(txn -> {
            ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
            ByteBuffer one = Keys.flag(1);
            for (Hash h : hashes) txn.put(uploads, Keys.fill(key, user, h), one);
            return null;
        });
    }

    /** Those of {@code hashes} already reachable from a commit of {@code volume}. */
    public Set<Hash> known(long volume, List<Hash> hashes) {
        return env.read(txn -> {
            ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
            Set<Hash> out = new HashSet<>();
            for (Hash h : hashes) {
                if (txn.contains(reach, Keys.fill(key, volume, h))) out.add(h);
            }
            return out;
        });
    }

    /**
     * Which of {@code hashes} {@code user} may use: bit i is set when hashes[i] was uploaded by
     * the user or is reachable from a volume the user can read. Two lookups per hash, whatever
     * the number of volumes.
     */
    public BitSet usable(long user, List<Hash> hashes) {
        return env.read(txn -> {
            ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
            BitSet out = new BitSet(hashes.size());
            for (int i = 0; i < hashes.size(); i++) {
                Hash h = hashes.get(i);
                Keys.fill(key, user, h);
                if (h.equals(EMPTY) || txn.contains(uploads, key) || txn.contains(userReach, key)) out.set(i);
            }
            return out;
        });
    }

    /** {@link #usable} as a set. */
    public Set<Hash> usableSet(long user, List<Hash> hashes) {
        BitSet bits = usable(user, hashes);
        Set<Hash> out = new HashSet<>();
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) out.add(hashes.get(i));
        return out;
    }
}
