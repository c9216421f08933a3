package net.saharasync.blockstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The logic every block store shares (deduplication, encoding, verification, paging, garbage
 * collection) over six storage operations left to the implementation, as JGit's
 * {@code InMemoryRepository} does. An implementation only moves stored values around.
 */
public abstract class AbstractBlockStore implements BlockStore {
    /** Hashes handled per page when walking the whole store. */
    protected static final int PAGE = 4096;
    private static final int PARALLEL_ENCODE = 8;

    private final BlockCodec codec;

    protected AbstractBlockStore(BlockCodec codec) {
        this.codec = codec;
    }

    // ---- the storage operations an implementation provides ----

    /** Those of {@code hashes} that are stored. */
    protected abstract Set<Hash> presentAmong(Collection<Hash> hashes);

    /**
     * Writes those of {@code blocks} not yet stored, atomically and durably; returns what was
     * added. With {@code rewritePresent}, those already stored are written again with their
     * stored bytes (the same work either way; see {@link #putAllStoredRewriting}).
     */
    protected abstract PutResult insert(List<StoredBlock> blocks, boolean rewritePresent);

    /** Applies {@code reader} to the stored value, which may be valid only during the call. */
    protected abstract <T> Optional<T> readStored(Hash hash, Function<ByteBuffer, T> reader);

    /** Deletes these blocks (absent ones are ignored); returns what was freed. */
    protected abstract GcResult deleteStored(Collection<Hash> hashes);

    /** Up to {@code limit} stored hashes in ascending order, strictly after {@code after} when present. */
    protected abstract List<Hash> hashesAfter(Optional<Hash> after, int limit);

    // ---- the shared logic ----

    @Override
    public PutResult putAll(Collection<Block> blocks) {
        List<Block> absent = absentOf(blocks, Block::hash);
        if (absent.isEmpty()) return PutResult.NONE;
        // Compression is the CPU-heavy part of a put: spread a large batch over the cores.
        var stream = absent.size() >= PARALLEL_ENCODE ? absent.parallelStream() : absent.stream();
        return insert(stream.map(b -> new StoredBlock(b.hash(), codec.encode(b.data()))).toList(), false);
    }

    @Override
    public PutResult putAllStored(Collection<StoredBlock> blocks) {
        List<StoredBlock> absent = absentOf(blocks, StoredBlock::hash);
        return absent.isEmpty() ? PutResult.NONE : insert(absent, false);
    }

    @Override
    public PutResult putAllStoredRewriting(Collection<StoredBlock> blocks) {
        Map<Hash, StoredBlock> unique = new LinkedHashMap<>();
        for (StoredBlock b : blocks) unique.putIfAbsent(b.hash(), b);
        return unique.isEmpty() ? PutResult.NONE : insert(List.copyOf(unique.values()), true);
    }

    /** The items whose hash is not stored yet, each hash once, in the order given. */
    private <T> List<T> absentOf(Collection<T> items, Function<T, Hash> hashOf) {
        Map<Hash, T> unique = new LinkedHashMap<>();
        for (T t : items) {
            unique.putIfAbsent(hashOf.apply(t), t);
        }
        Set<Hash> present = presentAmong(unique.keySet());
        return unique.entrySet().stream().filter(e -> !present.contains(e.getKey())).map(Map.Entry::getValue).toList();
    }

    @Override
    public Optional<byte[]> getStored(Hash hash) {
        return readStored(hash, value -> {
            byte[] copy = new byte[value.remaining()];
            value.duplicate().get(copy);
            // The same checks as a read (CRC, format, lengths), without decompressing.
            BlockCodec.checkStored(hash, ByteBuffer.wrap(copy));
            return copy;
        });
    }

    @Override
    public Optional<ByteBuffer> copyStored(Hash hash, ByteBuffer into) {
        return readStored(hash, value -> {
            ByteBuffer out = value.remaining() <= into.clear().capacity() ? into : ByteBuffer.allocate(value.remaining());
            out.put(value.duplicate()).flip();
            BlockCodec.checkStored(hash, out);
            return out;
        });
    }

    @Override
    public OptionalInt rawLength(Hash hash) {
        int n = rawLengths(List.of(hash))[0];
        return n < 0 ? OptionalInt.empty() : OptionalInt.of(n);
    }

    /** Looks each up on its own; a store that can do one batch lookup overrides this. */
    @Override
    public int[] rawLengths(List<Hash> hashes) {
        int[] out = new int[hashes.size()];
        for (int i = 0; i < out.length; i++) {
            Hash h = hashes.get(i);
            out[i] = readStored(h, value -> rawLengthOf(h, value)).orElse(-1);
        }
        return out;
    }

    /** The raw length in a stored value's header. */
    protected static int rawLengthOf(Hash hash, ByteBuffer value) {
        if (value.remaining() < BlockCodec.HEADER) throw new CorruptBlockException(hash, "stored value shorter than its header");
        return BlockCodec.rawLength(value);
    }

    @Override
    public OptionalInt storedLength(Hash hash) {
        Optional<Integer> n = readStored(hash, ByteBuffer::remaining);
        return n.map(OptionalInt::of).orElseGet(OptionalInt::empty);
    }

    @Override
    public Optional<byte[]> get(Hash hash, boolean verifyHash) {
        return readStored(hash, value -> BlockCodec.decode(hash, value, verifyHash));
    }

    @Override
    public boolean has(Hash hash) {
        return !presentAmong(List.of(hash)).isEmpty();
    }

    @Override
    public List<Hash> missing(Collection<Hash> hashes) {
        Set<Hash> unique = new LinkedHashSet<>(hashes);
        Set<Hash> present = presentAmong(unique);
        List<Hash> out = new ArrayList<>(unique.size() - present.size());
        for (Hash h : unique) {
            if (!present.contains(h)) out.add(h);
        }
        return out;
    }

    @Override
    public void forEach(Consumer<Hash> action) {
        Optional<Hash> after = Optional.empty();
        while (true) {
            List<Hash> page = hashesAfter(after, PAGE);
            page.forEach(action);
            if (page.size() < PAGE) return;
            after = Optional.of(page.getLast());
        }
    }

    @Override
    public GcResult retainOnly(Predicate<Hash> live) {
        long deleted = 0, raw = 0, stored = 0;
        Optional<Hash> after = Optional.empty();
        while (true) {
            List<Hash> page = hashesAfter(after, PAGE);
            List<Hash> dead = page.stream().filter(live.negate()).toList();
            if (!dead.isEmpty()) {
                GcResult r = deleteStored(dead);
                deleted += r.deleted();
                raw += r.rawBytesFreed();
                stored += r.storedBytesFreed();
            }
            if (page.size() < PAGE) return new GcResult(deleted, raw, stored);
            after = Optional.of(page.getLast());
        }
    }

    @Override
    public VerifyReport verify() {
        List<Hash> corrupt = new ArrayList<>();
        long[] checked = {0};
        forEach(h -> {
            checked[0]++;
            try {
                get(h, true);
            } catch (CorruptBlockException e) {
                corrupt.add(h);
            }
        });
        return new VerifyReport(checked[0], List.copyOf(corrupt));
    }
}
