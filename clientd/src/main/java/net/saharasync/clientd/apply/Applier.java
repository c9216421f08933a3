package net.saharasync.clientd.apply;

import net.saharasync.protocol.BlockSink;
import net.saharasync.protocol.HostApi;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.Await;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import net.saharasync.clientd.index.ChunkLocation;
import net.saharasync.clientd.index.FileState;
import net.saharasync.clientd.index.LocalIndex;
import net.saharasync.clientd.remote.Transfer;
import net.saharasync.merkle.Change;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileTree;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeDiff;
import net.saharasync.merkle.TreeObject.FileChild;

/**
 * Makes the folder go from the tree it was scanned as to another tree (the merged or remote
 * one), touching only what differs: renames for moves (no bytes move), new files written from
 * chunks found in local files or else downloaded, removals to the trash. Every write checks
 * that the path still holds what the scan saw; a path the user changed meanwhile is skipped
 * (reported, never overwritten) and the next cycle merges it.
 */
public final class Applier {
    /**
     * What applying did. {@code skipped} non-empty means the folder is not yet exactly the
     * target. {@code unsyncable}: entries this machine cannot create (a symlink target no file
     * system takes, a file whose tree does not add up), path to why; left as the folder had
     * them, reported, and tried again when the volume next changes them.
     */
    public record Result(int filesWritten, int removed, int moved, List<String> skipped,
                         Map<String, Optional<FileState>> indexChanges, Map<Hash, ChunkLocation> chunkLocations,
                         Map<String, String> unsyncable, List<Change> changes) {}

    private static final int FETCH_RUN = 256;
    private static final FileStat A_DIRECTORY = new FileStat(FileStat.Kind.DIRECTORY, 0, 0, "", false);

    private final SyncFs fs;
    private final ObjectStore objects;
    private final LocalIndex index;
    private final Transfer transfer;
    private final HostApi host;
    private final Map<String, FileStat> observed;
    /** What the scan saw (observed changes as the applier works). */
    private final java.util.Set<String> scanned;
    private final java.util.function.Function<String, Optional<Entry>> baseEntry;
    private final java.util.Set<String> ignoredFiles;

    private int written;
    private int removed;
    private int moved;
    private final List<String> skipped = new ArrayList<>();
    private final Map<String, String> unsyncable = new java.util.TreeMap<>();
    private final Map<String, Optional<FileState>> indexChanges = new LinkedHashMap<>();
    private final Map<Hash, ChunkLocation> chunkLocations = new HashMap<>();

    public Applier(SyncFs fs, ObjectStore objects, LocalIndex index, Transfer transfer, HostApi host, Map<String, FileStat> observed,
                   java.util.function.Function<String, Optional<Entry>> baseEntry, java.util.Set<String> ignoredFiles) {
        this.scanned = java.util.Set.copyOf(observed.keySet());
        this.ignoredFiles = ignoredFiles;
        this.baseEntry = baseEntry;
        this.fs = fs;
        this.objects = objects;
        this.index = index;
        this.transfer = transfer;
        this.host = host;
        this.observed = new HashMap<>(observed);
    }

    private net.saharasync.clientd.Progress progress = net.saharasync.clientd.Progress.NONE;

    /** Paths an editor's sign held back in enough cycles before: written now (see {@link #editorAt}). */
    private java.util.Set<String> waitedForEditor = java.util.Set.of();
    private final java.util.Set<String> heldForEditor = new java.util.HashSet<>();

    public Applier waitedForEditor(java.util.Set<String> paths) {
        this.waitedForEditor = paths;
        return this;
    }

    /** The paths this apply held back because an editor seemed to be saving them. */
    public java.util.Set<String> heldForEditor() {
        return heldForEditor;
    }

    public Applier progress(net.saharasync.clientd.Progress p) {
        this.progress = p;
        return this;
    }

    /** The most a single apply creates, and how deep (a hostile tree can claim 64^5 files in 12 KB of objects). */
    private net.saharasync.merkle.TreeStats.Limits limits = net.saharasync.merkle.TreeStats.Limits.DEFAULT;

