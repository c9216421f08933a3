package net.saharasync.hostd.store.lmdb;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.store.TreeSizeStore;
import net.saharasync.merkle.TreeStats;

/**
 * How big each accepted folder object is as a folder ({@link TreeStats.Stats}: entries under
 * it at every depth, and its depth), so a commit's size is checked in time linear in its new
 * folders: an unchanged subfolder is looked up, not walked. Derived data: a folder without a
 * record (accepted before the table existed) is walked once and recorded then.
 * <pre>treesizes  hash(32) -> entries(8) depth(4)</pre>
 */
public final class LmdbTreeSizes implements TreeSizeStore {
    private final LmdbEnvironment env;
    private final LmdbEnvironment.Table table;

    LmdbTreeSizes(LmdbEnvironment env) {
        this.env = env;
        this.table = env.table("treesizes");
    }

    @Override
    public Optional<TreeStats.Stats> get(Hash folder) {
        return env.read(txn -> txn.get(table, Keys.of(folder)).map(v -> new TreeStats.Stats(v.getLong(0), v.getInt(8))));
    }

    @Override
    public void record(Map<Hash, TreeStats.Stats> sizes) {
        if (sizes.isEmpty()) return;
        env.write(txn -> {
            ByteBuffer v = ByteBuffer.allocateDirect(12);
            for (Map.Entry<Hash, TreeStats.Stats> e : sizes.entrySet()) {
                v.clear();
                v.putLong(0, e.getValue().entries()).putInt(8, e.getValue().depth());
                txn.put(table, Keys.of(e.getKey()), v);
            }
            return null;
        });
    }
}
