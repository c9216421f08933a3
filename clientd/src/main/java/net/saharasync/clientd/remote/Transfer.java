package net.saharasync.clientd.remote;

import net.saharasync.protocol.Upload;
import net.saharasync.protocol.HostApi;
import net.saharasync.protocol.HostError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.protocol.wire.BlockDelta;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbBlockStore;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import net.saharasync.clientd.index.ChunkLocation;
import net.saharasync.clientd.index.LocalIndex;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.Missing;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeObject;

/**
 * Moving trees between the folder and the host: uploading what the host lacks of a local tree
 * (tree objects from the local store, chunks read from the user's files where the index says
 * they lie, checked by the host against their hashes), and downloading the tree objects of a remote commit
 * (never file data: that is fetched by the applier, file by file).
 */
public final class Transfer {
    /** Bytes per upload request (the host accepts up to 64 MiB). */
    static final int UPLOAD_BATCH_BYTES = 16 << 20;

    private final HostApi host;
    private final LocalIndex index;
    private final SyncFs fs;
    private final BlockCodec codec = new BlockCodec(1);
    private static final Hash EMPTY = Hash.of(new byte[0]);

    public Transfer(HostApi host, LocalIndex index, SyncFs fs) {
        this.host = host;
        this.index = index;
        this.fs = fs;
    }

    /** A chunk whose bytes on disk no longer hash to it: the file changed since it was scanned. */
    public static final class StaleChunk extends IOException {
        public StaleChunk(Hash h, String path) {
            super(path + " changed since it was scanned (chunk " + h.toHex().substring(0, 12) + ")");
        }

        /** The file that held a chunk is gone (deleted, or renamed away, since it was scanned). */
        StaleChunk(String path) {
            super(path + " was deleted or moved since it was scanned");
        }

        /** The host found an uploaded chunk that does not hash to its name. */
        StaleChunk(HostError refused) {
            super("a file changed while it was uploaded; it is scanned again (" + refused.getMessage() + ")", refused);
        }
    }

