package net.saharasync.clientd;

import net.saharasync.protocol.CommitResult;
import net.saharasync.protocol.ErrorCode;
import net.saharasync.protocol.Head;
import net.saharasync.protocol.HostError;
import net.saharasync.protocol.HostApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.GearTable;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.apply.Applier;
import net.saharasync.clientd.apply.ApplyTarget;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.LocalFs;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.StateFolder;
import net.saharasync.clientd.fs.SyncFs;
import net.saharasync.clientd.ignore.IgnoreRules;
import net.saharasync.clientd.index.LocalIndex;
import net.saharasync.clientd.index.LocalIndex.Base;
import net.saharasync.clientd.remote.EagerUpload;
import net.saharasync.protocol.http.HttpHost;
import net.saharasync.clientd.remote.Transfer;
import net.saharasync.clientd.scan.MergeCoverage;
import net.saharasync.clientd.scan.Scanner;
import net.saharasync.merkle.Change;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.Merge;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.Paths;
import net.saharasync.merkle.TreeDiff;
import net.saharasync.merkle.TreeParams;

/**
 * One synced folder and its sync cycle, as in Dropbox's Nucleus: three trees, base (the last
 * commit this folder and the host agreed on), local (the folder, scanned) and remote (the
 * host's head).
 * <ol>
 * <li>Scan the folder into the local tree (unchanged files are not read).</li>
 * <li>If the host's head is still base: upload what the host lacks of local and commit it with
 *     compare-and-swap on base.</li>
 * <li>Otherwise (or when that CAS loses): download the remote tree's objects, merge three-way,
 *     commit the merge onto the remote head (unless it is the remote tree itself), then make
 *     the folder the merged tree.</li>
 * <li>Base moves to the new head only once the folder is exactly that tree; if the user changed
 *     a file meanwhile, base stays, and the next cycle merges again (merging is idempotent).</li>
 * </ol>
 */