    public Applier limits(net.saharasync.merkle.TreeStats.Limits l) {
        this.limits = l;
        return this;
    }

    public Result apply(DirRef from, DirRef to) throws IOException {
        List<Change> changes = TreeDiff.diff(objects, from, to);
        checkLimits(changes);
        long total = 0;
        for (Change c : changes) {
            switch (c) {
                case Change.Added a -> total += bytesUnder(a.entry());
                case Change.Modified m -> total += bytesUnder(m.after());
                case Change.KindChanged k -> total += bytesUnder(k.after());
                default -> {}
            }
        }
        progress.start("download", total);
        try {
            return applyChanges(changes);
        } finally {
            progress.finish();
        }
    }

    /**
     * Refuses, before anything is written, a change that would create more entries than the
     * limits allow, or any deeper than they allow: the new folders' sizes are counted with
     * each distinct folder object read once.
     */
    private void checkLimits(List<Change> changes) {
        net.saharasync.merkle.TreeStats stats = new net.saharasync.merkle.TreeStats(objects, limits, h -> Optional.empty());
        long created = 0;
        for (Change c : changes) {
            Entry after = switch (c) {
                case Change.Added a -> a.entry();
                case Change.KindChanged k -> k.after();
                case Change.Moved m -> m.after();
                default -> null;
            };
            if (after == null) continue;
            int depth = net.saharasync.merkle.Paths.split(c.path()).size();
            if (depth > limits.maxDepth()) throw tooLarge(c.path() + " lies deeper than " + limits.maxDepth() + " levels");
            created++;
            try {
                if (after.isDirectory() && !(c instanceof Change.Moved)) created += stats.of(after.dir(), depth).entries();
            } catch (net.saharasync.merkle.TreeStats.LimitExceeded e) {
                throw tooLarge(c.path() + ": " + e.getMessage());
            }
            if (created > limits.maxEntries()) throw tooLarge("it would create more than " + limits.maxEntries() + " files and folders");
        }
    }

    private static net.saharasync.clientd.ClientException tooLarge(String why) {
        return new net.saharasync.clientd.ClientException("refusing the volume's new tree, nothing written: " + why
                + " (this client's limit; the tree may be hostile)");
    }

    private long bytesUnder(Entry e) {
        if (!e.isDirectory()) return e.size();
        long n = 0;
        for (Entry c : DirectoryTree.entries(objects, e.dir())) n += bytesUnder(c);
        return n;
    }

    private Result applyChanges(List<Change> changes) throws IOException {
        List<Change.Moved> moves = new ArrayList<>();
        List<Change> adds = new ArrayList<>();
        List<Change> modifies = new ArrayList<>();
        List<Change.Removed> removes = new ArrayList<>();
        for (Change c : changes) {
            switch (c) {
                case Change.Moved m -> moves.add(m);
                case Change.Added a -> adds.add(a);
                case Change.Modified m -> modifies.add(m);
                case Change.KindChanged k -> modifies.add(k);
                case Change.Removed r -> removes.add(r);
            }
        }
        for (Change.Moved m : moves) refusable(m.path(), () -> move(m));
        flushWrites();
        // New paths first: a conflict copy is written from the local file's chunks before that file is replaced.
        adds.sort(Comparator.comparing(Change::path));
        for (Change a : adds) refusable(a.path(), () -> add(RelPath.of(a.path()), ((Change.Added) a).entry()));
        flushWrites();
        for (Change m : modifies) {
            switch (m) {
                case Change.Modified mod -> refusable(mod.path(), () -> {
                    before = Optional.of(mod.before());
                    try {
                        add(RelPath.of(mod.path()), mod.after());
                    } finally {
                        before = Optional.empty();
                    }
                });
                case Change.KindChanged k -> refusable(k.path(), () -> {
                    if (remove(RelPath.of(k.path()), k.before())) add(RelPath.of(k.path()), k.after());
                });
                default -> throw new IllegalStateException();
            }
        }
        flushWrites();
        removes.sort(Comparator.comparing(Change::path).reversed());
        for (Change.Removed r : removes) refusable(r.path(), () -> remove(RelPath.of(r.path()), r.entry()));
        return new Result(written, removed, moved, List.copyOf(skipped), indexChanges, chunkLocations, Map.copyOf(unsyncable), changes);
    }

