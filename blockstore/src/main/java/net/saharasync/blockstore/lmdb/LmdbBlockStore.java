package net.saharasync.blockstore.lmdb;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.saharasync.blockstore.AbstractBlockStore;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.Hash;

/**
 * The durable block store: one LMDB table from the 32-byte hash to the {@link BlockCodec} form,
 * one from the hash to the block's raw length, and a small table of running totals, all
 * updated in the same transactions. A batch of puts is one
 * write transaction (one fsync); values are written straight into the map with
 * {@code MDB_RESERVE}; reads decode from the map without an intermediate copy.
 */
public final class LmdbBlockStore extends AbstractBlockStore {
    private static final ByteBuffer STATS_KEY = LmdbEnvironment.constantKey("stats");
    private static final ThreadLocal<ByteBuffer> KEY = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Hash.BYTES));

    private final LmdbEnvironment env;
    private final boolean ownsEnvironment;
    private final LmdbEnvironment.Table blocks;
    private final LmdbEnvironment.Table meta;
    /**
     * Hash to raw length (4 bytes). The same length is in each value's header, but reading it
     * there touches one page of the map per block, and a process that did not write those
     * pages through the map takes a page fault for each: a host checking the 16,384 leaves of
     * a 1 GiB file spent ~270 ms in those faults. This table packs ~80 lengths per page.
     * Blocks stored before it existed have no entry; their header is read instead.
     */
    private final LmdbEnvironment.Table lengths;

    /**
     * A block store in tables {@code <prefix>blocks} and {@code <prefix>meta} of an environment
     * the caller keeps open (e.g. the host's, shared with its other tables).
     */
    public LmdbBlockStore(LmdbEnvironment env, String prefix, BlockCodec codec) {
        this(env, prefix, codec, false);
    }

    private LmdbBlockStore(LmdbEnvironment env, String prefix, BlockCodec codec, boolean owns) {
        super(codec);
        this.env = env;
        this.ownsEnvironment = owns;
        this.blocks = env.table(prefix + "blocks");
        this.meta = env.table(prefix + "meta");
        this.lengths = env.table(prefix + "lengths");
        this.decoys = env.table(prefix + "decoys");
    }

    /**
     * Copies of blocks that a {@link #putAllStoredRewriting} found already stored, written as a
     * new block would be (new keys, new pages, the same bytes to disk) and dropped by the next
     * such put. Rewriting the stored value in place was no good: LMDB frees and reallocates
     * its pages, which took longer than writing a new block (24 vs 14 ms for 4 MiB), a signal
     * of its own. Holds at most one batch.
     */
    private final LmdbEnvironment.Table decoys;

    /** Opens (creating if needed) a store that owns its own environment in {@code dir}. */
    public static LmdbBlockStore open(Path dir) {
        return open(dir, LmdbEnvironment.Options.DEFAULT, new BlockCodec(1));
    }

    public static LmdbBlockStore open(Path dir, LmdbEnvironment.Options options, BlockCodec codec) {
        LmdbEnvironment env = LmdbEnvironment.open(dir, options);
        try {
            return new LmdbBlockStore(env, "", codec, true);
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    /** The environment, e.g. to read its map size. */
    public LmdbEnvironment environment() {
        return env;
    }

    private static ByteBuffer key(Hash h) {
        ByteBuffer k = KEY.get();
        k.clear();
        h.writeTo(k);
        return k.flip();
    }

    @Override
    protected Set<Hash> presentAmong(Collection<Hash> hashes) {
        return env.read(txn -> {
            Set<Hash> out = new HashSet<>();
            for (Hash h : hashes) {
                if (txn.contains(blocks, key(h))) out.add(h);
            }
            return out;
        });
    }

    @Override
    protected PutResult insert(List<StoredBlock> fresh, boolean rewritePresent) {
        return env.write(txn -> {
            int added = 0;
            long raw = 0, stored = 0;
            if (rewritePresent) dropDecoys(txn);
            for (StoredBlock e : fresh) {
                ByteBuffer k = key(e.hash());
                if (txn.contains(blocks, k)) {
                    if (rewritePresent) {
                        e.form().writeTo(txn.reserve(decoys, k, e.form().length()));
                        txn.reserve(decoys, decoyLengthKey(e.hash()), Integer.BYTES).putInt(e.form().rawLength());
                    }
                    continue;
                }
                e.form().writeTo(txn.reserve(blocks, k, e.form().length()));
                txn.reserve(lengths, k, Integer.BYTES).order(java.nio.ByteOrder.BIG_ENDIAN).putInt(e.form().rawLength());
                added++;
                raw += e.form().rawLength();
                stored += e.form().length();
            }
            addToStats(txn, added, raw, stored);
            return new PutResult(added, raw, stored);
        });
    }

    /** The decoy of a block's length entry (a block's own {@code lengths} entry is a second put too). */
    private static ByteBuffer decoyLengthKey(Hash h) {
        ByteBuffer k = ByteBuffer.allocateDirect(Hash.BYTES + 1);
        h.writeTo(k);
        return k.put((byte) 0).flip();
    }

    private void dropDecoys(LmdbEnvironment.WriteTxn txn) {
        List<ByteBuffer> keys = new ArrayList<>();
        txn.scan(decoys, Optional.empty(), (k, v) -> {
            keys.add(ByteBuffer.allocateDirect(k.remaining()).put(k.duplicate()).flip());
            return true;
        });
        for (ByteBuffer k : keys) txn.delete(decoys, k);
    }

    @Override
    protected <T> Optional<T> readStored(Hash hash, Function<ByteBuffer, T> reader) {
        return env.read(txn -> txn.get(blocks, key(hash)).map(reader));
    }

    @Override
    public int[] rawLengths(List<Hash> hashes) {
        return env.read(txn -> {
            int[] out = new int[hashes.size()];
            for (int i = 0; i < out.length; i++) {
                Hash h = hashes.get(i);
                ByteBuffer k = key(h);
                Optional<ByteBuffer> n = txn.get(lengths, k);
                out[i] = n.isPresent()
                        ? n.get().order(java.nio.ByteOrder.BIG_ENDIAN).getInt(n.get().position())
                        : txn.get(blocks, k).map(v -> rawLengthOf(h, v)).orElse(-1);
            }
            return out;
        });
    }

    @Override
    protected GcResult deleteStored(Collection<Hash> hashes) {
        return env.write(txn -> {
            long deleted = 0, raw = 0, stored = 0;
            for (Hash h : hashes) {
                ByteBuffer k = key(h);
                Optional<ByteBuffer> v = txn.get(blocks, k);
                if (v.isEmpty()) continue;
                raw += BlockCodec.rawLength(v.get());
                stored += v.get().remaining();
                txn.delete(blocks, k);
                txn.delete(lengths, k);
                deleted++;
            }
            addToStats(txn, -deleted, -raw, -stored);
            return new GcResult(deleted, raw, stored);
        });
    }

    @Override
    protected List<Hash> hashesAfter(Optional<Hash> after, int limit) {
        return env.read(txn -> {
            List<Hash> out = new ArrayList<>(Math.min(limit, 1024));
            txn.scan(blocks, after.map(LmdbBlockStore::key), (k, v) -> {
                Hash h = Hash.read(k.duplicate());
                if (after.isEmpty() || !after.get().equals(h)) out.add(h);
                return out.size() < limit;
            });
            return out;
        });
    }

    @Override
    public StoreStats stats() {
        return env.read(this::readStats);
    }

    private StoreStats readStats(LmdbEnvironment.ReadTxn txn) {
        return txn.get(meta, STATS_KEY)
                .map(v -> v.order(java.nio.ByteOrder.BIG_ENDIAN))
                .map(v -> new StoreStats(v.getLong(v.position()), v.getLong(v.position() + 8), v.getLong(v.position() + 16)))
                .orElse(new StoreStats(0, 0, 0));
    }

    private void addToStats(LmdbEnvironment.WriteTxn txn, long blocksDelta, long rawDelta, long storedDelta) {
        if (blocksDelta == 0) return;
        StoreStats s = readStats(txn);
        txn.reserve(meta, STATS_KEY, 24).order(java.nio.ByteOrder.BIG_ENDIAN)
                .putLong(s.blocks() + blocksDelta)
                .putLong(s.rawBytes() + rawDelta)
                .putLong(s.storedBytes() + storedDelta);
    }

    @Override
    public void close() {
        if (ownsEnvironment) env.close();
    }
}
