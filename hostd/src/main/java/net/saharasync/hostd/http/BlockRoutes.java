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
import java.util.Optional;
import java.util.concurrent.Semaphore;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.service.BlockService;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.protocol.MediaTypes;
import net.saharasync.protocol.wire.BlockFrames;

/**
 * Block exchange over HTTP ({@link BlockService} holds the rules): bodies of hash lists are raw
 * 32-byte hashes back to back; block batches are {@link BlockFrames}. Uploads are read into
 * reused arenas and at most {@code concurrentUploads} are checked at once.
 */
final class BlockRoutes {
    private final BlockService blocks;
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

    private final Pacer pacer;

    BlockRoutes(BlockService blocks, HostMetrics metrics, HostConfig.Limits limits, Pacer pacer) {
        this.pacer = pacer;
        this.blocks = blocks;
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

    private List<Hash> hashList(HttpServerExchange ex, int max) throws IOException {
        return hashes(Exchanges.readBody(ex, (long) max * Hash.BYTES), max);
    }

    /** {@code POST /v1/blocks/missing}: hashes in, a bitmap out (bit i, LSB first, set = the host lacks hashes[i]). */
    void missing(HttpServerExchange ex) throws IOException {
        List<Hash> asked = hashList(ex, limits.maxMissingHashes());
        BitSet missing = blocks.missing(Exchanges.principal(ex), asked);
        byte[] bitmap = new byte[(asked.size() + 7) / 8];
        for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(i + 1)) bitmap[i >> 3] |= (byte) (1 << (i & 7));
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, MediaTypes.OCTETS);
        ex.getResponseSender().send(ByteBuffer.wrap(bitmap));
    }

    /**
     * {@code POST /v1/blocks}: a batch of frames, checked and stored by {@link BlockService#intake}
     * in one durable step.
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
            BlockService.Intake in = blocks.intake(p, frames);
            metrics.uploaded(in.received(), in.rawBytes(), in.newRawBytes());
            // Nothing here tells whether a block was new to the store: that would be an oracle.
            Exchanges.sendJson(ex, 200, java.util.Map.of("received", in.received(), "rawBytes", in.rawBytes()));
        } finally {
            // Nothing refers to the arena any more: the blocks were copied into the store (or refused).
            if (arena != null) arenas.offer(arena);
            uploads.release();
        }
    }

    /**
     * {@code POST /v1/blocks/fetch}: hashes in, frames out in the order asked, streamed. All
     * must be usable by the caller, else 404 listing those that are not. The length is known
     * first, so the answer is not chunked: a client reads a sized body straight through.
     */
    void fetch(HttpServerExchange ex) throws IOException {
        BlockService.Fetch fetch = blocks.fetch(Exchanges.principal(ex), hashList(ex, limits.maxFetchHashes()));
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, MediaTypes.BLOCKS);
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, fetch.length());
        OutputStream out = ex.getOutputStream();
        ByteBuffer head = ByteBuffer.allocate(BlockFrames.FRAME_HEADER);
        // Header and stored form written together from where they lie: no array per block, no second copy.
        fetch.writeTo((h, stored) -> {
            head.clear();
            h.writeTo(head);
            head.putInt(stored.remaining()).flip();
            ((io.undertow.io.BufferWritableOutputStream) out).write(new ByteBuffer[] {head, stored});
        });
        out.close();
    }

    /** {@code POST /v1/blocks/signatures}: hashes in; for each, {@code u32 length | signature}. */
    void signatures(HttpServerExchange ex) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] sig : blocks.signatures(Exchanges.principal(ex), hashList(ex, limits.maxFetchHashes()))) {
            out.write(ByteBuffer.allocate(4).putInt(sig.length).array());
            out.write(sig);
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, MediaTypes.OCTETS);
        ex.getResponseSender().send(ByteBuffer.wrap(out.toByteArray()));
    }

    /**
     * {@code POST /v1/blocks/fetch-delta}: pairs {@code want[32] | base[32]} in (a zero base:
     * none); frames out in order ({@link BlockService#fetchDelta}).
     */
    void fetchDelta(HttpServerExchange ex) throws IOException {
        byte[] body = Exchanges.readBody(ex, (long) limits.maxFetchHashes() * 2 * Hash.BYTES);
        if (body.length % (2 * Hash.BYTES) != 0) throw HostException.badRequest("the body must be whole 64-byte (want, base) pairs");
        List<Hash> want = new ArrayList<>();
        List<Optional<Hash>> base = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body);
        Hash none = Hash.fromBytes(new byte[Hash.BYTES]);
        while (b.hasRemaining()) {
            want.add(Hash.read(b));
            Hash bh = Hash.read(b);
            base.add(bh.equals(none) ? Optional.empty() : Optional.of(bh));
        }
        if (want.size() > limits.maxFetchHashes()) throw HostException.tooLarge(want.size() + " hashes exceed the limit of " + limits.maxFetchHashes() + " per request");
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, MediaTypes.BLOCKS);
        OutputStream out = ex.getOutputStream();
        blocks.fetchDelta(Exchanges.principal(ex), want, base, (h, stored) -> {
            byte[] form = new byte[stored.remaining()];
            stored.duplicate().get(form);
            BlockFrames.write(out, h, form);
        });
        out.close();
    }
}