    /** One change's file-system work. */
    private interface Work {
        void run() throws IOException;
    }

    /**
     * Runs one change; if the file system refuses it (a read-only or immutable folder, no
     * permission), that path is reported and skipped and the other changes go on. Writes
     * batched meanwhile are not this change's: they are refused (or not) one by one.
     */
    private void refusable(String path, Work work) throws IOException {
        try {
            work.run();
        } catch (SyncFs.ChangedMeanwhile changed) {
            throw changed;
        } catch (IOException e) {
            Optional<String> why = SyncFs.refusal(e);
            if (why.isEmpty()) throw e;
            unsyncable.put(path, "cannot write: " + why.get() + " — skipped");
        }
    }

    private void move(Change.Moved m) throws IOException {
        RelPath src = RelPath.of(m.from()), dst = RelPath.of(m.path());
        FileStat expected = m.before().isDirectory() ? A_DIRECTORY : observed.get(m.from());
        if (expected == null) {
            skipped.add(m.from());
            return;
        }
        directories.clear();
        try {
            fs.mkdirs(dst.parent());
            fs.rename(src, dst, expected);
        } catch (SyncFs.ChangedMeanwhile e) {
            // Fall back to writing the destination from chunks; the source stays for the next cycle to look at.
            add(dst, m.after());
            skipped.add(m.from());
            return;
        }
        moved++;
        // The index and the scan's view follow the move (same inode, same mtime: nothing to re-read).
        for (String p : m.before().isDirectory() ? index.pathsUnder(m.from()) : List.of(m.from())) {
            String np = m.path() + p.substring(m.from().length());
            index.file(p).ifPresent(st -> indexChanges.put(np, Optional.of(st)));
            indexChanges.putIfAbsent(p, Optional.empty());
            FileStat seen = observed.remove(p);
            if (seen != null) observed.put(np, seen);
        }
        if (!m.after().isDirectory() && !m.after().equals(m.before().withName(m.after().name()))) {
            // Moved and changed metadata (exec bit, mtime): write the target state.
            add(dst, m.after());
        }
    }

    /**
     * Directories made or found in this apply, so the files of one folder do not each check
     * every ancestor again (two stats per ancestor per file). Forgotten whenever a move or a
     * removal may have changed directories; the write itself still checks its path for links.
     */
    private final java.util.Set<RelPath> directories = new java.util.HashSet<>();

    private void ensureDirectory(RelPath d) throws IOException {
        if (directories.contains(d)) return;
        fs.mkdirs(d);
        directories.add(d);
    }

    /** Creates {@code e} at {@code p} (replacing what the scan saw there, if anything). */
    private void add(RelPath p, Entry e) throws IOException {
        try {
            switch (e.kind()) {
                case DIRECTORY -> {
                    ensureDirectory(p);
                    for (Entry child : DirectoryTree.entries(objects, e.dir())) add(p.child(child.name()), child);
                }
                case FILE -> {
                    if (!resurrection(p) && !metadataOnly(p, e)) writeFile(p, e);
                }
                case SYMLINK -> {
                    if (resurrection(p)) return;
                    byte[] target = objects.blocks().get(e.content())
                            .orElseThrow(() -> new IOException("symlink target of " + p + " was not downloaded"));
                    Optional<String> problem = net.saharasync.merkle.Names.symlinkTargetProblem(target);
                    if (problem.isPresent()) {
                        unsyncable.put(p.path(), problem.get());
                        return;
                    }
                    FileStat st = fs.writeSymlink(p, new String(target, StandardCharsets.UTF_8), Optional.ofNullable(observed.get(p.path())));
                    observed.put(p.path(), st);
                    indexChanges.put(p.path(), Optional.of(new FileState(st, e.content(), 0)));
                    written++;
                }
            }
        } catch (SyncFs.ChangedMeanwhile changed) {
            skipped.add(p.path());
        }
    }