    /**
     * Uploads everything reachable from {@code root} (and the commit object) that the host
     * lacks, found top-down one level per request; returns the number of blocks sent. A changed
     * chunk of a file that base also had goes as a delta against the base's chunk at the same
     * place (which the host has): a zstd patch when that old chunk is still on disk here, else
     * copy/literal instructions against its signature.
     */
    public int upload(ObjectStore objects, DirRef root, Hash commit, Map<Hash, ChunkLocation> freshLocations, Map<Hash, byte[]> freshBytes,
                      java.util.function.Function<String, Optional<Entry>> baseEntry, net.saharasync.clientd.Progress progress) throws IOException {
        objects.flush();
        List<Hash> need;
        try {
            // Only hashes not known to be on the host are asked about (what base has, what was
            // uploaded or downloaded here before): an edit costs one tiny request per level.
            need = new ArrayList<>(Missing.missing(objects, root, hs -> {
                List<Hash> unknown = index.notHosted(hs);
                if (unknown.isEmpty()) return java.util.Set.of();
                try {
                    return host.missing(unknown);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        need.add(commit);
        Map<Hash, Hash> baseOf = planDeltas(objects, need, freshLocations, baseEntry);
        Map<Hash, Hash> nodeBase = planNodeDeltas(objects, root, baseOf, freshLocations, baseEntry);
        send(need, freshLocations, freshBytes, baseOf, nodeBase, progress);
        return need.size();
    }

    /**
     * Uploads exactly {@code hashes} (objects of the local store, or chunks of local files),
     * whole. For a commit the host refused as incomplete (409 {@code missing_objects}): what
     * this side recorded as on the host is not all there, e.g. after an upload cut off between
     * a folder's node and its files (the walk in {@link #upload} trusts a node the host has to
     * come with everything below it).
     */
    public void resend(List<Hash> hashes, Map<Hash, ChunkLocation> freshLocations, Map<Hash, byte[]> freshBytes,
                       net.saharasync.clientd.Progress progress) throws IOException {
        send(hashes, freshLocations, freshBytes, Map.of(), Map.of(), progress);
    }

    /** Sends {@code need} in batches: chunks with a base in {@code baseOf} as deltas when smaller, index nodes with one in {@code nodeBase} as patches. */
    private void send(List<Hash> need, Map<Hash, ChunkLocation> freshLocations, Map<Hash, byte[]> freshBytes,
                      Map<Hash, Hash> baseOf, Map<Hash, Hash> nodeBase, net.saharasync.clientd.Progress progress) throws IOException {
        LmdbBlockStore local = index.objectBlocks();
        long total = 0;
        for (Hash h : need) {
            ChunkLocation at = freshLocations.containsKey(h) ? freshLocations.get(h) : null;
            total += at != null ? at.length() : local.rawLength(h).orElseGet(() -> index.chunk(h).map(ChunkLocation::length).orElse(0));
        }
        Map<Hash, byte[]> oldBytes = new java.util.HashMap<>();
        Map<Hash, byte[]> signatures = new java.util.HashMap<>();
        List<Hash> needSignature = new ArrayList<>();
        for (Hash old : new java.util.LinkedHashSet<>(baseOf.values())) {
            Optional<byte[]> here = localChunk(old);
            if (here.isPresent()) oldBytes.put(old, here.get());
            else needSignature.add(old);
        }
        if (!needSignature.isEmpty()) {
            try {
                List<byte[]> sigs = host.signatures(needSignature);
                for (int i = 0; i < sigs.size(); i++) signatures.put(needSignature.get(i), sigs.get(i));
            } catch (HostError e) {
                // The host cannot give them (yet): those chunks go whole.
            }
        }
        progress.start("upload", total);
        try {
            sendAll(need.iterator(), freshLocations, freshBytes, baseOf, nodeBase, oldBytes, signatures, progress,
                    (int) Math.min(UPLOAD_BATCH_BYTES, total), UPLOAD_BATCH_BYTES);
        } finally {
            progress.finish();
        }
    }

    /**
     * Reads, encodes and sends {@code need} in batches of about {@code batchBytes} (up to
     * {@link HostApi#concurrentUploads} in flight), taking the hashes as the iterator
     * gives them: from a list, or as a scan finds them ({@link EagerUpload}). Each batch the host
     * accepted is recorded in the index as hosted. {@code expectedBytes} sizes the read arenas.
     */
    void sendAll(java.util.Iterator<Hash> need, Map<Hash, ChunkLocation> freshLocations, Map<Hash, byte[]> freshBytes,
                 Map<Hash, Hash> baseOf, Map<Hash, Hash> nodeBase, Map<Hash, byte[]> oldBytes, Map<Hash, byte[]> signatures,
                 net.saharasync.clientd.Progress progress, int expectedBytes, int batchBytesMax) throws IOException {
        // Chunks are read into arenas reused batch after batch (a fresh array per chunk cost
        // ~1.4 s of page clearing per GiB on a 2-core VM), sized for what this upload needs.
        LmdbBlockStore local = index.objectBlocks();
        BatchSender sender = new BatchSender(progress, Math.max(expectedBytes, 0) + ARENA_SLACK);
        try (ChunkReader reader = new ChunkReader()) {
            List<Upload> batch = new ArrayList<>();
            Arena arena = sender.arena(0);
            long batchBytes = 0, batchRaw = 0;
            while (need.hasNext()) {
                Hash h = need.next();
                Optional<byte[]> stored = local.getStored(h);
                Upload form;
                int raw;
                if (stored.isPresent()) {
                    form = new Upload(h, stored.get());
                    raw = form.length();
                    Hash oldNode = nodeBase.get(h);
                    if (oldNode != null) {
                        Optional<byte[]> now = local.get(h), was = local.get(oldNode);
                        if (now.isPresent() && was.isPresent()) form = smaller(form, BlockDelta.patch(oldNode, was.get(), now.get()));
                    }
                } else if (freshBytes.containsKey(h)) {
                    // A small file's bytes as the scan read and hashed them: no second open and read.
                    byte[] bytes = freshBytes.get(h);
                    raw = bytes.length;
                    form = new Upload(h, codec.encode(bytes).buffers());
                    Hash old = baseOf.get(h);
                    if (old != null) form = withDelta(form, old, bytes, oldBytes, signatures);
                } else {
                    ChunkLocation at = reader.locate(h, freshLocations);
                    raw = at == null ? 0 : at.length();
                    if (arena.room() < raw) {
                        sender.send(batch, batchRaw, arena);
                        batch = new ArrayList<>();
                        batchBytes = 0;
                        batchRaw = 0;
                        arena = sender.arena(raw);
                    }
                    int off = arena.used;
                    reader.read(h, at, arena);
                    form = new Upload(h, codec.encode(arena.buf, off, raw).buffers());
                    Hash old = baseOf.get(h);
                    if (old != null) form = withDelta(form, old, java.util.Arrays.copyOfRange(arena.buf, off, off + raw), oldBytes, signatures);
                }
                batch.add(form);
                batchBytes += form.length();
                batchRaw += raw;
                if (batchBytes >= batchBytesMax) {
                    sender.send(batch, batchRaw, arena);
                    batch = new ArrayList<>();
                    batchBytes = 0;
                    batchRaw = 0;
                    arena = sender.arena(0);
                }
            }
            sender.send(batch, batchRaw, arena);
            sender.finish();
        } finally {
            sender.close();
        }
    }

    /** Room beyond a batch's bytes in an arena: the largest chunk the default chunker cuts. */
    private static final int ARENA_SLACK = 256 << 10;

    /** No arena: no room at all, so the first chunk read from a file asks for a real one. */
    private static final Arena NONE = new Arena(0);

    /** Where the chunks of one upload batch are read; reused once that batch has been sent. */
    private static final class Arena {
        final byte[] buf;
        int used;

        Arena(int capacity) {
            this.buf = new byte[capacity];
        }

        int room() {
            return buf.length - used;
        }
    }

    /** A chunk's form as a delta against {@code old} (a patch if its bytes are here, else copy instructions against its signature) when that is smaller. */
    private static Upload withDelta(Upload whole, Hash old, byte[] bytes, Map<Hash, byte[]> oldBytes,
                                                   Map<Hash, byte[]> signatures) {
        byte[] delta = oldBytes.containsKey(old) ? BlockDelta.patch(old, oldBytes.get(old), bytes)
                : signatures.containsKey(old) ? BlockDelta.copy(old, signatures.get(old), bytes) : null;
        return delta == null ? whole : smaller(whole, delta);
    }

    /** The delta instead of the whole form when it saves at least a fifth. */
    private static Upload smaller(Upload whole, byte[] delta) {
        int n = whole.length();
        return delta.length < n - n / 5 ? new Upload(whole.hash(), delta) : whole;
    }

    /**
     * Sends upload batches, up to {@link HostApi#concurrentUploads} at once, so the host
     * checks and durably stores one batch while the next is read, encoded and sent.
     */
    private final class BatchSender implements AutoCloseable {
        private final net.saharasync.clientd.Progress progress;
        private final int arenaBytes;
        private final int inFlight = Math.max(1, host.concurrentUploads());
        private final java.util.concurrent.ExecutorService pool =
                inFlight > 1 ? java.util.concurrent.Executors.newFixedThreadPool(inFlight) : null;
        private final java.util.ArrayDeque<java.util.concurrent.Future<?>> pending = new java.util.ArrayDeque<>();
        /** Arenas whose batches are done (at most one per batch in flight, plus the one being filled). */
        private final java.util.concurrent.ConcurrentLinkedQueue<Arena> free = new java.util.concurrent.ConcurrentLinkedQueue<>();

        BatchSender(net.saharasync.clientd.Progress progress, int arenaBytes) {
            this.progress = progress;
            this.arenaBytes = arenaBytes;
        }

        /**
         * An empty arena with room for at least {@code bytes}: a reused one when one is free.
         * For {@code bytes} 0 with none free, no arena yet ({@link #NONE}): a batch of small
         * files whose bytes the scan kept never reads into one, and a fresh 16 MiB array per
         * batch cost ~0.4 s of CPU (allocation, page faults) in W2's upload of 20,000 files.
         */
        Arena arena(int bytes) {
            Arena a = free.poll();
            if (a == null && bytes == 0) return NONE;
            if (a == null || a.buf.length < bytes) return new Arena(Math.max(arenaBytes, bytes));
            a.used = 0;
            return a;
        }

        /** Back to the free ones, unless it is {@link #NONE}. */
        private void release(Arena a) {
            if (a != NONE) free.add(a);
        }

        /** Sends a batch whose chunks lie in {@code arena}, which is reused once the batch is done. */
        void send(List<Upload> batch, long raw, Arena arena) throws IOException {
            if (batch.isEmpty()) {
                release(arena);
                return;
            }
            if (pool == null) {
                upload(batch, raw, arena);
                return;
            }
            while (pending.size() >= inFlight) await(pending.poll());
            pending.add(pool.submit(() -> {
                upload(batch, raw, arena);
                return null;
            }));
        }

        private void upload(List<Upload> batch, long raw, Arena arena) throws IOException {
            try {
                host.upload(batch);
            } catch (HostError e) {
                // Chunks go unchecked here (the host checks every frame against its hash): a
                // frame that does not match was read from a file that changed since the scan.
                if (e.status() == 400 && e.code().equals("hash_mismatch")) throw new StaleChunk(e);
                throw e;
            } finally {
                release(arena);
            }
            index.markHosted(batch.stream().map(Upload::hash).toList());
            synchronized (this) {
                progress.advance(raw, 0);
            }
        }

        void finish() throws IOException {
            while (!pending.isEmpty()) await(pending.poll());
        }

        private void await(java.util.concurrent.Future<?> f) throws IOException {
            net.saharasync.clientd.Await.result(f, "uploading");
        }

        @Override
        public void close() {
            if (pool != null) pool.shutdownNow();
        }
    }

    /** Below this a chunk goes whole: a delta would save too little to be worth a request. */
    public static final int DELTA_MIN = 4096;

    /**
     * Where chunk {@code h} lies: as this scan recorded it, else as the index has it (a scan of a
     * huge folder writes its records there as it goes); null if neither knows (a tree node).
     */
    private ChunkLocation located(Hash h, Map<Hash, ChunkLocation> fresh) {
        ChunkLocation at = fresh.get(h);
        return at != null ? at : index.chunk(h).orElse(null);
    }

    /** For each chunk to upload, the chunk base had at the same place of the same file, if any. */
    private Map<Hash, Hash> planDeltas(ObjectStore objects, List<Hash> need, Map<Hash, ChunkLocation> fresh,
                                       java.util.function.Function<String, Optional<Entry>> baseEntry) {
        Map<Hash, Hash> out = new java.util.HashMap<>();
        Map<String, ChunkLayout> oldChunks = new java.util.HashMap<>();
        for (Hash h : need) {
            ChunkLocation at = located(h, fresh);
            if (at == null || at.length() < DELTA_MIN) continue;
            ChunkLayout old = oldChunks.computeIfAbsent(at.path(), p -> baseEntry.apply(p)
                    .filter(e -> e.kind() == net.saharasync.merkle.EntryKind.FILE && e.size() > 0)
                    .map(e -> new ChunkLayout(net.saharasync.merkle.FileTree.chunks(objects, e.file()))).orElse(ChunkLayout.EMPTY));
            old.overlapping(at.offset(), at.length()).filter(c -> !c.equals(h)).ifPresent(c -> out.put(h, c));
        }
        return out;
    }

    /** For the changed index nodes of the files whose chunks changed: the base file's node at the same place. */
    private Map<Hash, Hash> planNodeDeltas(ObjectStore objects, DirRef root, Map<Hash, Hash> chunkBases,
                                           Map<Hash, ChunkLocation> fresh, java.util.function.Function<String, Optional<Entry>> baseEntry) {
        Map<Hash, Hash> out = new java.util.HashMap<>();
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (Hash h : chunkBases.keySet()) paths.add(located(h, fresh).path());
        for (String p : paths) {
            Optional<Entry> now = net.saharasync.merkle.DirectoryTree.lookupPath(objects, root, p);
            Optional<Entry> was = baseEntry.apply(p);
            if (now.isEmpty() || was.isEmpty() || now.get().kind() != net.saharasync.merkle.EntryKind.FILE
                    || was.get().kind() != net.saharasync.merkle.EntryKind.FILE) continue;
            out.putAll(NodeBases.match(NodeBases.layout(objects, now.get().file()), NodeBases.layout(objects, was.get().file())));
        }
        return out;
    }

    /** A chunk's bytes, read from the file the index (or this scan) says holds it, checked against its hash. */
    public byte[] chunk(Hash h, Map<Hash, ChunkLocation> freshLocations) throws IOException {
        try (ChunkReader r = new ChunkReader()) {
            return r.chunk(h, freshLocations);
        }
    }

    /**
     * Reads chunks, keeping the last file open: an upload reads the chunks of a file one after
     * another, and opening a file per 64 KiB chunk cost as much as reading it.
     */
    private final class ChunkReader implements AutoCloseable {
        private String path;
        private SyncFs.PieceReader open;

        byte[] chunk(Hash h, Map<Hash, ChunkLocation> freshLocations) throws IOException {
            ChunkLocation at = locate(h, freshLocations);
            if (at == null) return new byte[0];
            byte[] data;
            try {
                data = file(at).read(at.offset(), at.length());
            } catch (java.nio.file.NoSuchFileException gone) {
                throw new StaleChunk(at.path());
            }
            if (!Hash.of(data).equals(h)) throw new StaleChunk(h, at.path());
            return data;
        }

        /** Where chunk {@code h} lies; null for the empty chunk (an empty file's content: no file holds it). */
        ChunkLocation locate(Hash h, Map<Hash, ChunkLocation> freshLocations) throws IOException {
            if (h.equals(EMPTY)) return null;
            ChunkLocation at = located(h, freshLocations);
            if (at == null) throw new IOException("no local copy of chunk " + h.toHex());
            return at;
        }

        /** Reads the chunk at {@code at} (null: the empty chunk) into the arena, not checked against its hash. */
        void read(Hash h, ChunkLocation at, Arena arena) throws IOException {
            if (at == null) return;
            int n;
            try {
                n = file(at).read(at.offset(), arena.buf, arena.used, at.length());
            } catch (java.nio.file.NoSuchFileException gone) {
                throw new StaleChunk(at.path());
            }
            if (n != at.length()) throw new StaleChunk(h, at.path());
            arena.used += n;
        }

        private SyncFs.PieceReader file(ChunkLocation at) throws IOException {
            if (!at.path().equals(path)) {
                close();
                try {
                    open = fs.pieces(RelPath.of(at.path()));
                } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException gone) {
                    throw new StaleChunk(at.path());
                }
                path = at.path();
            }
            return open;
        }

        @Override
        public void close() throws IOException {
            if (open != null) open.close();
            open = null;
            path = null;
        }
    }

    /** The chunk's bytes if some local file still holds them (checked), else empty. */
    public Optional<byte[]> localChunk(Hash h) {
        try {
            return index.chunk(h).isEmpty() ? Optional.empty() : Optional.of(chunk(h, Map.of()));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    /**
     * Downloads the tree objects of {@code commit} that the local store lacks, level by level,
     * plus symlink targets; file chunks are left to the applier. A changed file-index node comes
     * as a patch against the node at the same place of the local version of that file
     * ({@code localEntry}). Returns the commit.
     */
    public Commit fetchTree(ObjectStore objects, Hash commit, java.util.function.Function<String, Optional<Entry>> localEntry) throws IOException {
        // One local transaction for all levels: each level's objects were a durable write of
        // their own (two fsyncs per level, most of a small edit's tree fetch on a slow disk).
        return index.batched(() -> fetchTreeLevels(objects, commit, localEntry));
    }

    private Commit fetchTreeLevels(ObjectStore objects, Hash commit, java.util.function.Function<String, Optional<Entry>> localEntry) throws IOException {
        fetchMissing(objects, List.of(commit), Map.of());
        Commit c = (Commit) objects.read(commit);
        List<Ref> level = List.of(new Ref(c.root().root(), c.root().height(), true, "", 0, 0));
        Map<String, List<NodeBases.Span>> localLayouts = new java.util.HashMap<>();
        while (!level.isEmpty()) {
            Map<Hash, Ref> unique = new LinkedHashMap<>();
            for (Ref r : level) unique.putIfAbsent(r.hash, r);
            Map<Hash, Hash> bases = new java.util.HashMap<>();
            for (Ref r : unique.values()) {
                if (r.dir || r.height < 1) continue;
                List<NodeBases.Span> was = localLayouts.computeIfAbsent(r.path, p -> localEntry.apply(p)
                        .filter(e -> e.kind() == net.saharasync.merkle.EntryKind.FILE)
                        .map(e -> NodeBases.layout(objects, e.file())).orElse(List.of()));
                NodeBases.match(List.of(new NodeBases.Span(r.hash, r.height, r.start, r.end)), was).forEach(bases::put);
            }
            fetchMissing(objects, new ArrayList<>(unique.keySet()), bases);
            List<Ref> next = new ArrayList<>();
            for (Ref r : unique.values()) expand(objects, r, next);
            level = next;
        }
        return c;
    }

    /**
     * A node to look at: a directory node (dir) or a file node of height >= 1, or a symlink
     * target (height -1); with the path it belongs to and, for file nodes, its byte range.
     */
    private record Ref(Hash hash, int height, boolean dir, String path, long start, long end) {}

    private static void expand(ObjectStore objects, Ref r, List<Ref> next) {
        if (r.height < 0) return;
        TreeObject o = objects.read(r.hash);
        switch (o) {
            case TreeObject.DirLeaf leaf -> {
                for (Entry e : leaf.entries()) {
                    String p = r.path.isEmpty() ? e.name() : r.path + "/" + e.name();
                    switch (e.kind()) {
                        case DIRECTORY -> next.add(new Ref(e.content(), e.height(), true, p, 0, 0));
                        case FILE -> {
                            if (e.height() > 0) next.add(new Ref(e.content(), e.height(), false, p, 0, e.size()));
                        }
                        case SYMLINK -> next.add(new Ref(e.content(), -1, false, p, 0, 0));
                    }
                }
            }
            case TreeObject.DirIndex idx -> idx.children().forEach(ch -> next.add(new Ref(ch.hash(), r.height - 1, true, r.path, 0, 0)));
            case TreeObject.FileIndex idx -> {
                if (idx.height() > 1) {
                    long at = r.start;
                    for (var ch : idx.children()) {
                        next.add(new Ref(ch.hash(), idx.height() - 1, false, r.path, at, at + ch.length()));
                        at += ch.length();
                    }
                }
            }
            case Commit ignored -> {}
        }
    }

    private void fetchMissing(ObjectStore objects, List<Hash> hashes, Map<Hash, Hash> bases) throws IOException {
        LmdbBlockStore local = index.objectBlocks();
        List<Hash> absent = local.missing(hashes);
        if (absent.isEmpty()) return;
        List<Block> got = new ArrayList<>();
        host.fetchDelta(absent, absent.stream().map(h -> Optional.ofNullable(bases.get(h))).toList(), local::get,
                (h, data) -> got.add(Block.withHash(h, data)));
        local.putAll(got);
        index.markHosted(absent);
    }
}
