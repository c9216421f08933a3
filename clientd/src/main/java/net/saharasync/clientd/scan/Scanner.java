package net.saharasync.clientd.scan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.Chunk;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import net.saharasync.clientd.ignore.IgnoreRules;
import net.saharasync.clientd.index.ChunkLocation;
import net.saharasync.clientd.index.FileState;
import net.saharasync.clientd.index.LocalIndex;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.FileTree;
import net.saharasync.merkle.Names;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.Paths;
import net.saharasync.merkle.TreeParams;

/**
 * Builds the local tree from the folder. A file whose stat (size, mtime, file key) matches the
 * index reuses its recorded content and is not read; others are chunked and hashed, their tree
 * nodes written to the local object store and their chunk locations recorded. A file that
 * changes while it is read is "unsettled": it keeps the entry it had in the base tree (or is
 * left out if it is new) and is looked at again next time, so a half-written file never syncs.
 */
public final class Scanner {
    /**
     * A file modified this close to the scan may change again within the same mtime tick, so
     * its stat is not trusted next time (git's "racily clean" rule). Linux file systems stamp
     * mtimes at the kernel's clock tick (a few ms); a file system with whole-second mtimes
     * (FAT, some network mounts) gets 2 s.
     */
    private static final long RACY_NANOS = 50_000_000L;
    private static final long RACY_NANOS_COARSE = 2_000_000_000L;
    /** A second core hashes half of each buffer of a big file (the scan is otherwise one thread). */
    private static final Optional<java.util.concurrent.Executor> HASH_HELPER = Runtime.getRuntime().availableProcessors() > 1
            ? Optional.of(java.util.concurrent.ForkJoinPool.commonPool()) : Optional.empty();

    /**
     * What a scan found. {@code chunkLocations}: where the chunks it hashed lie, those not
     * already written to the index (see {@link #KEEP_LOCATIONS}).
     */
    public record Result(DirRef root, Map<String, FileStat> observed, Map<String, Optional<FileState>> indexChanges,
                         Map<Hash, ChunkLocation> chunkLocations, List<String> unsettled, Map<String, String> unsyncable,
                         List<RelPath> tempFiles, java.util.Set<String> ignoredFiles, long filesHashed, long bytesHashed,
                         Map<Hash, byte[]> smallChunks, boolean partial, java.util.Set<String> listedFolders,
                         java.util.Set<String> notHere, java.util.Set<String> missingHere) {}

    /**
     * What may have changed in the folder since the scan that produced {@code previous} (the
     * folder's tree then): the paths a file-system watcher reported, relative to the folder.
     * A scan given these lists only the folders those paths lie in (and whole subtrees where a
     * folder itself was reported) and takes everything else from {@code previous}. It is only
     * as right as the report: the caller passes it only when the watcher ran without a gap
     * since {@code previous} was the folder's state, and scans fully otherwise.
     */
    public record Changes(DirRef previous, java.util.Set<String> paths) {}

    /**
     * A partial scan found the folder not as its report said (a reported folder that is not
     * there, a listed folder gone): the caller scans fully instead.
     */
    public static final class StaleChanges extends IOException {
        StaleChanges(String message) {
            super(message);
        }
    }

    /**
     * Bytes of small files read by a scan, kept for the upload that follows (which then opens
     * and reads none of them again), up to this budget: an eighth of the heap, at most 256 MiB.
     * They are exactly the bytes the scan hashed, so they cannot be stale.
     */
    private static final long SMALL_CHUNK_BUDGET = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

    private final SyncFs fs;
    private final IgnoreRules ignore;
    private final LocalIndex index;
    private final ObjectStore objects;
    private final Chunker chunker;
    private final TreeParams params;
    private final Function<String, Optional<Entry>> baseEntry;
    private final long startNanos;

    private final Map<String, Optional<FileState>> indexChanges = new LinkedHashMap<>();
    private final Map<Hash, ChunkLocation> chunkLocations = new HashMap<>();