public final class SyncEngine implements AutoCloseable {
    private static final int MAX_CAS_ATTEMPTS = 8;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SyncEngine.class);

    private final Path folder;
    private final ClientConfig config;
    private final HostApi host;
    private final LocalIndex index;
    private final SyncFs fs;
    private final Transfer transfer;
    private final Chunker chunker;
    private final java.time.Clock clock;

    public SyncEngine(Path folder, ClientConfig config, HostApi host) {
        this(folder, config, host, fs -> fs, java.time.Clock.systemUTC());
    }

    /** With the folder's file system wrapped, e.g. by a test that injects faults. */
    SyncEngine(Path folder, ClientConfig config, HostApi host, java.util.function.UnaryOperator<SyncFs> wrap) {
        this(folder, config, host, wrap, java.time.Clock.systemUTC());
    }

    /** With a file system (wrapped or simulated) and a clock of the caller's: how the simulation tests run it. */
    SyncEngine(Path folder, ClientConfig config, HostApi host, java.util.function.UnaryOperator<SyncFs> wrap, java.time.Clock clock) {
        this.clock = clock;
        this.folder = folder.toAbsolutePath().normalize();
        this.config = config;
        this.host = host;
        // The state folder and what is in it are made and checked without following links.
        net.saharasync.clientd.fs.TempNames temps = net.saharasync.clientd.fs.StateFolder.prepare(this.folder);
        this.index = LocalIndex.open(ClientConfig.stateDir(this.folder).resolve("db"));
        this.fs = wrap.apply(new LocalFs(this.folder, ClientConfig.stateDir(this.folder).resolve("trash"), temps));
        this.transfer = new Transfer(host, index, fs);
        this.chunker = new Chunker(config.chunking(), GearTable.defaultTable());
    }

    /** Sees every merge the engine makes (tests log them). */
    interface MergeObserver {
        void observe(ObjectStore objects, Optional<DirRef> base, DirRef local, DirRef remote, Merge.Result merged);
    }

    MergeObserver mergeObserver = (o, b, l, r, m) -> {};

    /** Where a large upload is split into commits (tests make them small). */
    UploadStages.Limits stageLimits = UploadStages.Limits.DEFAULT;

    /** When the scan starts uploading new files' chunks (tests make it small). */
    EagerUpload.Limits eagerLimits = EagerUpload.Limits.DEFAULT;

    /** Whether that upload runs on the scan's own thread (as with a simulated host), so a test knows what went when. */
    boolean eagerOnScanThread;

    /** How many chunk locations a scan keeps in memory before writing them to the index (tests make it small). */
    int locationsKept = Scanner.KEEP_LOCATIONS;

    /**
     * One progress phase over the several uploads of a staged commit: opened by the first
     * upload with the whole plan's bytes (or, {@code total} -1, that upload's own), closed by
     * the caller after the last; {@code doneBefore}: what went up during the scan.
     */
    private static final class OnePhase implements Progress {
        private final Progress out;
        private final long total;
        private final long doneBefore;
        private boolean started;

        OnePhase(Progress out, long total, long doneBefore) {
            this.out = out;
            this.total = total;
            this.doneBefore = doneBefore;
        }

        @Override
        public void start(String phase, long inner) {
            if (started) return;
            started = true;
            out.start(phase, total < 0 ? inner : total, doneBefore);
        }

        @Override
        public void advance(long bytes, int files) {
            out.advance(bytes, files);
        }

        /** Inner uploads end here; {@link #close} ends the phase. */
        @Override
        public void finish() {}

        void close() {
            if (started) out.finish();
        }
    }

    private Progress progress = Progress.NONE;

    /** Where scans, uploads and downloads report how far they got. */
    public SyncEngine progress(Progress p) {
        this.progress = p;
        return this;
    }

    private java.nio.channels.FileChannel lockChannel;

    /** Makes sure no other client syncs this folder at the same time (released by the OS if the process dies). */
    private void lock() throws IOException {
        if (lockChannel != null) return;
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(ClientConfig.stateDir(folder).resolve("lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        if (ch.tryLock() == null) {
            ch.close();
            throw new ClientException("another sahara client is syncing " + folder);
        }
        lockChannel = ch;
        if (fs instanceof LocalFs local) local.expireTrash(TRASH_KEEP);
    }

    /** How long replaced and deleted files stay in {@code .sahara/trash}. */
    static final java.time.Duration TRASH_KEEP = java.time.Duration.ofDays(30);

    /** Opens a folder joined earlier, connecting to its host over HTTP. */
    public static SyncEngine open(Path folder) {
        ClientConfig c = ClientConfig.load(folder);
        return new SyncEngine(folder, c, new HttpHost(c.host(), c.token(), c.pinnedFingerprint()));
    }

    public Path folder() {
        return folder;
    }

    public ClientConfig config() {
        return config;
    }

    public HostApi host() {
        return host;
    }

    public LocalIndex index() {
        return index;
    }

    /** Scans the folder (recording what it hashed in the index) and returns the scan. */
    Scanner.Result scan(ObjectStore objects, Optional<Base> base) throws IOException {
        return scan(objects, base, Optional.empty(), (p, c, w) -> {});
    }

    /**
     * Scans the folder, only where {@code changes} says if given (all of it if they prove
     * stale), telling {@code hashed} the chunks of the files it reads.
     */
    private Scanner.Result scan(ObjectStore objects, Optional<Base> base, Optional<Scanner.Changes> changes, Scanner.Hashed hashed)
            throws IOException {
        Scanner.Result scan;
        try {
            // A write through one hard link changes the others, whose folders no one reported.
            scan = scanner(objects, base).hashed(hashed).scan(changes.map(c -> new Scanner.Changes(c.previous(), hardLinks.widen(c.paths()))));
            if (scan.partial() && hardLinks.unknownLinks(scan, fs)) {
                index.update(scan.indexChanges(), scan.chunkLocations());
                scan = scanner(objects, base).hashed(hashed).scan(Optional.empty());
            }
        } catch (Scanner.StaleChanges stale) {
            scan = scanner(objects, base).hashed(hashed).scan(Optional.empty());
        }
        index.update(scan.indexChanges(), scan.chunkLocations());
        hardLinks.update(scan);
        return scan;
    }

    private Scanner scanner(ObjectStore objects, Optional<Base> base) throws IOException {
        IgnoreRules rules = cycleRules != null ? IgnoreRules.withText(cycleRules) : ignoreRules();
        return new Scanner(fs, rules, index, objects, chunker, TreeParams.DEFAULT, baseEntry(objects, base),
                clock.millis() * 1_000_000L).base(base.map(Base::root), syncedIgnoreRules()).progress(progress).keepLocations(locationsKept).busy(busyPaths);
    }

    /**
     * The folder's tree as the last cycle left it, when that cycle ended with the folder and
     * the host agreeing (the base tree then): what a partial scan starts from. Empty after any
     * other outcome, so the next cycle scans the whole folder.
     */
    private Optional<DirRef> agreedTree = Optional.empty();
    /**
     * Cycles in a row each path was held back in because an editor seemed to be saving it
     * (its backup or swap file beside it); after {@link #EDITOR_WAITS} it is written anyway.
     */
    private final Map<String, Integer> editorWaits = new java.util.HashMap<>();
    static final int EDITOR_WAITS = 2;

    private java.util.Set<String> waitedForEditor() {
        java.util.Set<String> out = new java.util.HashSet<>();
        editorWaits.forEach((p, n) -> {
            if (n >= EDITOR_WAITS) out.add(p);
        });
        return out;
    }

    private void heldForEditor(java.util.Set<String> held) {
        editorWaits.keySet().retainAll(held);
        for (String p : held) editorWaits.merge(p, 1, Integer::sum);
    }

    /** Which files of the folder are links of one another (see {@link HardLinks}). */
    private final net.saharasync.clientd.scan.HardLinks hardLinks = new net.saharasync.clientd.scan.HardLinks();

    /** One full cycle: scan, upload, merge, download. */
    public synchronized CycleReport cycle() throws IOException {
        return cycle(Optional.empty());
    }

    /**
     * One cycle, given the paths that may have changed since the previous cycle of this engine
     * (a file-system watcher's report, relative to the folder; empty: unknown, scan it all).
     * When the previous cycle ended agreed, only the folders holding those paths are scanned;
     * if the host's head moved meanwhile, the folders the merge writes in are listed too before
     * it writes (see {@link MergeCoverage}), and everything if that check fails.
     */
    public synchronized CycleReport cycle(Optional<java.util.Set<String>> changed) throws IOException {
        return cycle(changed, java.util.Set.of());
    }

    /**
     * As {@link #cycle(Optional)}; files at {@code busy} paths (still being written, by the
     * watcher's account) are not read or committed if they changed: they stay as the volume
     * has them, are reported as unsettled, and go up once they are quiet.
     */
    public synchronized CycleReport cycle(Optional<java.util.Set<String>> changed, java.util.Set<String> busy) throws IOException {
        busyPaths = busy;
        try {
            // A merge that changes the ignore file applied under the old rules: once more under
            // the new ones (what they no longer ignore is written now, not a cycle later).
            CycleReport r = null;
            for (int pass = 0; pass < 3; pass++) {
                cycleRules = ignoreText();
                CycleReport p;
                try {
                    p = cycleWith(pass == 0 ? changed : Optional.empty());
                } catch (net.saharasync.clientd.remote.Transfer.StaleChunk stale) {
                    // A file changed or went away between the scan and its upload (a build, a
                    // program's temp file): not a failure; a fresh scan sees the folder as it is now.
                    LOG.info("{}: {}; scanning again", folder, stale.getMessage());
                    p = cycleWith(Optional.empty());
                }
                r = r == null ? p : r.then(p);
                if (!p.agreed() || ignoreText().equals(cycleRules)) break;
            }
            return r;
        } finally {
            cycleRules = null;
            busyPaths = java.util.Set.of();
            // Their chunks are in the file now (or in a newer partial temp file, kept the same way).
            for (RelPath t : salvaged) {
                try {
                    fs.deleteTemp(t);
                } catch (IOException | RuntimeException e) {
                    // the next scan finds it again
                }
            }
            salvaged.clear();
        }
    }

    /** Temp files of this client kept from a cut-off download, whose chunks this cycle may take; removed when it ends. */
    private final java.util.Set<RelPath> salvaged = new java.util.HashSet<>();

    /**
     * Indexes where the chunks of a partial temp file lie (a big download cut off by a crash, a
     * stop or a host that went away: a prefix of the file it was writing). Chunk boundaries
     * depend on content only, so its chunks are the file's, but for the cut-off last one; each
     * is checked against its hash when it is read, like any local chunk. The next write of
     * that file copies them instead of downloading them again.
     */
    private boolean salvage(RelPath t) {
        try (InputStream in = fs.read(t)) {
            List<net.saharasync.blockstore.Chunk> chunks = chunker.chunkAndHash(in);
            Map<Hash, net.saharasync.clientd.index.ChunkLocation> at = new java.util.HashMap<>();
            for (int i = 0; i < chunks.size() - 1; i++) {
                net.saharasync.blockstore.Chunk c = chunks.get(i);
                at.put(c.hash(), new net.saharasync.clientd.index.ChunkLocation(t.path(), c.offset(), c.length()));
            }
            index.update(Map.of(), at);
            LOG.info("{}: resuming a download cut off before: {} chunks ({} MB) already here", folder, at.size(),
                    chunks.isEmpty() ? 0 : chunks.get(Math.max(0, chunks.size() - 2)).end() / 1_000_000);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Paths this cycle leaves alone if they changed (see {@link #cycle(Optional, java.util.Set)}). */
    private java.util.Set<String> busyPaths = java.util.Set.of();

    /**
     * The ignore file's text this cycle scans and applies with (read once as it starts). Only
     * when it is still the file's text once the cycle ended agreed are they the rules the folder
     * is synced under: a cycle whose merge changed them applied under the old ones.
     */
    private String cycleRules;

    private CycleReport cycleWith(Optional<java.util.Set<String>> changed) throws IOException {
        Optional<DirRef> since = agreedTree;
        agreedTree = Optional.empty();
        activity = new Activity();
        long t0 = System.nanoTime();
        long startedAt = clock.millis();
        long sent0 = host.bytesSent(), received0 = host.bytesReceived();
        ObjectStore objects = index.objects();
        Optional<Base> base = index.base();
        lock();
        // The host's head is asked for while the folder is scanned: one round trip (and, in a
        // fresh process, the HTTP client's start-up) off the critical path. A head that moves
        // meanwhile only costs a retry: the commit is a compare-and-swap.
        java.util.concurrent.CompletableFuture<Head> early = host.concurrentRequests() ? headAsync() : null;
        Optional<Scanner.Changes> changes = changed.isPresent() && since.isPresent() && !changed.get().contains(IgnoreRules.FILE_NAME)
                ? Optional.of(new Scanner.Changes(since.get(), changed.get())) : Optional.empty();
        // New files' chunks go up while the scan still reads (see EagerUpload): the upload below
        // then finds them hosted.
        Function<String, Optional<Entry>> inBase = baseEntry(objects, base);
        EagerUpload eager = new EagerUpload(transfer, index, host, p -> inBase.apply(p).isEmpty(), eagerLimits,
                host.concurrentRequests() && !eagerOnScanThread);
        Scanner.Result scan;
        try {
            scan = cycleScan(objects, base, changes, eager::offer);
        } finally {
            eager.finish();
        }
        int foldersListed = scan.listedFolders().size();
        boolean fullScan = !scan.partial();
        DirRef local = scan.root();
        int filesUp = 0, filesDown = 0, conflicts = 0;
        List<String> skipped = new ArrayList<>();
        Map<String, String> unsyncable = new java.util.TreeMap<>();
        int applies = 0;
        boolean agreed = false;
        Head head = null;
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS && !agreed && skipped.isEmpty(); attempt++) {
            head = attempt == 0 && early != null ? Await.result(early, "asking for the head") : host.head(config.volume());
            Optional<Hash> baseCommit = base.map(Base::commit);
            // Base is "clean" when the folder was left exactly at the base commit's tree; after
            // a partly skipped apply its root differs, and a merge pass finishes the job.
            boolean clean = base.isEmpty() || ((Commit) objects.read(base.get().commit())).root().equals(base.get().root());
            // Files of base this machine never had (and now may hold) are written by a merge pass.
            boolean complete = scan.missingHere().isEmpty();
            if (head.commit().equals(baseCommit) && clean && complete) {
                if (base.isPresent() ? base.get().root().equals(local) : isEmpty(objects, local)) {
                    agreed = true;
                    break;
                }
                // A large upload goes as several commits (see UploadStages): each stage is
                // committed onto the previous one, and a rejected one (the head moved) leaves
                // the rest to the merge of the next attempt, from the last accepted stage.
                // Files whose content went up during the scan are new content all the same.
                UploadStages.Plan plan = UploadStages.plan(objects, TreeParams.DEFAULT, base.map(Base::root), local, stageLimits,
                        hs -> notHostedBeforeScan(hs, eager));
                long sentEarly = plan.stages().isEmpty() ? eager.sentBytes() : Math.min(eager.sentBytes(), plan.bytes());
                OnePhase phase = new OnePhase(progress, plan.stages().isEmpty() ? -1 : plan.bytes() - sentEarly, sentEarly);
                Hash c;
                try {
                    boolean rejected = false;
                    // The upload began with the scan (new files' chunks go up as they are hashed).
                    long committedAt = startedAt;
                    for (DirRef stage : plan.stages()) {
                        Hash sc = commitObject(objects, stage, baseCommit.map(List::of).orElse(List.of()));
                        transfer.upload(objects, stage, sc, scan.chunkLocations(), scan.smallChunks(), baseEntry(objects, base), phase);
                        // Uploaded soon after the last commit: the next stage's commit brings it.
                        if (clock.millis() - committedAt < stageLimits.everyMillis()) continue;
                        committedAt = clock.millis();
                        if (!(commit(sc, baseCommit, scan) instanceof CommitResult.Accepted a)) {
                            rejected = true;
                            break;
                        }
                        // Recorded first: a process killed now resumes from this stage.
                        Optional<DirRef> before = base.map(Base::root);
                        base = Optional.of(new Base(sc, stage));
                        index.setBase(base.get());
                        filesUp += sent(objects, before, stage);
                        baseCommit = Optional.of(sc);
                        head = a.head();
                    }
                    if (rejected) continue;
                    c = commitObject(objects, local, baseCommit.map(List::of).orElse(List.of()));
                    transfer.upload(objects, local, c, scan.chunkLocations(), scan.smallChunks(), baseEntry(objects, base), phase);
                } finally {
                    phase.close();
                }
                if (commit(c, baseCommit, scan) instanceof CommitResult.Accepted a) {
                    Optional<DirRef> before = base.map(Base::root);
                    base = Optional.of(new Base(c, local));
                    index.setBase(base.get());
                    filesUp += sent(objects, before, local);
                    head = a.head();
                    agreed = true;
                }
                continue;
            }
            // The head moved: bring its tree here, merge, and commit the merge onto it.
            Hash remoteCommit = head.commit().orElseThrow();
            DirRef scanned = local;
            Commit rc = transfer.fetchTree(objects, remoteCommit, p -> DirectoryTree.lookupPath(objects, scanned, p));
            if (scan.partial()) {
                // The merge changes the folder only where the remote tree differs from it: the
                // folders there are listed now too, so every write finds what is really there.
                Scanner.Changes wider = MergeCoverage.widen(objects, changes.orElseThrow(), local, rc.root());
                scan = cycleScan(objects, base, Optional.of(wider), (p, c, w) -> {});
                foldersListed += scan.listedFolders().size();
                fullScan |= !scan.partial(); // a stale report falls back to a full scan
                local = scan.root();
            }
            Merge.Result merged = Merge.merge(objects, TreeParams.DEFAULT, base.map(Base::root), local, rc.root(),
                    config.device(), rc.device(), clock.instant());
            Target target = target(objects, scan, merged);
            if (scan.partial() && !MergeCoverage.listedWhereChanged(objects, scan.listedFolders(), target.from(), target.to())) {
                // A write would land in a folder this cycle did not list: look at everything.
                scan = cycleScan(objects, base, Optional.empty(), (p, c, w) -> {});
                foldersListed += scan.listedFolders().size();
                fullScan = true;
                local = scan.root();
                merged = Merge.merge(objects, TreeParams.DEFAULT, base.map(Base::root), local, rc.root(), config.device(), rc.device(),
                        clock.instant());
                target = target(objects, scan, merged);
            }
            objects.flush();
            mergeObserver.observe(objects, base.map(Base::root), local, rc.root(), merged);
            Hash newHead = remoteCommit;
            DirRef mergedRoot = target.merged();
            if (!mergedRoot.equals(rc.root())) {
                Hash c = commitObject(objects, mergedRoot, List.of(remoteCommit));
                transfer.upload(objects, mergedRoot, c, scan.chunkLocations(), scan.smallChunks(), baseEntry(objects, base), progress);
                CommitResult r = commit(c, head.commit(), scan);
                if (!(r instanceof CommitResult.Accepted a)) continue;
                filesUp += sent(objects, Optional.of(rc.root()), mergedRoot);
                head = a.head();
                newHead = c;
            }
            conflicts += merged.conflicts().size();
            for (Merge.Conflict k : merged.conflicts()) {
                activity.add(k.path() + ": conflict (both changed it; " + k.copyDevice() + "'s version kept as " + k.copyPath() + ")");
            }
            // Paths carried from base that were never here are no editor's half-done save.
            Function<String, Optional<Entry>> heldBefore = heldInBase(baseEntry(objects, base), scan.notHere());
            Applier applier = new Applier(fs, objects, index, transfer, host, scan.observed(), heldBefore, scan.ignoredFiles())
                    .progress(progress).waitedForEditor(waitedForEditor());
            Applier.Result applied = applier.apply(target.from(), target.to());
            heldForEditor(applier.heldForEditor());
            index.update(applied.indexChanges(), applied.chunkLocations());
            filesDown += applied.filesWritten() + applied.removed() + applied.moved();
            skipped.addAll(applied.skipped());
            unsyncable.putAll(applied.unsyncable());
            applies++;
            // What the folder now agrees on with the host: the merged tree, except where a path
            // was skipped because the user changed it meanwhile: there, what the scan saw. So
            // the next cycle sees the user's change as a local edit against exactly that.
            // Entries this machine cannot create count the same way (the folder keeps what it
            // had there), without making the cycle unfinished: they are reported instead.
            List<String> notApplied = new ArrayList<>(applied.skipped());
            notApplied.addAll(applied.unsyncable().keySet());
            describe(objects, applied.changes(), "received", java.util.Set.copyOf(notApplied), "deleted here, kept in the trash");
            base = Optional.of(new Base(newHead, agreedRoot(objects, mergedRoot, local, notApplied)));
            index.setBase(base.get());
            agreed = applied.skipped().isEmpty();
        }
        // Files still being written are reported again to the next cycle: it may start from this
        // tree and look only where reports are (a full scan per retry would cost a big folder
        // seconds, every 300 ms, for as long as a download runs).
        boolean busyOnly = agreed && !scan.unsettled().isEmpty() && busyPaths.containsAll(scan.unsettled());
        agreed &= scan.unsettled().isEmpty();
        if (busyOnly) agreedTree = base.map(Base::root);
        if (agreed) {
            agreedTree = base.map(Base::root);
            // What the rules ignored is now written here if they no longer ignore it.
            String rules = ignoreText();
            if (rules.equals(cycleRules) && !rules.equals(index.syncedIgnoreRules().orElse(""))) index.setSyncedIgnoreRules(rules);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new CycleReport(agreed, head == null ? 0 : head.seq(), head == null ? "" : head.commit().map(Hash::toHex).orElse(""),
                host.bytesSent() - sent0, host.bytesReceived() - received0, filesUp, filesDown, conflicts, millis,
                List.copyOf(skipped), List.copyOf(scan.unsettled()), scan.bytesHashed(), foldersListed, fullScan,
                notSynced(scan, unsyncable, applies > 0), activity.lines());
    }

    /** What this cycle moved, for a person (see {@link CycleReport#activity}). */
    private Activity activity = new Activity();

    /** Lines of what moved, bounded: past the limit only counted. */
    private static final class Activity {
        private final List<String> lines = new ArrayList<>();
        private int more;

        void add(String line) {
            if (lines.size() < CycleReport.MAX_ACTIVITY) lines.add(line);
            else more++;
        }

        List<String> lines() {
            if (more == 0) return List.copyOf(lines);
            List<String> out = new ArrayList<>(lines);
            out.add("… and " + more + " more");
            return List.copyOf(out);
        }
    }

    /** One line per change: "PATH: VERB (what, size)". */
    private void describe(ObjectStore objects, List<Change> changes, String verb, java.util.Set<String> leftOut, String deleted) {
        for (Change c : changes) {
            if (leftOut.contains(c.path())) continue;
            switch (c) {
                case Change.Added a -> activity.add(a.path() + (a.entry().isDirectory() ? "/" : "") + ": " + verb + " (new" + sizeOf(objects, a.entry()) + ")");
                case Change.Removed r -> activity.add(r.path() + (r.entry().isDirectory() ? "/" : "") + ": " + verb + " (" + deleted + ")");
                case Change.Modified m -> activity.add(m.path() + ": " + verb + (m.before().sameContent(m.after()) ? " (mode or time only)"
                        : " (changed, " + Sizes.human(m.after().size()) + ")"));
                case Change.KindChanged k -> activity.add(k.path() + ": " + verb + " (now a " + k.after().kind().name().toLowerCase(java.util.Locale.ROOT) + ")");
                case Change.Moved mv -> activity.add(mv.from() + " → " + mv.path() + ": " + verb + " (moved)");
            }
        }
    }

    /** ", 12.3 kB" for a file; ", 12 files, 3.4 MB" for a folder. */
    private static String sizeOf(ObjectStore objects, Entry e) {
        if (!e.isDirectory()) return e.kind() == net.saharasync.merkle.EntryKind.SYMLINK ? ", link" : ", " + Sizes.human(e.size());
        long[] n = {0, 0};
        tally(objects, e, n);
        return ", " + n[0] + (n[0] == 1 ? " file, " : " files, ") + Sizes.human(n[1]);
    }

    private static void tally(ObjectStore objects, Entry e, long[] n) {
        if (!e.isDirectory()) {
            n[0]++;
            n[1] += e.size();
            return;
        }
        for (Entry c : DirectoryTree.entries(objects, e.dir())) tally(objects, c, n);
    }

    /** The merge result without the reserved state folder, and what applying it writes here. */
    private record Target(DirRef merged, DirRef from, DirRef to) {}

    private Target target(ObjectStore objects, Scanner.Result scan, Merge.Result merged) throws IOException {
        DirRef root = ApplyTarget.withoutReserved(objects, TreeParams.DEFAULT, merged.root());
        ApplyTarget t = ApplyTarget.of(objects, TreeParams.DEFAULT, scan.root(), scan.notHere(), root, IgnoreRules.withText(cycleRules));
        return new Target(root, t.from(), t.to());
    }

    /** {@code inBase}, but empty for paths at or under one of {@code notHere} (carried from base, never in the folder). */
    private static Function<String, Optional<Entry>> heldInBase(Function<String, Optional<Entry>> inBase, java.util.Set<String> notHere) {
        if (notHere.isEmpty()) return inBase;
        return p -> {
            if (notHere.contains(p)) return Optional.empty();
            for (int i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) if (notHere.contains(p.substring(0, i))) return Optional.empty();
            return inBase.apply(p);
        };
    }

    /** Whether {@code name} is one of this client's own temp files (the watcher ignores them). */
    public boolean ownTemp(String name) {
        return fs.isOwnTemp(name);
    }

    /** Those of {@code hashes} the host lacked before this cycle's scan: not known hosted now, or sent during the scan. */
    private List<Hash> notHostedBeforeScan(List<Hash> hashes, EagerUpload eager) {
        java.util.Set<Hash> out = new java.util.HashSet<>(index.notHosted(hashes));
        for (Hash h : hashes) if (eager.newToHost(h)) out.add(h);
        return hashes.stream().filter(out::contains).toList();
    }

    /** Rounds of sending what the host found missing before a commit gives up (a tree is at most this deep, each round at most 1,000 objects). */
    static final int MAX_RESEND_ROUNDS = 64;

    /**
     * Asks the host to move the head to {@code commit}. When it answers that objects the commit
     * reaches are missing (409 {@code missing_objects}), what this side recorded as uploaded is
     * not all there: an upload cut off (a killed process, a lost connection) after a folder's
     * node went up but before everything below it, which the next upload's walk then trusts.
     * Those objects are sent as listed and the commit asked again, instead of failing every
     * cycle from then on.
     */
    private CommitResult commit(Hash commit, Optional<Hash> expected, Scanner.Result scan) throws IOException {
        for (int round = 0; ; round++) {
            CommitResult r = host.commit(config.volume(), commit, expected);
            if (!(r instanceof CommitResult.Incomplete missing)) return r;
            if (missing.missing().isEmpty() || round == MAX_RESEND_ROUNDS) {
                throw new HostError(ErrorCode.MISSING_OBJECTS, missing.missingCount() + " objects the commit needs are not on the host, after "
                        + round + " rounds of sending them again");
            }
            LOG.warn("the host lacks {} objects this client had recorded as uploaded; sending them again", missing.missingCount());
            transfer.resend(missing.missing(), scan.chunkLocations(), scan.smallChunks(), Progress.NONE);
        }
    }

    /**
     * A scan within a cycle. Cycles are the only writers and run one at a time, so a temp file
     * it sees is a leftover of a crash and is removed ({@code sahara status} scans without this).
     */
    private Scanner.Result cycleScan(ObjectStore objects, Optional<Base> base, Optional<Scanner.Changes> changes, Scanner.Hashed hashed)
            throws IOException {
        Scanner.Result scan = scan(objects, base, changes, hashed);
        for (RelPath t : scan.tempFiles()) {
            if (salvaged.contains(t)) continue;
            Optional<FileStat> st = fs.stat(t);
            if (st.isPresent() && st.get().kind() == FileStat.Kind.FILE && st.get().size() >= LocalFs.SALVAGE_MIN && salvage(t)) {
                salvaged.add(t);
            } else {
                fs.deleteTemp(t);
            }
        }
        return scan;
    }

    /**
     * The head request, sent while the scan runs. On a platform thread, not a virtual one: a
     * virtual thread's socket I/O starts the JDK's I/O poller, a thread that then sits in
     * epoll_wait for good, and the JVM waits ~300 ms at exit for threads in native code to
     * stop (HotSpot's VM_Exit) — a third of a second on every `sync --once`.
     */
    private java.util.concurrent.CompletableFuture<Head> headAsync() {
        java.util.concurrent.CompletableFuture<Head> f = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("sahara-head").start(() -> {
            try {
                f.complete(host.head(config.volume()));
            } catch (IOException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** What the folder holds that the host does not have yet (scan against base), and conflict copies present. */
    public record Pending(List<Change> changes, List<String> conflictCopies, Optional<Base> base) {}

    public synchronized Pending pending() throws IOException {
        ObjectStore objects = index.objects();
        Optional<Base> base = index.base();
        DirRef local = scan(objects, base).root();
        List<Change> changes = TreeDiff.diff(objects, base.map(Base::root).orElseGet(() -> DirectoryTree.empty(objects)), local);
        List<String> copies = new ArrayList<>();
        collectConflictCopies(objects, local, "", copies);
        return new Pending(changes, copies, base);
    }

    private static void collectConflictCopies(ObjectStore objects, DirRef dir, String prefix, List<String> out) {
        for (Entry e : DirectoryTree.entries(objects, dir)) {
            String p = Paths.join(prefix, e.name());
            if (e.name().contains(" (conflict ")) out.add(p);
            if (e.isDirectory()) collectConflictCopies(objects, e.dir(), p, out);
        }
    }

    /** What the folder holds that is not synced (from scans), and what the volume holds that this machine cannot create: path to why. */
    private final Map<String, String> scannedNotSynced = new java.util.TreeMap<>();
    private final Map<String, String> notCreated = new java.util.TreeMap<>();

    /**
     * What is not synced as of this cycle, one line each ("path: why"). A full scan replaces
     * what scans found; a partial one re-judges the folders it listed and keeps the rest (a
     * cycle on a watcher report lists only where something changed). An apply replaces what
     * could not be created (every apply retries all of it: such entries stay new to the folder).
     */
    private List<String> notSynced(Scanner.Result scan, Map<String, String> applied, boolean anyApply) {
        if (!scan.partial()) {
            scannedNotSynced.clear();
        } else {
            scannedNotSynced.keySet().removeIf(path -> scan.listedFolders().contains(Paths.parent(path)));
        }
        scannedNotSynced.putAll(scan.unsyncable());
        if (anyApply) {
            notCreated.clear();
            notCreated.putAll(applied);
        }
        List<String> out = new ArrayList<>();
        scannedNotSynced.forEach((path, why) -> out.add(net.saharasync.merkle.Names.printable(path) + ": " + why));
        notCreated.forEach((path, why) -> out.add(net.saharasync.merkle.Names.printable(path) + ": " + why + " (kept in the volume, not created here)"));
        return List.copyOf(out);
    }

    private static DirRef agreedRoot(ObjectStore objects, DirRef merged, DirRef local, List<String> skipped) {
        if (skipped.isEmpty()) return merged;
        java.util.Set<String> all = new java.util.HashSet<>(skipped);
        java.util.TreeSet<String> outermost = new java.util.TreeSet<>();
        for (String p : all) {
            boolean covered = false;
            for (int i = p.indexOf('/'); i >= 0 && !covered; i = p.indexOf('/', i + 1)) covered = all.contains(p.substring(0, i));
            if (!covered) outermost.add(p);
        }
        net.saharasync.merkle.TreeEditor ed = new net.saharasync.merkle.TreeEditor(objects, TreeParams.DEFAULT);
        Function<String, Optional<Entry>> inLocal = baseEntry(objects, Optional.of(new Base(Hash.of(new byte[0]), local)));
        for (String p : outermost) {
            Optional<Entry> e = inLocal.apply(p);
            if (e.isPresent()) ed.put(p, e.get());
            else ed.delete(p);
        }
        DirRef root = ed.build(merged);
        objects.flush();
        return root;
    }

    private Hash commitObject(ObjectStore objects, DirRef root, List<Hash> parents) {
        Hash c = objects.write(new Commit(root, parents, config.device(), clock.millis()));
        objects.flush();
        return c;
    }

    private static boolean isEmpty(ObjectStore objects, DirRef root) {
        return DirectoryTree.entries(objects, root).isEmpty();
    }

    /** Files (and symlinks) added, changed, moved or deleted from {@code from} to {@code to}, told as sent. */
    private int sent(ObjectStore objects, Optional<DirRef> from, DirRef to) {
        List<Change> changes = TreeDiff.diff(objects, from.orElseGet(() -> DirectoryTree.empty(objects)), to);
        describe(objects, changes, "sent", java.util.Set.of(), "deleted");
        return countFiles(objects, changes);
    }

    /** Files (and symlinks) added, changed, moved or deleted by {@code changes}. */
    private static int countFiles(ObjectStore objects, List<Change> changes) {
        int n = 0;
        for (Change c : changes) {
            switch (c) {
                case Change.Removed r -> n += filesUnder(objects, r.entry());
                case Change.Added add -> n += filesUnder(objects, add.entry());
                case Change.KindChanged k -> n += filesUnder(objects, k.after());
                default -> n++;
            }
        }
        return n;
    }

    /** 1 for a file or symlink; the files and symlinks inside, for a folder. */
    private static int filesUnder(ObjectStore objects, Entry e) {
        if (!e.isDirectory()) return 1;
        int n = 0;
        for (Entry c : DirectoryTree.entries(objects, e.dir())) n += filesUnder(objects, c);
        return n;
    }

    /** The folder's ignore rules as they are now (the defaults, {@code .saharaignore} and this machine's {@code .sahara/ignore}). */
    IgnoreRules ignoreRules() throws IOException {
        return IgnoreRules.withText(ignoreText());
    }

    /**
     * The text of {@code .saharaignore} ("" when there is none), then that of this machine's
     * own {@code .sahara/ignore} (selective sync: it never syncs). Both only stop this machine
     * from syncing what they match: nothing is deleted anywhere.
     */
    private String ignoreText() throws IOException {
        String shared = "";
        RelPath f = RelPath.of(IgnoreRules.FILE_NAME);
        if (fs.stat(f).isPresent()) {
            try (InputStream in = fs.read(f)) {
                shared = new String(in.readNBytes(1 << 20), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        String local = StateFolder.localIgnoreText(folder);
        return local.isEmpty() ? shared : shared + "\n# " + ClientConfig.STATE_DIR + "/" + StateFolder.LOCAL_IGNORE + "\n" + local;
    }

    /** The rules of the last cycle that ended agreed (the defaults before the first). */
    private IgnoreRules syncedIgnoreRules() throws IOException {
        return IgnoreRules.withText(index.syncedIgnoreRules().orElse(""));
    }

    /** The base tree's entry at a path, for files the scan could not read yet. */
    private static Function<String, Optional<Entry>> baseEntry(ObjectStore objects, Optional<Base> base) {
        return path -> base.flatMap(b -> DirectoryTree.lookupPath(objects, b.root(), path));
    }

    @Override
    public void close() {
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // released with the process anyway
            }
        }
        index.close();
        host.close();
    }
}
