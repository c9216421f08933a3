package net.saharasync.hostd.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.CorruptBlockException;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.protocol.ErrorCode;
import net.saharasync.protocol.wire.BlockDelta;
import net.saharasync.protocol.wire.BlockFrames;

/**
 * Block intake and serving, every answer from the caller's point of view ({@link AccessPolicy}):
 * a block stored for someone else is "missing" and "not found". Intake checks every frame
 * against its hash, rebuilding deltas from bases the caller may use, before anything is stored;
 * serving streams stored forms through a {@link FrameWriter} without holding them in lists.
 */
public final class BlockService {
    /** Where served frames go: {@code stored} is valid only during the call. */
    @FunctionalInterface
    public interface FrameWriter {
        void write(Hash hash, ByteBuffer stored) throws IOException;
    }

    /** What an intake stored: blocks received, their raw bytes, and the raw bytes new to storage (for metrics only: never told to the caller). */
    public record Intake(int received, long rawBytes, long newRawBytes) {}

    private static final Hash NO_BASE = Hash.fromBytes(new byte[Hash.BYTES]);
    /** Per thread: where serving copies each stored block before writing it (a default chunk's form fits). */
    private static final ThreadLocal<ByteBuffer> SERVE_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(512 << 10));

    private final HostStore store;
    private final AccessPolicy policy;
    private final BlockCodec codec = new BlockCodec(1);

    public BlockService(HostStore store, AccessPolicy policy) {
        this.store = store;
        this.policy = policy;
    }

    /** Bit i set: the host lacks hashes[i] for this caller. */
    public BitSet missing(Principal p, List<Hash> hashes) {
        BitSet missing = policy.usable(p, hashes);
        missing.flip(0, hashes.size());
        return missing;
    }

    /**
     * Stores a batch: every frame checked first (one bad frame, {@code hash_mismatch}, stores
     * nothing), then all in one durable step. The frames may point into a buffer the caller
     * reuses once this returns.
     */
    public Intake intake(Principal p, List<BlockFrames.Frame> frames) {
        List<Hash> bases = frames.stream().filter(BlockFrames.Frame::isDelta).map(f -> BlockDelta.baseOf(f.hash(), f.stored())).distinct().toList();
        Set<Hash> usableBases = policy.usableSet(p, bases);
        // Checking is zstd + SHA-256 over every byte: spread it over the cores.
        List<BlockStore.StoredBlock> blocks = frames.parallelStream().map(f -> {
            try {
                if (!f.isDelta()) {
                    return new BlockStore.StoredBlock(f.hash(), BlockCodec.StoredForm.verified(f.hash(), f.array(), f.offset(), f.length()));
                }
                byte[] raw = BlockDelta.resolve(f.hash(), f.stored(), b -> usableBases.contains(b) ? store.blocks().get(b) : Optional.empty());
                return new BlockStore.StoredBlock(f.hash(), codec.encode(raw));
            } catch (CorruptBlockException e) {
                throw new HostException(ErrorCode.HASH_MISMATCH, e.getMessage(), Map.of("hash", f.hash().toHex()));
            }
        }).toList();
        long raw = blocks.stream().mapToLong(b -> b.form().rawLength()).sum();
        BlockStore.PutResult put = store.storeUploaded(p.userId(), blocks);
        return new Intake(blocks.size(), raw, put.rawBytes());
    }

    /** A download the caller may make, checked: its length in frames is known before a byte is sent. */
    public final class Fetch {
        private final List<Hash> hashes;
        private final long length;

        private Fetch(List<Hash> hashes, long length) {
            this.hashes = hashes;
            this.length = length;
        }

        /** Bytes of the frames, headers included. */
        public long length() {
            return length;
        }

        /**
         * Writes the frames in the order asked. Each is CRC-checked and copied into this
         * thread's buffer (no read transaction is held while the receiver reads); a corrupt
         * block throws, never reaching the writer as data.
         */
        public void writeTo(FrameWriter out) throws IOException {
            ByteBuffer buf = SERVE_BUFFER.get();
            for (Hash h : hashes) out.write(h, store.blocks().copyStored(h, buf).orElseThrow(() -> notStored(h)));
        }
    }

    /** Checks that the caller may download all of {@code hashes} ({@code not_found}, listing those they may not). */
    public Fetch fetch(Principal p, List<Hash> hashes) {
        policy.requireUsable(p, hashes);
        long length = 0;
        for (Hash h : hashes) length += BlockFrames.FRAME_HEADER + (long) store.blocks().storedLength(h).orElseThrow(() -> notStored(h));
        return new Fetch(List.copyOf(hashes), length);
    }

    /** For each block, its {@link BlockDelta#signature}, so a caller that lacks an old block can send a new one against it. */
    public List<byte[]> signatures(Principal p, List<Hash> hashes) {
        policy.requireUsable(p, hashes);
        return hashes.stream().map(h -> BlockDelta.signature(store.blocks().get(h).orElseThrow(() -> notStored(h)))).toList();
    }

    /**
     * Block i as a {@link BlockDelta#PATCH} against {@code bases.get(i)} when the caller may use
     * that base and the patch is smaller, else its stored form; a zero hash (or empty) is no base.
     */
    public void fetchDelta(Principal p, List<Hash> want, List<Optional<Hash>> bases, FrameWriter out) throws IOException {
        policy.requireUsable(p, want);
        Set<Hash> usableBases = policy.usableSet(p, bases.stream().flatMap(Optional::stream).filter(h -> !h.equals(NO_BASE)).distinct().toList());
        for (int i = 0; i < want.size(); i++) {
            Hash h = want.get(i);
            byte[] stored = store.blocks().getStored(h).orElseThrow(() -> notStored(h));
            Optional<Hash> bh = bases.get(i).filter(usableBases::contains);
            if (bh.isPresent()) {
                Optional<byte[]> base = store.blocks().get(bh.get());
                if (base.isPresent()) {
                    byte[] patch = BlockDelta.patch(bh.get(), base.get(), store.blocks().get(h).orElseThrow(() -> notStored(h)));
                    if (patch.length < stored.length) stored = patch;
                }
            }
            out.write(h, ByteBuffer.wrap(stored));
        }
    }

    private static IllegalStateException notStored(Hash h) {
        return new IllegalStateException("block " + h.toHex() + " is reachable but not stored");
    }
}