    /**
     * Chunk locations kept in memory before they are written to the index: otherwise a scan of
     * a huge folder holds one entry (~140 bytes) per chunk it hashed (a TB of new content: 16
     * million). Whoever needs one looks in {@link Result#chunkLocations} first, then in the index.
     */
    public static final int KEEP_LOCATIONS = 262_144;
    private int keepLocations = KEEP_LOCATIONS;
    private final List<String> unsettled = new ArrayList<>();
    /** What this machine does not sync, path to why (reported, never committed). */
    private final Map<String, String> unsyncable = new java.util.TreeMap<>();
    private final List<RelPath> tempFiles = new ArrayList<>();
    /** Ignored files seen (editor backups and swap files among them: signs that an editor is saving a file). */
    private final java.util.Set<String> ignoredFiles = new java.util.HashSet<>();
    private final java.util.Set<String> seen = new java.util.HashSet<>();
    /** The stat each file and symlink had when scanned: what a later write must still find there. */
    private final Map<String, FileStat> observed = new HashMap<>();
    private long filesHashed;
    private long bytesHashed;
    private final Map<Hash, byte[]> smallChunks = new HashMap<>();
    private long smallChunkBytes;

    private net.saharasync.clientd.Progress progress = net.saharasync.clientd.Progress.NONE;

    /**
     * Told the chunks of each file the scan hashes as they are found: a small file's once, with
     * its bytes; a big file's a buffer at a time, while it is still read. Before the scan knows
     * the file stayed still while read: what it is told is content that was there, not
     * necessarily what the tree will hold.
     */
    @FunctionalInterface
    public interface Hashed {
        void chunks(String path, List<Chunk> chunks, byte[] whole);
    }

    private Hashed hashed = (p, c, w) -> {};

    /** The base tree: where entries this machine does not hold come from (see {@link #carried}). */
    private Optional<DirRef> baseRoot = Optional.empty();
    /** Paths of the tree that are carried from base and not in the folder. */
    private final java.util.Set<String> notHere = new java.util.HashSet<>();
    /** Those of them that are not ignored: files of the volume this machine should hold and does not. */
    private final java.util.Set<String> missingHere = new java.util.HashSet<>();

    public Scanner(SyncFs fs, IgnoreRules ignore, LocalIndex index, ObjectStore objects, Chunker chunker, TreeParams params,
                   Function<String, Optional<Entry>> baseEntry, long nowNanos) {
        this.startNanos = nowNanos;
        this.fs = fs;
        this.ignore = ignore;
        this.index = index;
        this.objects = objects;
        this.chunker = chunker;
        this.params = params;
        this.baseEntry = baseEntry;
    }

    public Scanner progress(net.saharasync.clientd.Progress p) {
        this.progress = p;
        return this;
    }

    /**
     * The base tree, whose entries this machine does not hold are carried into the scanned tree
     * unchanged instead of read as deletions: ignored paths (ignoring a path stops syncing it
     * here; it never deletes it elsewhere), and paths the {@code previous} rules (those of the
     * last agreed cycle) ignored, which were never written here: if the rules no longer ignore
     * them they are {@link Result#missingHere}, to be written, not deleted from the volume.
     */
    public Scanner base(Optional<DirRef> base, IgnoreRules previous) {
        this.baseRoot = base;
        this.previousIgnore = previous;
        return this;
    }

    /** The rules the folder was last agreed under: what they ignored and the folder lacks was never here. */
    private IgnoreRules previousIgnore;

    public Scanner hashed(Hashed h) {
        this.hashed = h;
        return this;
    }

    private java.util.Set<String> busy = java.util.Set.of();

    /** Files still being written (the daemon's watcher saw them change again and again): not read if they changed, unsettled. */
    public Scanner busy(java.util.Set<String> paths) {
        this.busy = paths;
        return this;
    }

    /** How many chunk locations to keep in memory before writing them to the index (tests make it small). */
    public Scanner keepLocations(int n) {
        if (n < 1) throw new IllegalArgumentException("keep at least one location");
        this.keepLocations = n;
        return this;
    }

    /** Scans the whole folder. */
    public Result scan() throws IOException {
        return scan(Optional.empty());
    }

