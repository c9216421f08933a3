package net.saharasync.hostd.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.protocol.wire.BlockDelta;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.CorruptBlockException;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.Accounts.Principal;
import net.saharasync.hostd.store.HostStore;

/**
 * Block exchange: which blocks the host lacks (for the caller), uploading a batch, and
 * downloading a batch. Bodies of hash lists are raw 32-byte hashes back to back; block
 * batches are {@link BlockFrames}. Every answer is given from the caller's point of view: a
 * block stored for someone else is "missing" and "not found" (no cross-user hash oracle).
 */
final class BlockRoutes {
    static final String FRAMES_TYPE = "application/x-sahara-blocks";

    private final HostStore store;
    private final HostMetrics metrics;
    private final HostConfig.Limits limits;
    private final Semaphore uploads;
    /**
     * Arrays an upload reads its frames into, one per upload running (at most
     * {@code concurrentUploads} exist): a batch no longer costs an array per block (allocating
     * and zeroing 1 GiB of them took ~0.9 s of the host's CPU per GiB uploaded, on the two
     * cores the clients need too). A client's batch (16 MiB) fits; frames beyond go to arrays
     * of their own.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> arenas = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final int UPLOAD_ARENA_BYTES = 17 << 20;
    private final BlockCodec codec = new BlockCodec(1);

    private final Pacer pacer;

    BlockRoutes(HostStore store, HostMetrics metrics, HostConfig.Limits limits, Pacer pacer) {
        this.pacer = pacer;
        this.store = store;
        this.metrics = metrics;
        this.limits = limits;
        this.uploads = new Semaphore(limits.concurrentUploads(), true);
    }

    private static List<Hash> hashes(byte[] body, int max) {
        if (body.length % Hash.BYTES != 0) throw HostException.badRequest("the body must be whole 32-byte hashes, got " + body.length + " bytes");
        int n = body.length / Hash.BYTES;
        if (n > max) throw HostException.tooLarge(n + " hashes exceed the limit of " + max + " per request");
        List<Hash> out = new ArrayList<>(n);
        ByteBuffer b = ByteBuffer.wrap(body);
        for (int i = 0; i < n; i++) out.add(Hash.read(b));
        return out;
    }

    /** {@code POST /v1/blocks/missing}: hashes in, a bitmap out (bit i, LSB first, set = the host lacks hashes[i]). */
    void missing(HttpServerExchange ex) throws IOException {
        Principal p = Exchanges.principal(ex);
        List<Hash> asked = hashes(Exchanges.readBody(ex, (long) limits.maxMissingHashes() * Hash.BYTES), limits.maxMissingHashes());
        BitSet usable = store.access().usable(p.userId(), asked);
        byte[] bitmap = new byte[(asked.size() + 7) / 8];
        for (int i = 0; i < asked.size(); i++) {
            if (!usable.get(i)) bitmap[i >> 3] |= (byte) (1 << (i & 7));
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
        ex.getResponseSender().send(ByteBuffer.wrap(bitmap));
    }

    /**
     * {@code POST /v1/blocks}: a batch of frames. Every frame is checked against its hash
     * before anything is stored; one bad frame fails the batch (400) and stores nothing. The
     * whole batch is stored in one durable transaction.
     */
    void upload(HttpServerExchange ex) throws IOException, InterruptedException {
        Principal p = Exchanges.principal(ex);
        // One user's uploads take at most uploadsPerUser of the host's slots (429 beyond), so
        // slow uploads of one user never hold every slot.
        try (AutoCloseable admitted = pacer.upload(p.userId())) {
            uploadAdmitted(ex, p);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void uploadAdmitted(HttpServerExchange ex, Principal p) throws IOException, InterruptedException {
        uploads.acquire();
        byte[] arena = arenas.poll();
        try {
            if (arena == null) arena = new byte[UPLOAD_ARENA_BYTES];
            List<BlockFrames.Frame> frames = new ArrayList<>();
            try (InputStream in = Exchanges.body(ex, limits.maxBatchBytes())) {
                BlockFrames.Reader r = new BlockFrames.Reader(in, arena);
                for (Optional<BlockFrames.Frame> f = r.next(); f.isPresent(); f = r.next()) frames.add(f.get());
            }
            // Deltas are rebuilt from bases the caller may use (checked in one batch first).
            List<Hash> bases = frames.stream().filter(BlockFrames.Frame::isDelta).map(f -> BlockDelta.baseOf(f.hash(), f.stored())).distinct().toList();
            java.util.Set<Hash> usableBases = bases.isEmpty() ? java.util.Set.of()
                    : store.access().usableSet(p.userId(), bases);
            // Checking is zstd + SHA-256 over every byte: spread it over the cores.
            List<BlockStore.StoredBlock> blocks = frames.parallelStream().map(f -> {
                try {
                    if (!f.isDelta()) {
                        return new BlockStore.StoredBlock(f.hash(), BlockCodec.StoredForm.verified(f.hash(), f.array(), f.offset(), f.length()));
                    }
                    byte[] raw = BlockDelta.resolve(f.hash(), f.stored(),
                            b -> usableBases.contains(b) ? store.blocks().get(b) : java.util.Optional.empty());
                    return new BlockStore.StoredBlock(f.hash(), codec.encode(raw));
                } catch (CorruptBlockException e) {
                    throw new HostException(400, "hash_mismatch", e.getMessage(), Map.of("hash", f.hash().toHex()));
                }
            }).toList();
            long raw = blocks.stream().mapToLong(b -> b.form().rawLength()).sum();
            BlockStore.PutResult put = store.storeUploaded(p.userId(), blocks);
            metrics.uploaded(blocks.size(), raw, put.rawBytes());
            // Nothing here tells whether a block was new to the store: that would be an oracle.
            Exchanges.sendJson(ex, 200, Map.of("received", blocks.size(), "rawBytes", raw));
        } finally {
            // Nothing refers to the arena any more: the blocks were copied into the store (or refused).
            if (arena != null) arenas.offer(arena);
            uploads.release();
        }
    }

    /**
     * {@code POST /v1/blocks/fetch}: hashes in, frames out in the order asked, streamed. All
     * must be usable by the caller, else 404 listing those that are not.
     */
    /** Per worker thread: where a fetch copies each stored block before writing it (a default chunk's form fits). */
    private static final ThreadLocal<ByteBuffer> FETCH_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(512 << 10));

    void fetch(HttpServerExchange ex) throws IOException {
        Principal p = Exchanges.principal(ex);
        List<Hash> asked = hashes(Exchanges.readBody(ex, (long) limits.maxFetchHashes() * Hash.BYTES), limits.maxFetchHashes());
        requireUsable(p, asked);
        // The length first (a lookup per block, nothing copied), so the answer is not chunked:
        // a client reads a sized body straight through, where the JDK's chunked decoding
        // allocated new arrays as it went.
        long length = 0;
        for (Hash h : asked) {
            int n = store.blocks().storedLength(h)
                    .orElseThrow(() -> new IllegalStateException("block " + h.toHex() + " is reachable but not stored"));
            length += BlockFrames.FRAME_HEADER + (long) n;
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, FRAMES_TYPE);
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
        OutputStream out = ex.getOutputStream();
        ByteBuffer buf = FETCH_BUFFER.get();
        ByteBuffer head = ByteBuffer.allocate(BlockFrames.FRAME_HEADER);
        for (Hash h : asked) {
            // CRC-checked; a corrupt block throws and the response is cut off, never sent as data.
            // Copied into this thread's buffer (the read transaction is not held while the
            // client reads) and written from there: no array per block, no second copy.
            ByteBuffer stored = store.blocks().copyStored(h, buf)
                    .orElseThrow(() -> new IllegalStateException("block " + h.toHex() + " is reachable but not stored"));
            head.clear();
            h.writeTo(head);
            head.putInt(stored.remaining()).flip();
            ((io.undertow.io.BufferWritableOutputStream) out).write(new ByteBuffer[] {head, stored});
        }
        out.close();
    }

    /**
     * {@code POST /v1/blocks/signatures}: hashes in; for each, {@code u32 length | signature}
     * ({@link BlockDelta#signature}), so a client that no longer holds an old block can send a
     * new one as copy/literal instructions against it.
     */
    void signatures(HttpServerExchange ex) throws IOException {
        Principal p = Exchanges.principal(ex);
        List<Hash> asked = hashes(Exchanges.readBody(ex, (long) limits.maxFetchHashes() * Hash.BYTES), limits.maxFetchHashes());
        requireUsable(p, asked);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Hash h : asked) {
            byte[] sig = BlockDelta.signature(store.blocks().get(h).orElseThrow());
            out.write(ByteBuffer.allocate(4).putInt(sig.length).array());
            out.write(sig);
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
        ex.getResponseSender().send(ByteBuffer.wrap(out.toByteArray()));
    }

    /**
     * {@code POST /v1/blocks/fetch-delta}: pairs {@code want[32] | base[32]} in (a zero base:
     * none); frames out in order, each a {@link BlockDelta#PATCH} against the base when the
     * caller may use it and the patch is smaller, else the stored form.
     */
    void fetchDelta(HttpServerExchange ex) throws IOException {
        Principal p = Exchanges.principal(ex);
        byte[] body = Exchanges.readBody(ex, (long) limits.maxFetchHashes() * 2 * Hash.BYTES);
        if (body.length % (2 * Hash.BYTES) != 0) throw HostException.badRequest("the body must be whole 64-byte (want, base) pairs");
        List<Hash> want = new ArrayList<>(), base = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body);
        Hash none = Hash.fromBytes(new byte[Hash.BYTES]);
        while (b.hasRemaining()) {
            want.add(Hash.read(b));
            base.add(Hash.read(b));
        }
        requireUsable(p, want);
        List<Hash> someBases = base.stream().filter(h -> !h.equals(none)).distinct().toList();
        java.util.Set<Hash> usableBases = someBases.isEmpty() ? java.util.Set.of()
                : store.access().usableSet(p.userId(), someBases);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, FRAMES_TYPE);
        OutputStream out = ex.getOutputStream();
        for (int i = 0; i < want.size(); i++) {
            Hash h = want.get(i);
            byte[] stored = store.blocks().getStored(h).orElseThrow(() -> new IllegalStateException("block " + h.toHex() + " is reachable but not stored"));
            Hash bh = base.get(i);
            if (usableBases.contains(bh)) {
                java.util.Optional<byte[]> baseBytes = store.blocks().get(bh);
                if (baseBytes.isPresent()) {
                    byte[] patch = BlockDelta.patch(bh, baseBytes.get(), store.blocks().get(h).orElseThrow());
                    if (patch.length < stored.length) stored = patch;
                }
            }
            BlockFrames.write(out, h, stored);
        }
        out.close();
    }

    private void requireUsable(Principal p, List<Hash> asked) {
        BitSet usable = store.access().usable(p.userId(), asked);
        List<String> absent = new ArrayList<>();
        for (int i = usable.nextClearBit(0); i < asked.size(); i = usable.nextClearBit(i + 1)) absent.add(asked.get(i).toHex());
        if (!absent.isEmpty()) {
            throw new HostException(404, "not_found", absent.size() + " of the blocks asked for are not available",
                    Map.of("missing", absent.subList(0, Math.min(absent.size(), CommitRoute.MAX_LISTED_MISSING))));
        }
    }
}