    /**
     * A file the user deleted here (in base, not in the scan) that the merge brings back (the
     * other side edited it). It is written a cycle later, not now: the "delete" may be an editor
     * in the middle of a save (Vim renames the file away, then writes it anew), and writing the
     * other version into that gap would let the editor overwrite it unseen. Deferred, the path
     * stays "absent" in base, so next time either it is still absent (it is restored) or the
     * editor's new file is there (both are kept, one as a conflict copy).
     */
    /**
     * A change of the exec bit or the time only (the same content): set in place, not the
     * whole file written again (which also put a full copy in the trash: +48 MB for a chmod of
     * a 48 MB file). False when it is more than that, or the file system cannot.
     */
    private boolean metadataOnly(RelPath p, Entry e) throws IOException {
        if (before.isEmpty() || before.get().kind() != net.saharasync.merkle.EntryKind.FILE) return false;
        Entry b = before.get();
        if (!b.content().equals(e.content()) || b.size() != e.size() || b.height() != e.height()) return false;
        FileStat seen = observed.get(p.path());
        if (seen == null || seen.kind() != FileStat.Kind.FILE || seen.size() != e.size()) return false;
        Optional<FileStat> st;
        try {
            st = fs.setMetadata(p, e.executable(), e.ownerOnly(), e.mtimeNanos(), seen);
        } catch (SyncFs.ChangedMeanwhile changed) {
            skipped.add(p.path());
            return true;
        }
        if (st.isEmpty()) return false;
        observed.put(p.path(), st.get());
        indexChanges.put(p.path(), Optional.of(new FileState(st.get(), e.content(), e.height())));
        written++;
        return true;
    }

    private boolean resurrection(RelPath p) {
        if (scanned.contains(p.path()) || observed.containsKey(p.path())) return false;
        Optional<Entry> was = baseEntry.apply(p.path());
        if ((was.isEmpty() || was.get().isDirectory()) && !editorAt(p)) return false;
        skipped.add(p.path());
        return true;
    }

    /**
     * Whether an editor seems to be saving {@code p} right now: its backup ({@code p~}), Vim's
     * swap file or Emacs's lock or autosave file lies beside it. Writing a new file into
     * {@code p} then would race the editor's own write; it waits a cycle instead. Only a few
     * cycles ({@link #waitedForEditor}): a sign can outlive any save (Vim's {@code backup}
     * option keeps {@code p~}, a crashed editor leaves its swap file, a folder moved with a
     * backup in it), and must not keep the file away for good.
     */
    private boolean editorAt(RelPath p) {
        if (waitedForEditor.contains(p.path())) return false;
        String dir = p.parent().isRoot() ? "" : p.parent().path() + "/";
        String n = p.name();
        for (String sign : List.of(p.path() + "~", dir + "." + n + ".swp", dir + "." + n + ".swo", dir + "." + n + ".swx",
                dir + ".#" + n, dir + "#" + n + "#")) {
            if (ignoredFiles.contains(sign)) {
                heldForEditor.add(p.path());
                return true;
            }
        }
        return false;
    }

    /** A file to write, queued so that many are fetched in few requests and written (and fsynced) concurrently. */
    private record PendingWrite(RelPath p, Entry e, List<FileChild> chunks, Optional<FileStat> expected, Map<Hash, Hash> bases,
                                Optional<OldVersion> old) {}

    /**
     * The version a modified file replaces, still in place and exactly what the index says
     * (its stat matches the index entry, which a file changed within the scan's mtime tick
     * never does): where each of its chunks lies in it. Chunks the new version shares with it
     * are copied from it range by range in the kernel, neither read into the program nor
     * re-hashed: the same trust the scan gives an unchanged stat when it reuses a file's hashes.
     */
    private record OldVersion(RelPath path, FileStat stat, Map<Hash, Long> offsets) {}

