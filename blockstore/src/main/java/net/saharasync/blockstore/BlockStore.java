package net.saharasync.blockstore;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Content-addressed storage of blocks (file chunks and tree objects), deduplicated by hash.
 *
 * <p>Implementations: {@code LmdbBlockStore} (durable, the default) and
 * {@link InMemoryBlockStore} (tests). Both share the stored format of {@link BlockCodec} and
 * the logic of {@link AbstractBlockStore}; all are safe for concurrent use.
 *
 * <p>Reads always check the stored value's CRC, so corruption is reported as a
 * {@link CorruptBlockException} naming the hash, never returned as data; {@code get(h, true)}
 * and {@link #verify()} also check that the bytes hash to their address.
 */
public interface BlockStore extends AutoCloseable {
    /** The largest block any store accepts (16 MiB): far above any chunk or tree node, and a bound on decompression. */
    int MAX_BLOCK_BYTES = 16 << 20;

    /**
     * Stores every block that is not yet present, all or nothing, durable on return. Blocks
     * already present (or repeated in the batch) are skipped without being compressed again.
     */
    PutResult putAll(Collection<Block> blocks);

    default PutResult put(Block block) {
        return putAll(List.of(block));
    }

    /**
     * Stores blocks already in their {@link BlockCodec} form (received from the wire, say),
     * skipping those present; all or nothing, durable on return. The forms must have been
     * checked against their hashes ({@link BlockCodec.StoredForm#verified}).
     */
    PutResult putAllStored(Collection<StoredBlock> blocks);

    /**
     * {@link #putAllStored}, except that a block already stored is written again (with the
     * bytes it has), so storing it costs the same work, and takes the same time, whether it was
     * there or not: a host storing one user's upload must not tell them, by how long it takes,
     * that another user stored the same block. The result still counts only new blocks.
     */
    PutResult putAllStoredRewriting(Collection<StoredBlock> blocks);

    /** The block's stored form (its {@link BlockCodec} bytes, CRC-checked), e.g. to send as is. */
    Optional<byte[]> getStored(Hash hash);

    /**
     * Copies the block's stored form (CRC-checked) into {@code into} when it fits, else into a
     * new heap buffer; returns that buffer with the form between position and limit. For
     * senders that reuse one buffer per thread instead of allocating an array per block.
     */
    Optional<java.nio.ByteBuffer> copyStored(Hash hash, java.nio.ByteBuffer into);

    /** The length the block decodes to, from its stored header (no decompression). */
    OptionalInt rawLength(Hash hash);

    /**
     * {@link #rawLength} of each of {@code hashes}, in order, -1 where a block is not stored:
     * one lookup for a whole level of a tree (a host checks every leaf of a commit).
     */
    int[] rawLengths(List<Hash> hashes);

    /** The length of the block's stored form (what {@link #getStored} returns), without reading it. */
    OptionalInt storedLength(Hash hash);

    /** The block's bytes, CRC-checked; with {@code verifyHash} also checked against {@code hash}. */
    Optional<byte[]> get(Hash hash, boolean verifyHash);

    default Optional<byte[]> get(Hash hash) {
        return get(hash, false);
    }

    /** Whether a block is stored. */
    boolean has(Hash hash);

    /** The hashes of {@code hashes} that are not stored, in the order given, without repeats. */
    List<Hash> missing(Collection<Hash> hashes);

    /** Blocks stored and their sizes. */
    StoreStats stats();

    /** Calls {@code action} for every stored hash in ascending order. Blocks added or removed meanwhile may or may not be seen. */
    void forEach(Consumer<Hash> action);

    /**
     * Deletes every block for which {@code live} is false. The caller must keep writers that rely
     * on deduplication against blocks being collected out while this runs.
     */
    GcResult retainOnly(Predicate<Hash> live);

    /** Reads every block and checks its CRC and hash. */
    VerifyReport verify();

    @Override
    void close();

    /** A block in its stored form, with its address. */
    record StoredBlock(Hash hash, BlockCodec.StoredForm form) {}

    /** What a {@link #putAll} added: blocks, their bytes, and the bytes they take stored. */
    record PutResult(int added, long rawBytes, long storedBytes) {
        public static final PutResult NONE = new PutResult(0, 0, 0);
    }

    /** Blocks held, the bytes they decode to, and the bytes they take stored (after compression). */
    record StoreStats(long blocks, long rawBytes, long storedBytes) {}

    /** What a {@link #retainOnly} removed. */
    record GcResult(long deleted, long rawBytesFreed, long storedBytesFreed) {}

    /** What {@link #verify()} found: blocks read, and the hashes of those that failed. */
    record VerifyReport(long checked, List<Hash> corrupt) {
        public boolean ok() {
            return corrupt.isEmpty();
        }
    }
}
