package net.saharasync.blockstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/** A block store in the heap, for tests. Values are kept in their stored form, so it behaves like the durable store. */
public final class InMemoryBlockStore extends AbstractBlockStore {
    private final ConcurrentSkipListMap<Hash, byte[]> values = new ConcurrentSkipListMap<>();
    private long rawBytes;
    private long storedBytes;
    private volatile boolean closed;

    public InMemoryBlockStore() {
        this(new BlockCodec(1));
    }

    public InMemoryBlockStore(BlockCodec codec) {
        super(codec);
    }

    @Override
    protected Set<Hash> presentAmong(Collection<Hash> hashes) {
        checkOpen();
        Set<Hash> out = new HashSet<>();
        for (Hash h : hashes) {
            if (values.containsKey(h)) out.add(h);
        }
        return out;
    }

    @Override
    protected synchronized PutResult insert(List<StoredBlock> blocks, boolean rewritePresent) {
        checkOpen();
        int added = 0;
        long raw = 0, stored = 0;
        for (StoredBlock e : blocks) {
            byte[] form = e.form().toBytes();
            byte[] old = values.putIfAbsent(e.hash(), form);
            if (old != null && rewritePresent) values.put(e.hash(), old.clone());
            if (old == null) {
                added++;
                raw += e.form().rawLength();
                stored += e.form().length();
            }
        }
        rawBytes += raw;
        storedBytes += stored;
        return new PutResult(added, raw, stored);
    }

    @Override
    protected <T> Optional<T> readStored(Hash hash, Function<ByteBuffer, T> reader) {
        checkOpen();
        byte[] v = values.get(hash);
        return v == null ? Optional.empty() : Optional.of(reader.apply(ByteBuffer.wrap(v)));
    }

    @Override
    protected synchronized GcResult deleteStored(Collection<Hash> hashes) {
        checkOpen();
        long deleted = 0, raw = 0, stored = 0;
        for (Hash h : hashes) {
            byte[] v = values.remove(h);
            if (v != null) {
                deleted++;
                raw += BlockCodec.rawLength(ByteBuffer.wrap(v));
                stored += v.length;
            }
        }
        rawBytes -= raw;
        storedBytes -= stored;
        return new GcResult(deleted, raw, stored);
    }

    @Override
    protected List<Hash> hashesAfter(Optional<Hash> after, int limit) {
        checkOpen();
        NavigableMap<Hash, byte[]> tail = after.map(h -> values.tailMap(h, false)).orElse(values);
        List<Hash> out = new ArrayList<>(Math.min(limit, 1024));
        for (Hash h : tail.keySet()) {
            if (out.size() == limit) break;
            out.add(h);
        }
        return out;
    }

    @Override
    public synchronized StoreStats stats() {
        return new StoreStats(values.size(), rawBytes, storedBytes);
    }

    /** Test hook: lets a test damage a stored value in place, as a bad disk would. */
    void tamper(Hash hash, java.util.function.Consumer<byte[]> damage) {
        damage.accept(values.get(hash));
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) throw new BlockStoreException("block store is closed");
    }
}