    private Optional<OldVersion> oldVersion(RelPath p, List<FileChild> oldChunks) {
        if (oldChunks.isEmpty()) return Optional.empty();
        Optional<FileState> st = index.file(p.path());
        if (st.isEmpty() || st.get().stat().kind() != FileStat.Kind.FILE || !st.get().content().equals(before.get().content())) {
            return Optional.empty();
        }
        Map<Hash, Long> offsets = new HashMap<>();
        long at = 0;
        for (FileChild c : oldChunks) {
            offsets.putIfAbsent(c.hash(), at);
            at += c.length();
        }
        return Optional.of(new OldVersion(p, st.get().stat(), offsets));
    }

    /**
     * The bytes of every base a delta may be made against, read (and checked) before asking:
     * a base the host patches against is then always at hand, even if its file changes meanwhile.
     */
    private final Map<Hash, byte[]> baseBytes = new java.util.concurrent.ConcurrentHashMap<>();
    private long baseBytesHeld;
    /** At most this much old data is held for deltas per batch; beyond it, chunks come whole. */
    private static final long MAX_BASE_BYTES = 32 << 20;

    /** The version being replaced, while a modification is added: its chunks are bases for deltas. */
    private Optional<Entry> before = Optional.empty();

    private final List<PendingWrite> pending = new ArrayList<>();
    private long pendingBytes;
    /** Files up to this size have their missing chunks fetched together, many files per request. */
    private static final long PREFETCH_FILE = 4 << 20;
    private static final long FLUSH_BYTES = 64 << 20;
    /** Left free on the folder's disk (for the index, the trash, the rest of the system). */
    static final long SPACE_RESERVE = 8 << 20;
    /** What the disk can still take this apply (free space less what is queued); null before the first look. */
    private Long spaceLeft;
    private String spaceWhere = "";

    /**
     * Whether {@code e}'s content fits on the folder's disk (a replaced file's old version
     * stays in the trash, so it needs its whole size). One that does not is reported with how
     * much it needs and how much is free, and nothing of it is downloaded: the next cycle
     * tries again, and writes it once there is room.
     */
    private boolean fits(RelPath p, Entry e) throws IOException {
        if (spaceLeft == null) {
            Optional<SyncFs.Space> s = fs.freeSpace();
            if (s.isEmpty()) return true;
            spaceLeft = s.get().usable() - SPACE_RESERVE;
            spaceWhere = s.get().where();
        }
        long need = e.size() + 4096; // its blocks, rounded up
        if (need <= spaceLeft) {
            spaceLeft -= need;
            return true;
        }
        unsyncable.put(p.path(), "cannot write: not enough space (needs " + net.saharasync.clientd.Sizes.human(e.size()) + ", "
                + net.saharasync.clientd.Sizes.human(Math.max(0, spaceLeft + SPACE_RESERVE)) + " free on the disk of " + spaceWhere + ") — skipped until there is room");
        return false;
    }


    private static final int FLUSH_FILES = 2048;

    private void writeFile(RelPath p, Entry e) throws IOException {
        List<FileChild> chunks;
        try {
            chunks = FileTree.chunks(objects, e.file());
        } catch (net.saharasync.merkle.MalformedObjectException bad) {
            unsyncable.put(p.path(), "its content does not hold together (" + bad.getMessage() + ")");
            return;
        }
        // The version being replaced (a modification of a non-empty file): bases for deltas, ranges to copy.
        List<FileChild> old = before.isPresent() && before.get().kind() == net.saharasync.merkle.EntryKind.FILE && before.get().size() > 0
                ? FileTree.chunks(objects, before.get().file()) : List.of();
        if (!fits(p, e)) return;
        ensureDirectory(p.parent());
        pending.add(new PendingWrite(p, e, chunks, Optional.ofNullable(observed.get(p.path())), bases(chunks, old), oldVersion(p, old)));
        pendingBytes += e.size();
        if (pendingBytes >= FLUSH_BYTES || pending.size() >= FLUSH_FILES) flushWrites();
    }

