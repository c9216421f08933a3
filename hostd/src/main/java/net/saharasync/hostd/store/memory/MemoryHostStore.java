package net.saharasync.hostd.store.memory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.BlockAccessStore;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.TreeSizeStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.merkle.TreeStats;

/**
 * {@link HostStore} in memory: the simulation runs the host's real services over it, and
 * the store contract suites hold it to what the LMDB store does. Nothing is durable, so
 * "durable" means "done when the call returns".
 */
public final class MemoryHostStore implements HostStore {
    private final InMemoryBlockStore blocks;
    private final MemoryAccounts accounts = new MemoryAccounts();
    private final MemoryVolumes volumes = new MemoryVolumes();
    private final MemorySizes sizes = new MemorySizes();

    public MemoryHostStore() {
        this(new BlockCodec(1));
    }

    /** Over blocks compressed by {@code codec} (closed with the store). */
    public MemoryHostStore(BlockCodec codec) {
        this.blocks = new InMemoryBlockStore(codec);
        // The empty block is everybody's (a zero-length file has it as content): knowing it reveals nothing.
        blocks.putAll(List.of(Block.of(new byte[0])));
    }

    private static final class MemorySizes implements TreeSizeStore {
        private final Map<Hash, TreeStats.Stats> sizes = new ConcurrentHashMap<>();

        @Override
        public java.util.Optional<TreeStats.Stats> get(Hash folder) {
            return java.util.Optional.ofNullable(sizes.get(folder));
        }

        @Override
        public void record(Map<Hash, TreeStats.Stats> computed) {
            sizes.putAll(computed);
        }
    }

    @Override
    public BlockStore blocks() {
        return blocks;
    }

    @Override
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public VolumeStore volumes() {
        return volumes;
    }

    @Override
    public BlockAccessStore access() {
        return volumes;
    }

    @Override
    public TreeSizeStore treeSizes() {
        return sizes;
    }

    @Override
    public BlockStore.PutResult storeUploaded(long user, List<BlockStore.StoredBlock> uploaded) {
        // One lock for both, so no reader sees the record without its blocks.
        synchronized (volumes) {
            BlockStore.PutResult put = blocks.putAllStoredRewriting(uploaded);
            volumes.recordUploads(user, uploaded.stream().map(BlockStore.StoredBlock::hash).toList());
            return put;
        }
    }

    @Override
    public Map<String, Long> census() {
        Map<String, Long> out = new TreeMap<>(volumes.census());
        out.put("users", (long) accounts.users().size());
        BlockStore.StoreStats s = blocks.stats();
        out.put("blocks", s.blocks());
        out.put("block raw bytes", s.rawBytes());
        out.put("block stored bytes", s.storedBytes());
        return out;
    }

    @Override
    public void close() {
        blocks.close();
    }
}