    /** Reported paths, the folders they lie in, and every folder above them. */
    private java.util.Set<String> reported = java.util.Set.of();
    private final java.util.Set<String> relisted = new java.util.HashSet<>();
    private final java.util.Set<String> above = new java.util.HashSet<>();
    /** Folders (in a partial scan) whose indexed contents are checked against what the scan saw. */
    private final List<String> sweeps = new ArrayList<>();
    private final java.util.Set<String> listedFolders = new java.util.HashSet<>();
    private boolean partial;
    /** The folder (with a trailing '/') whose whole subtree this partial scan is listing, if any. */
    private String sweeping;

    /**
     * Scans the folder: all of it, or given the changes since a previous scan, only where they
     * are (see {@link Changes}).
     */
    public Result scan(Optional<Changes> changes) throws IOException {
        if (changes.isPresent()) {
            partial = true;
            reported = changes.get().paths();
            for (String p : reported) {
                relisted.add(Paths.parent(p));
                for (String q = Paths.parent(p); above.add(q) && !q.isEmpty(); q = Paths.parent(q)) {
                    // every folder above a reported path
                }
            }
        }
        progress.start("scan", -1);
        DirRef root;
        try {
            root = directory(RelPath.ROOT, changes.map(Changes::previous));
            if (baseRoot.isPresent()) root = carry(RelPath.ROOT, root, baseRoot.get());
        } finally {
            progress.finish();
        }
        objects.flush();
        if (changes.isEmpty()) {
            // Indexed paths no longer there (deleted, or now ignored) leave the index.
            for (String p : index.paths()) {
                if (!seen.contains(p)) indexChanges.put(p, Optional.empty());
            }
        } else {
            for (String dir : sweeps) {
                for (String p : index.pathsUnder(dir)) {
                    if (!seen.contains(p)) indexChanges.put(p, Optional.empty());
                }
            }
        }
        return new Result(root, observed, indexChanges, chunkLocations, unsettled, unsyncable, tempFiles, ignoredFiles, filesHashed, bytesHashed,
                smallChunks, changes.isPresent(), listedFolders, notHere, missingHere);
    }

    /** A folder that cannot be listed (permission denied): skipped, reported, and kept as the volume has it. */
    private static final class Unreadable extends IOException {
        Unreadable() {
            super(null, null);
        }
    }

    /** A subfolder gone between the listing of its parent and its own: not there. */
    private static final class Vanished extends IOException {
        Vanished() {
            super(null, null);
        }
    }

    /**
     * A subfolder's entry: its tree, or when it cannot be read, what base has there (the volume
     * keeps it; nothing is deleted because this machine cannot see it), or nothing.
     */
    private Optional<Entry> subfolder(RelPath dir, Optional<DirRef> previous) throws IOException {
        try {
            return Optional.of(Entry.directory(dir.name(), directory(dir, previous)));
        } catch (Vanished v) {
            return Optional.empty(); // as if the listing had come a moment later
        } catch (Unreadable u) {
            unsyncable.put(dir.path(), "permission denied (folder) — skipped");
            return baseEntry.apply(dir.path()).filter(Entry::isDirectory);
        }
    }