    /**
     * For the chunks of a modified file that no local file holds: the old version's chunk at
     * the same place, when it is still here, so the host can send a patch against it.
     */
    private Map<Hash, Hash> bases(List<FileChild> chunks, List<FileChild> oldChunks) {
        if (oldChunks.isEmpty()) return Map.of();
        net.saharasync.clientd.remote.ChunkLayout old = new net.saharasync.clientd.remote.ChunkLayout(oldChunks);
        Map<Hash, Hash> out = new HashMap<>();
        long offset = 0;
        for (FileChild c : chunks) {
            if (c.length() >= Transfer.DELTA_MIN && index.chunk(c.hash()).isEmpty() && baseBytesHeld < MAX_BASE_BYTES) {
                final long at = offset;
                Optional<Hash> o = old.overlapping(at, c.length()).filter(x -> !x.equals(c.hash()));
                Optional<byte[]> bytes = o.flatMap(x -> baseBytes.containsKey(x) ? Optional.of(baseBytes.get(x)) : transfer.localChunk(x));
                if (bytes.isPresent()) {
                    if (baseBytes.putIfAbsent(o.get(), bytes.get()) == null) baseBytesHeld += bytes.get().length;
                    out.put(c.hash(), o.get());
                }
            }
            offset += c.length();
        }
        return out;
    }

    private Optional<byte[]> heldBase(Hash h) {
        return Optional.ofNullable(baseBytes.get(h));
    }

    /** Writes every queued file; called before anything that must see them on disk. */
    private void flushWrites() throws IOException {
        if (pending.isEmpty()) return;
        List<PendingWrite> batch = List.copyOf(pending);
        pending.clear();
        pendingBytes = 0;
        spaceLeft = null; // looked at again after these are written (others write too)
        try {
            flushBatch(batch);
        } finally {
            baseBytes.clear();
            baseBytesHeld = 0;
        }
    }

    private void flushBatch(List<PendingWrite> batch) throws IOException {
        List<SyncFs.WriteResult> results;
        try (Prefetch fetched = prefetch(batch, SyncFs.writeOrder(batch.stream().map(PendingWrite::p).toList()))) {
            List<SyncFs.FileWrite> writes = new ArrayList<>();
            for (PendingWrite w : batch) {
                writes.add(new SyncFs.FileWrite(w.p(), out -> writeChunks(out, w, fetched),
                        w.e().mtimeNanos(), w.e().executable(), w.e().ownerOnly(), w.expected()));
            }
            // Durable on return, before anything (index, base) records these files as written.
            results = fs.writeFiles(writes);
        }
        List<Hash> downloaded = new ArrayList<>();
        for (PendingWrite w : batch) {
            for (FileChild c : w.chunks()) downloaded.add(c.hash());
        }
        index.markHosted(downloaded); // every chunk of a file the host sent is on the host
        for (int i = 0; i < batch.size(); i++) {
            PendingWrite w = batch.get(i);
            FileStat st;
            switch (results.get(i)) {
                case SyncFs.Written done -> st = done.stat();
                case SyncFs.Changed changed -> {
                    skipped.add(w.p().path());
                    continue;
                }
                case SyncFs.Refused refused -> {
                    unsyncable.put(w.p().path(), "cannot write: " + refused.why() + " — skipped");
                    continue;
                }
            }
            observed.put(w.p().path(), st);
            indexChanges.put(w.p().path(), Optional.of(new FileState(st, w.e().content(), w.e().height())));
            progress.advance(0, 1); // its bytes went as they were written
            long offset = 0;
            for (FileChild c : w.chunks()) {
                chunkLocations.put(c.hash(), new ChunkLocation(w.p().path(), offset, (int) c.length()));
                offset += c.length();
            }
            written++;
        }
    }

    /**
     * The chunks of a batch's small files that no local file holds, asked for in as few
     * requests as possible and in the order the files will be written. With a host that takes
     * concurrent requests they are downloaded while the files are written (a file waits only
     * for its own chunks); otherwise all of them first.
     */
    private Prefetch prefetch(List<PendingWrite> batch, List<Integer> order) throws IOException {
        java.util.LinkedHashMap<Hash, Optional<Hash>> want = new java.util.LinkedHashMap<>();
        for (int i : order) {
            PendingWrite w = batch.get(i);
            if (w.e().size() > PREFETCH_FILE) continue;
            for (FileChild c : w.chunks()) {
                if (index.chunk(c.hash()).isEmpty()) want.putIfAbsent(c.hash(), Optional.ofNullable(w.bases().get(c.hash())));
            }
        }
        return new Prefetch(want, host.concurrentRequests());
    }

