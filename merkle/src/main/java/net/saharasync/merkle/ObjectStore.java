package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.Hash;

/**
 * Tree objects over a {@link BlockStore}. Writes are buffered and stored in batches (one
 * transaction each); reads see buffered objects too, and keep recently decoded objects in a
 * small cache (objects are immutable, so a cached one is never stale). Not thread-safe: one
 * per task.
 */
public final class ObjectStore implements AutoCloseable {
    private static final int FLUSH_BYTES = 4 << 20;
    private static final int CACHE_OBJECTS = 4096;

    private final BlockStore blocks;
    private final Map<Hash, Block> pending = new LinkedHashMap<>();
    private int pendingBytes;
    private long written;
    private long reads;
    private final Map<Hash, TreeObject> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, TreeObject> e) {
            return size() > CACHE_OBJECTS;
        }
    };

    public ObjectStore(BlockStore blocks) {
        this.blocks = blocks;
    }

    public BlockStore blocks() {
        return blocks;
    }

    /** Buffers {@code o} for storage and returns its hash. */
    public Hash write(TreeObject o) {
        byte[] bytes = o.encode();
        Hash h = Hash.of(bytes);
        if (!pending.containsKey(h)) {
            pending.put(h, Block.withHash(h, bytes));
            pendingBytes += bytes.length;
            written++;
            cache.put(h, o);
            if (pendingBytes >= FLUSH_BYTES) flush();
        }
        return h;
    }

    /** Objects written through this store so far (each distinct object once per buffer). */
    public long objectsWritten() {
        return written;
    }

    /** Objects read from the block store (not from the cache or the write buffer) so far. */
    public long reads() {
        return reads;
    }

    /** Stores everything buffered, in one batch. */
    public void flush() {
        if (pending.isEmpty()) return;
        blocks.putAll(new ArrayList<>(pending.values()));
        pending.clear();
        pendingBytes = 0;
    }

    /** Reads and decodes an object. */
    public TreeObject read(Hash h) {
        TreeObject o = cache.get(h);
        if (o != null) return o;
        Block p = pending.get(h);
        if (p == null) reads++;
        byte[] bytes = p != null ? p.data() : blocks.get(h).orElseThrow(() -> new MerkleException("object " + h.toHex() + " is missing"));
        try {
            o = TreeObject.decode(bytes);
        } catch (MalformedObjectException e) {
            throw new MalformedObjectException("object " + h.toHex() + ": " + e.getMessage().replaceFirst("^malformed object: ", ""));
        }
        cache.put(h, o);
        return o;
    }

    <T extends TreeObject> T read(Hash h, Class<T> type) {
        TreeObject o = read(h);
        if (!type.isInstance(o)) {
            throw new MalformedObjectException("object " + h.toHex() + " is a " + o.getClass().getSimpleName()
                    + ", expected a " + type.getSimpleName());
        }
        return type.cast(o);
    }

    /** Whether the object or block is stored or buffered. */
    public boolean has(Hash h) {
        return pending.containsKey(h) || blocks.has(h);
    }

    /** The subset of {@code hashes} neither stored nor buffered. */
    public List<Hash> missing(List<Hash> hashes) {
        List<Hash> notPending = hashes.stream().filter(h -> !pending.containsKey(h)).toList();
        return blocks.missing(notPending);
    }

    @Override
    public void close() {
        flush();
    }
}
