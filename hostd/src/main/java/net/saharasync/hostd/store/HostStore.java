package net.saharasync.hostd.store;

import java.util.List;
import java.util.Map;
import net.saharasync.blockstore.BlockStore;

/**
 * Everything the host keeps, behind the interfaces its services use: blocks and tree objects
 * (deduplicated across all users), accounts, volumes, block access and folder sizes. The
 * embedded default is one LMDB environment ({@code store.lmdb.LmdbHostStore.open}); {@code store.memory.MemoryHostStore}
 * keeps the same in memory for the simulation and tests. Both pass the same contract suites.
 */
public interface HostStore extends AutoCloseable {
    BlockStore blocks();

    AccountStore accounts();

    VolumeStore volumes();

    BlockAccessStore access();

    TreeSizeStore treeSizes();

    /**
     * Stores uploaded blocks and records {@code user} as their uploader in one durable step
     * (never a record without its blocks). Blocks already stored are written again: the same
     * work, so the same time, as new ones (timing must not tell).
     */
    BlockStore.PutResult storeUploaded(long user, List<BlockStore.StoredBlock> uploaded);

    /** Entries per table and the block store's totals: a cheap picture of everything stored, for checks and tests. */
    Map<String, Long> census();

    @Override
    void close();
}