    /**
     * The tree of {@code dir}. With {@code previous} (its tree at the last scan, in a partial
     * scan): that tree if nothing was reported in or under it; its entries with the reported
     * folders below scanned again if nothing was reported directly in it; otherwise it is listed.
     */
    private DirRef directory(RelPath dir, Optional<DirRef> previous) throws IOException {
        if (previous.isPresent() && !reported.contains(dir.path()) && !relisted.contains(dir.path())) {
            if (!above.contains(dir.path())) return previous.get();
            List<Entry> entries = new ArrayList<>(DirectoryTree.entries(objects, previous.get()));
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (!e.isDirectory()) continue;
                Optional<Entry> sub = subfolder(dir.child(e.name()), Optional.of(e.dir()));
                if (sub.isPresent()) {
                    entries.set(i, sub.get());
                } else {
                    entries.remove(i--);
                }
            }
            return DirectoryTree.build(entries, objects, params);
        }
        Map<String, Entry> before = new HashMap<>();
        if (previous.isPresent() && !reported.contains(dir.path())) {
            for (Entry e : DirectoryTree.entries(objects, previous.get())) before.put(e.name(), e);
        } else if (partial && (sweeping == null || !dir.path().startsWith(sweeping))) {
            // A folder scanned whole in a partial scan: what the index holds under it is checked.
            sweeps.add(dir.path());
            sweeping = dir.isRoot() ? "" : dir.path() + "/";
        }
        return listed(dir, before);
    }

    private DirRef listed(RelPath dir, Map<String, Entry> before) throws IOException {
        listedFolders.add(dir.path());
        List<Entry> entries = new ArrayList<>();
        Map<String, FileState> known = index.filesIn(dir.path());
        // Files are stat'ed and read through the open folder; its subfolders are scanned after
        // it is closed (one folder open at a time, however deep the tree).
        List<String> subfolders = new ArrayList<>();
        SyncFs.Folder folder;
        try {
            folder = fs.folder(dir);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException gone) {
            if (partial) throw new StaleChanges("reported changes do not match the folder: " + dir + " is not a folder");
            if (dir.isRoot()) throw gone;
            throw new Vanished(); // deleted (or replaced) since its parent was listed

        } catch (java.nio.file.AccessDeniedException denied) {
            if (dir.isRoot()) throw new java.nio.file.AccessDeniedException(fs.toString(), null, "the synced folder itself cannot be read (permission denied)");
            throw new Unreadable();
        }
        try (folder) {
            for (String name : folder.names()) {
                Optional<String> badName = Names.problem(name);
                if (badName.isPresent()) {
                    String problem = badName.get();
                    // The folder gives decomposed names as their NFC form: one still decomposed has a twin that is.
                    if (!java.text.Normalizer.isNormalized(name, java.text.Normalizer.Form.NFC) && Names.problem(
                            java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFC)).isEmpty()) {
                        problem = "another name in this folder is the same once Unicode-normalized (NFC), and that one is synced; rename one — skipped";
                    }
                    unsyncable.put(dir.path().isEmpty() ? name : dir.path() + "/" + name, problem);
                    continue;
                }
                RelPath p = dir.child(name);
                if (dir.isRoot() && name.equals(Names.RESERVED_AT_ROOT)) continue; // the client's state: never synced
                if (fs.isOwnTemp(name)) {
                    tempFiles.add(p);
                    continue;
                }
                Optional<FileStat> st = folder.stat(name);
                if (st.isEmpty()) continue; // gone since listed
                FileStat s = st.get();
                switch (s.kind()) {
                    case DIRECTORY -> {
                        if (!ignore.ignored(p.path(), true)) subfolders.add(name);
                    }
                    case FILE -> {
                        if (!ignore.ignored(p.path(), false)) file(folder, p, s, Optional.ofNullable(known.get(name))).ifPresent(entries::add);
                        else ignoredFiles.add(p.path());
                    }
                    case SYMLINK -> {
                        if (!ignore.ignored(p.path(), false)) symlink(p, s).ifPresent(entries::add);
                        else ignoredFiles.add(p.path());
                    }
                    case OTHER -> unsyncable.put(p.path(), "not a file, folder or symlink (a FIFO, socket or device)");
                }
            }
        }
        for (String name : subfolders) {
            Entry was = before.get(name);
            subfolder(dir.child(name), was != null && was.isDirectory() ? Optional.of(was.dir()) : Optional.empty()).ifPresent(entries::add);
        }
        entries.sort((a, b) -> Names.compare(a.name(), b.name()));
        if (partial) {
            // Files indexed here and not seen now (deleted, or no longer files) leave the index,
            // and so does everything under a folder that is gone.
            String prefix = dir.isRoot() ? "" : dir.path() + "/";
            for (String name : known.keySet()) {
                if (!seen.contains(prefix + name)) indexChanges.put(prefix + name, Optional.empty());
            }
            java.util.Set<String> folders = new java.util.HashSet<>();
            for (Entry e : entries) if (e.isDirectory()) folders.add(e.name());
            for (Entry e : before.values()) {
                if (e.isDirectory() && !folders.contains(e.name())) sweeps.add(prefix + e.name());
            }
        }
        return DirectoryTree.build(entries, objects, params);
    }

    /**
     * The scanned tree with what base holds that this machine must not delete carried into it
     * (see {@link #carried}), walking down only where the two trees differ: a cycle that finds
     * the folder as base has it reads nothing of base (not even its root, which would load
     * zstd: ~0.2 s of a no-change `sync --once`).
     */
    private DirRef carry(RelPath dir, DirRef scanned, DirRef there) {
        if (scanned.equals(there)) return scanned;
        List<Entry> entries = new ArrayList<>(DirectoryTree.entries(objects, scanned));
        List<Entry> inBase = DirectoryTree.entries(objects, there);
        Map<String, Entry> byName = new HashMap<>(inBase.size() * 2);
        for (Entry e : inBase) byName.put(e.name(), e);
        boolean changed = false;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Entry b = byName.get(e.name());
            if (!e.isDirectory() || b == null || !b.isDirectory()) continue;
            DirRef c = carry(dir.child(e.name()), e.dir(), b.dir());
            if (!c.equals(e.dir())) {
                entries.set(i, Entry.directory(e.name(), c));
                changed = true;
            }
        }
        if (carried(dir, inBase, entries)) {
            entries.sort((a, b) -> Names.compare(a.name(), b.name()));
            changed = true;
        }
        return changed ? DirectoryTree.build(entries, objects, params) : scanned;
    }

    /**
     * Adds to a scanned folder's entries those of base's ({@code inBase}) at names the folder
     * does not hold that are not this machine's to delete: ignored ones now or under the rules
     * of the last agreed cycle. Never the reserved state folder. Returns whether it added any.
     */
    private boolean carried(RelPath dir, List<Entry> inBase, List<Entry> entries) {
        boolean added = false;
        java.util.Set<String> here = new java.util.HashSet<>(entries.size() * 2);
        for (Entry e : entries) here.add(e.name());
        for (Entry e : inBase) {
            if (here.contains(e.name())) continue;
            String path = Paths.join(dir.path(), e.name());
            if (Names.reserved(path)) continue;
            boolean ignored = ignore.ignored(path, e.isDirectory());
            if (ignored || (previousIgnore != null && previousIgnore.ignoredWhere(path, e.isDirectory()))) {
                entries.add(e);
                added = true;
                notHere.add(path);
                if (!ignored) missingHere.add(path);
            }
        }
        return added;
    }

    private Optional<Entry> file(SyncFs.Folder folder, RelPath p, FileStat s, Optional<FileState> known) throws IOException {
        if (s.mtimeNanos() == Long.MAX_VALUE || s.mtimeNanos() == Long.MIN_VALUE) {
            // Beyond what a time in nanoseconds holds (before 1677 or after 2262): synced, it
            // would come back to every machine as another time, so it is not synced at all.
            unsyncable.put(p.path(), "modification time out of range (before 1677 or after 2262)");
            return Optional.empty();
        }
        seen.add(p.path());
        observed.put(p.path(), s);
        if (known.isPresent() && known.get().stat().sameAs(s) && known.get().stat().kind() == FileStat.Kind.FILE) {
            FileState k = known.get();
            return Optional.of(Entry.file(p.name(), new FileRef(k.content(), s.size(), k.height()), s.executable(), s.ownerOnly(), s.mtimeNanos()));
        }
        if (busy.contains(p.path())) {
            // Still being written (a download, a growing log): one version once it is quiet, not one per cycle.
            unsettled.add(p.path());
            seen.remove(p.path());
            observed.remove(p.path());
            return baseEntry.apply(p.path()).filter(e -> e.kind() == net.saharasync.merkle.EntryKind.FILE);
        }
        List<Chunk> chunks;
        boolean bigFile = false;
        try {
            if (s.size() <= chunker.params().min()) {
                // At most one chunk (FastCDC never cuts below min): skip the chunker's big buffer.
                // One byte more than the stat said shows a file that grew meanwhile.
                byte[] all = folder.readStart(p.name(), (int) s.size() + 1);
                chunks = all.length == 0 ? List.of() : List.of(new Chunk(0, all.length, Hash.of(all)));
                if (all.length > 0 && smallChunkBytes + all.length <= SMALL_CHUNK_BUDGET
                        && smallChunks.putIfAbsent(chunks.getFirst().hash(), all) == null) {
                    smallChunkBytes += all.length;
                }
                if (all.length > 0) hashed.chunks(p.path(), chunks, all);
            } else {
                try (InputStream in = folder.read(p.name())) {
                    chunks = chunker.chunkAndHash(in, HASH_HELPER, found -> {
                        long n = 0;
                        for (Chunk c : found) n += c.length();
                        progress.advance(n, 0); // the bar moves inside a big file
                        hashed.chunks(p.path(), found, null);
                    });
                }
                bigFile = true;
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            seen.remove(p.path()); // deleted since it was listed: not there
            observed.remove(p.path());
            return Optional.empty();
        } catch (java.nio.file.AccessDeniedException denied) {
            // Skipped and reported; the volume keeps what it had (this machine cannot see it).
            unsyncable.put(p.path(), "permission denied — skipped");
            seen.remove(p.path());
            observed.remove(p.path());
            return baseEntry.apply(p.path()).filter(e -> e.kind() == net.saharasync.merkle.EntryKind.FILE);
        }
        long size = chunks.isEmpty() ? 0 : chunks.getLast().end();
        Optional<FileStat> after = folder.stat(p.name());
        if (after.isEmpty() || !after.get().sameAs(s) || size != s.size()) {
            // Written to while we read it: try again once it settles.
            unsettled.add(p.path());
            seen.remove(p.path());
            observed.remove(p.path());
            return baseEntry.apply(p.path()).filter(e -> e.kind() == net.saharasync.merkle.EntryKind.FILE);
        }
        filesHashed++;
        bytesHashed += size;
        progress.advance(bigFile ? 0 : size, 1);
        FileRef ref = FileTree.fromChunks(chunks, objects, params);
        for (Chunk c : chunks) chunkLocations.put(c.hash(), new ChunkLocation(p.path(), c.offset(), c.length()));
        if (chunkLocations.size() >= keepLocations) {
            // Hints, checked against their hashes when read: safe to record before the scan ends.
            index.update(Map.of(), chunkLocations);
            chunkLocations.clear();
        }
        indexChanges.put(p.path(), Optional.of(new FileState(trusted(s), ref.root(), ref.height())));
        return Optional.of(Entry.file(p.name(), ref, s.executable(), s.ownerOnly(), s.mtimeNanos()));
    }

    private Optional<Entry> symlink(RelPath p, FileStat s) throws IOException {
        byte[] target;
        try {
            target = fs.readLinkBytes(p);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotLinkException gone) {
            return Optional.empty(); // deleted or replaced since it was listed
        }
        Optional<String> problem = Names.symlinkTargetProblem(target);
        if (problem.isPresent()) {
            // Not rewritten into something it is not (a decoded target would replace bytes) and committed.
            unsyncable.put(p.path(), problem.get());
            return Optional.empty();
        }
        seen.add(p.path());
        observed.put(p.path(), s);
        Block b = Block.of(target);
        if (!objects.has(b.hash())) objects.blocks().put(b);
        indexChanges.put(p.path(), Optional.of(new FileState(trusted(s), b.hash(), 0)));
        // A symlink's own mtime cannot be set portably, so it is not synced (always 0): otherwise
        // every machine that writes the link would see "its" mtime as a change, back and forth.
        return Optional.of(Entry.symlink(p.name(), b.hash(), target.length, 0));
    }

    /** The stat to remember: one that cannot match next time if the file may still change within this mtime tick. */
    private FileStat trusted(FileStat s) {
        long window = s.mtimeNanos() % 1_000_000_000L == 0 ? RACY_NANOS_COARSE : RACY_NANOS;
        if (s.mtimeNanos() < startNanos - window) return s;
        return new FileStat(s.kind(), s.size(), Long.MIN_VALUE, s.fileKey(), s.executable(), s.ownerOnly());
    }
}
