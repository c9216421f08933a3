package net.saharasync.hostd.store.lmdb;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.store.BlockAccessStore;

/** {@link BlockAccessStore} in LMDB: {@code uploads}, and the {@code reach} and {@code user_reach} tables {@link LmdbVolumes} fills. */
public final class LmdbBlockAccess implements BlockAccessStore {
    private final LmdbEnvironment env;
    private final LmdbEnvironment.Table reach;
    private final LmdbEnvironment.Table uploads;
    private final LmdbEnvironment.Table userReach;

    LmdbBlockAccess(LmdbEnvironment env, LmdbEnvironment.Table reach, LmdbEnvironment.Table userReach) {
        this.env = env;
        this.reach = reach;
        this.userReach = userReach;
        this.uploads = env.table("uploads");
    }

    @Override
    public void recordUploads(long user, Collection<Hash> hashes) {
        if (hashes.isEmpty()) return;
        env.write(txn -> {
            ByteBuffer key = ByteBuffer.allocateDirect(8 + Hash.BYTES);
            ByteBuffer one = Keys.flag(1);
            for (Hash h : hashes) txn.put(uploads, Keys.fill(key, user, h), one);
            return null;
        });
    }

    @Override
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

    /** Two lookups per hash, whatever the number of volumes. */
    @Override
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
}