    /** Chunks on their way from the host; {@link #get} waits for one. Closing stops the download if it still runs. */
    private final class Prefetch implements AutoCloseable {
        private final Map<Hash, java.util.concurrent.CompletableFuture<byte[]>> chunks = new HashMap<>();
        private final Thread fetcher;

        Prefetch(java.util.LinkedHashMap<Hash, Optional<Hash>> want, boolean concurrently) throws IOException {
            for (Hash h : want.keySet()) chunks.put(h, new java.util.concurrent.CompletableFuture<>());
            if (want.isEmpty()) {
                fetcher = null;
            } else if (concurrently) {
                // A platform thread: a virtual one's socket I/O would start the JDK's I/O poller,
                // which then keeps the JVM ~300 ms at exit (see SyncEngine#headAsync).
                fetcher = Thread.ofPlatform().daemon().name("sahara-prefetch").start(() -> fetch(want));
            } else {
                fetcher = null;
                fetch(want);
                for (var f : chunks.values()) {
                    if (f.isCompletedExceptionally()) Await.result(f, "downloading"); // throws the download's error
                }
            }
        }

        private void fetch(java.util.LinkedHashMap<Hash, Optional<Hash>> want) {
            try {
                host.fetchDelta(new ArrayList<>(want.keySet()), new ArrayList<>(want.values()), Applier.this::heldBase,
                        (h, data) -> chunks.get(h).complete(data));
                IOException missing = new IOException("the host's answer lacked a chunk");
                for (var f : chunks.values()) f.completeExceptionally(missing);
            } catch (IOException | RuntimeException e) {
                for (var f : chunks.values()) f.completeExceptionally(e);
            }
        }

        /** The chunk's bytes once they arrived, or null if it is not being prefetched. */
        byte[] get(Hash h) throws IOException {
            var f = chunks.get(h);
            return f == null ? null : Await.result(f, "downloading");
        }

        @Override
        public void close() throws IOException {
            if (fetcher == null) return;
            fetcher.interrupt(); // a no-op once it is done; else its request is abandoned
            try {
                fetcher.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while stopping a download");
            }
        }
    }

    /**
     * Writes chunks in order: runs the old version at this path shares copied from it, then
     * prefetched chunks, or chunks from a local file that still holds them (read and checked),
     * the rest downloaded in runs.
     */
    /** Chunks whose local copy was stale, fetched once and kept for the rest of the apply (bounded). */
    private final Map<Hash, byte[]> refetched = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<Hash> stale = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong refetchedBytes = new java.util.concurrent.atomic.AtomicLong();
    private static final long MAX_REFETCHED_BYTES = 64L << 20;

    private void keepRefetched(Hash h, byte[] buf, int off, int len) {
        if (!stale.contains(h) || refetched.containsKey(h)) return;
        if (refetchedBytes.addAndGet(len) > MAX_REFETCHED_BYTES) {
            refetchedBytes.addAndGet(-len);
            return;
        }
        refetched.put(h, java.util.Arrays.copyOfRange(buf, off, off + len));
    }

    /**
     * The length the file being written on this thread (files are written several at once)
     * says each of its chunks has: every block received must have it.
     */
    private final ThreadLocal<Map<Hash, Long>> claimedLength = ThreadLocal.withInitial(HashMap::new);

    private void checkLength(Hash h, int length) {
        Long claimed = claimedLength.get().get(h);
        if (claimed != null && claimed != length) {
            throw new net.saharasync.merkle.MalformedObjectException("block " + h.toHex() + " holds " + length
                    + " bytes, the file's tree says " + claimed + ": the file's size disagrees with its chunks");
        }
    }

    private void writeChunks(SyncFs.FileSink out, PendingWrite w, Prefetch fetched) throws IOException {
        Map<Hash, Long> claimed = claimedLength.get();
        claimed.clear();
        for (FileChild c : w.chunks()) claimed.put(c.hash(), c.length());
        List<Hash> run = new ArrayList<>();
        List<FileChild> copying = new ArrayList<>();
        long copyFrom = 0, copyLength = 0;
        Map<Hash, Long> oldAt = w.old().map(OldVersion::offsets).orElse(Map.of());
        for (FileChild c : w.chunks()) {
            progress.advance(c.length(), 0); // the bar moves inside a big file (from a writer thread)
            Long at = oldAt.get(c.hash());
            if (at != null) {
                if (copying.isEmpty() || at != copyFrom + copyLength) {
                    copyOld(out, w, copying, copyFrom, copyLength, fetched, run);
                    copyFrom = at;
                    copyLength = 0;
                }
                copying.add(c);
                copyLength += c.length();
                continue;
            }
            copyOld(out, w, copying, copyFrom, copyLength, fetched, run);
            writeChunk(out, c, fetched, run, w.bases());
        }
        copyOld(out, w, copying, copyFrom, copyLength, fetched, run);
        flush(out, run, w.bases());
    }

    /** Copies a run of the old version's bytes; if that file changed since the scan, the run's chunks go the checked way. */
    private void copyOld(SyncFs.FileSink out, PendingWrite w, List<FileChild> copying, long from, long length,
                         Prefetch fetched, List<Hash> run) throws IOException {
        if (copying.isEmpty()) return;
        flush(out, run, w.bases());
        OldVersion old = w.old().orElseThrow();
        if (!out.copyRange(old.path(), old.stat(), from, length)) {
            for (FileChild c : copying) writeChunk(out, c, fetched, run, w.bases());
        }
        copying.clear();
    }

    private void writeChunk(OutputStream out, FileChild c, Prefetch fetched, List<Hash> run, Map<Hash, Hash> bases) throws IOException {
        byte[] ready = fetched.get(c.hash());
        if (ready == null) ready = refetched.get(c.hash());
        Optional<byte[]> local = ready != null ? Optional.of(ready) : transfer.localChunk(c.hash());
        if (local.isEmpty() && index.chunk(c.hash()).isPresent()) {
            // The index said a local file held it, but that file changed or went: it comes from
            // the host, once for the whole apply, not once per file that holds it.
            stale.add(c.hash());
        }
        if (local.isPresent()) {
            flush(out, run, bases);
            checkLength(c.hash(), local.get().length);
            out.write(local.get());
        } else {
            run.add(c.hash());
            if (run.size() == FETCH_RUN) flush(out, run, bases);
        }
    }

    private void flush(OutputStream out, List<Hash> run, Map<Hash, Hash> bases) throws IOException {
        if (run.isEmpty()) return;
        host.fetchDelta(run, run.stream().map(h -> Optional.ofNullable(bases.get(h))).toList(), this::heldBase, new BlockSink() {
            @Override
            public void accept(Hash h, byte[] data) throws IOException {
                checkLength(h, data.length);
                keepRefetched(h, data, 0, data.length);
                out.write(data);
            }

            @Override
            public void accept(Hash h, byte[] buf, int off, int len) throws IOException {
                checkLength(h, len);
                keepRefetched(h, buf, off, len);
                out.write(buf, off, len); // written at once: no copy of a block received whole
            }
        });
        run.clear();
    }

    /** Removes what the scan saw at {@code p} (to the trash); returns whether it is gone. */
    private boolean remove(RelPath p, Entry e) throws IOException {
        directories.clear();
        if (e.isDirectory()) {
            boolean all = true;
            for (Entry child : DirectoryTree.entries(objects, e.dir())) all &= remove(p.child(child.name()), child);
            if (all && fs.removeEmptyDirectory(p)) return true;
            skipped.add(p.path());
            return false;
        }
        FileStat seen = observed.get(p.path());
        if (seen == null) {
            if (fs.stat(p).isEmpty()) return true;
            skipped.add(p.path());
            return false;
        }
        try {
            fs.trash(p, seen);
        } catch (SyncFs.ChangedMeanwhile changed) {
            skipped.add(p.path());
            return false;
        }
        observed.remove(p.path());
        indexChanges.put(p.path(), Optional.empty());
        removed++;
        return true;
    }

}
