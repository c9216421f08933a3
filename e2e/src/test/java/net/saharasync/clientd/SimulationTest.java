package net.saharasync.clientd;

import net.saharasync.hostd.store.memory.MemoryHostStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.service.HeadEvents;
import net.saharasync.hostd.service.HostServices;
import net.saharasync.hostd.service.LocalHost;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.FaultyHost;
import net.saharasync.clientd.ignore.IgnoreRules;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileTree;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.Paths;
import net.saharasync.merkle.TreeObject.FileChild;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Seeded randomized whole-system tests (the Dropbox way): 2-4 simulated clients and a host,
 * random user operations (create, edit, append, truncate, rename file and folder, delete,
 * Vim-style saves, concurrent edits of one file), random I/O faults and crashes of clients
 * at any step, users acting in the middle of a client's writes; then everything quiesces
 * and we check: all folders identical to each other and to the host's head; every version any
 * user wrote and did not themselves overwrite or delete is still there (as the file or as a
 * conflict copy).
 *
 * <p>{@code -Dsahara.sim.seeds=N} sets how many seeds run (default 300 and 60; the {@code soak}
 * profile runs 3,000), {@code -Dsahara.sim.seed=S} runs one. A failure names its seed.
 */
class SimulationTest {
    private static final IgnoreRules IGNORE = IgnoreRules.defaults();

    /** Cycles run, and those that listed fewer folders than the folder had (partial scans): the second must not stay 0. */
    static final java.util.concurrent.atomic.AtomicLong CYCLES = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong PARTIAL_CYCLES = new java.util.concurrent.atomic.AtomicLong();

    @org.junit.jupiter.api.AfterAll
    static void partialScansWereExercised() {
        if (CYCLES.get() >= 1000) {
            assertThat(PARTIAL_CYCLES.get()).as("cycles that scanned only reported folders, of %d", CYCLES.get())
                    .isGreaterThan(CYCLES.get() / 10);
        }
    }

    static LongStream seeds(long dflt) {
        String one = System.getProperty("sahara.sim.seed");
        if (one != null) return LongStream.of(Long.parseLong(one));
        return LongStream.range(0, Long.getLong("sahara.sim.seeds", dflt));
    }

    @TestFactory
    Stream<DynamicTest> randomOperationsFaultsAndCrashesConverge() {
        return seeds(300).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> new World(seed, false).run()));
    }

    @TestFactory
    Stream<DynamicTest> operationsSyncedOneAtATimeNeverMakeConflictCopies() {
        return seeds(60).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> new World(seed, true).run()));
    }

    /** One simulated world: a host, its clients, their users, a clock and the faults. */
    static final class World {
        final long seed;
        final boolean serialized;
        final Random random;
        final SimClock clock = new SimClock();
        /** The real host's services over in-memory stores; every client reaches them through the fault-injecting wrapper. */
        final HostStore hostStore = new MemoryHostStore();
        final HostServices hostServices;
        final AccountStore.User simUser;
        final String token;
        final String volume;
        final long volumeId;
        final Faults faults;
        final List<Client> clients = new ArrayList<>();
        final Path dir;
        /** Every content a user wrote, and whether a user later overwrote or deleted it deliberately. */
        final Map<String, Boolean> versions = new HashMap<>();
        int counter;
        final boolean bigChunks;
        /** The user is acting from inside one of the client's own writes (no sync can start there). */
        boolean insideEngine;
        String lastVersion = "";
        final StringBuilder log = new StringBuilder();

        /** Whether a hostile writer commits a crafted tree in this world. */
        final boolean hostile;

        World(long seed, boolean serialized) throws IOException {
            this.seed = seed;
            this.hostile = seed % 7 == 3;
            this.serialized = serialized;
            this.random = new Random(seed);
            this.bigChunks = seed % 2 == 1;
            this.faults = new Faults(seed * 31 + 7, serialized ? 0 : 0.02, serialized ? 0 : 0.01);
            this.simUser = hostStore.accounts().addUser("sim", false);
            this.token = hostStore.accounts().issueToken(simUser, "sim").secret();
            this.hostServices = HostServices.over(hostStore, HostConfig.Limits.DEFAULT, new HeadEvents() {
                @Override
                public void published(long v, VolumeStore.HistoryEntry e) {
                    String device = ((Commit) new ObjectStore(hostStore.blocks()).read(e.commit())).device();
                    log.append("  host accepted seq ").append(e.seq()).append(" from ").append(device).append('\n');
                }

                @Override
                public void accessChanged() {}
            });
            try (LocalHost h = new LocalHost(hostServices, token)) {
                this.volume = h.createVolume("v").id();
            }
            this.volumeId = VolumeStore.parseId(volume).orElseThrow();
            Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            this.dir = Files.createTempDirectory(base, "sahara-sim-");
        }

        final class Client {
            final int id;
            final MemoryFs fs;
            final Path state;
            final ClientConfig config;
            SyncEngine engine;

            Client(int id) throws IOException {
                this.id = id;
                this.fs = new MemoryFs(clock, faults);
                this.state = Files.createDirectories(dir.resolve("c" + id));
                Files.createDirectories(state.resolve(".sahara"));
                // Odd seeds use chunks big enough (and files long enough) for changed chunks to travel as deltas.
                this.config = bigChunks
                        ? new ClientConfig("sim://host", token, volume, "dev" + id, null, 4096, 8192, 32768)
                        : new ClientConfig("sim://host", token, volume, "dev" + id, null, 64, 256, 1024);
                start();
            }

            void start() {
                engine = new SyncEngine(state, config, new FaultyHost(new LocalHost(hostServices, token), faults::maybe), real -> fs, clock);
                // Every third seed splits uploads into stages of a file or two (UploadStages), so
                // staged commits meet every interleaving, fault and crash the others meet.
                if (seed % 3 == 0) engine.stageLimits = new UploadStages.Limits(1, 64, 1, 2, 0);
                // Every fourth seed (one in two odd ones) sends new files' chunks during the scan
                // (EagerUpload, on the scanner's thread with a simulated host) from the first byte.
                if (seed % 4 == 1) engine.eagerLimits = new net.saharasync.clientd.remote.EagerUpload.Limits(1, 2048);
                // Every fifth seed keeps at most two chunk locations of a scan in memory: the rest
                // are written to the index as the scan goes, and uploads find them there.
                if (seed % 5 == 2) engine.locationsKept = 2;
                if (Boolean.getBoolean("sahara.sim.verbose")) {
                    engine.mergeObserver = (objects, b, l, r, m) -> {
                        log.append("    merge c").append(id).append("\n      base   ").append(b.map(x -> tags(flat(objects, x))).orElse("-"))
                                .append("\n      local  ").append(tags(flat(objects, l)))
                                .append("\n      remote ").append(tags(flat(objects, r)))
                                .append("\n      merged ").append(tags(flat(objects, m.root()))).append(" conflicts ").append(m.conflicts()).append('\n');
                    };
                }
            }

            TreeMap<String, String> flat(ObjectStore objects, DirRef root) {
                TreeMap<String, String> out = new TreeMap<>();
                flattenHashes(objects, root, "", out);
                return out;
            }

            /** The process died: throw the engine away (its LMDB keeps what was committed) and start again. */
            void crashAndRestart() {
                engine.close();
                start();
            }

            /**
             * A cycle as the daemon runs it: given what the "watcher" (every change to the
             * simulated folder, the engine's own included) reported since the last one; one
             * cycle in eight scans everything, as after an overflow.
             */
            CycleReport cycle() throws IOException {
                java.util.Set<String> reported = fs.takeReported();
                int folders = fs.dirs().size() + 1;
                CycleReport r = engine.cycle(random.nextInt(8) == 0 ? Optional.empty() : Optional.of(reported));
                CYCLES.incrementAndGet();
                if (r.foldersListed() < folders) PARTIAL_CYCLES.incrementAndGet();
                return r;
            }
        }

        void run() throws Exception {
            try {
                int n = serialized ? 2 + random.nextInt(2) : 2 + random.nextInt(3);
                for (int i = 0; i < n; i++) clients.add(new Client(i));
                int steps = 25 + random.nextInt(35);
                // One seed in seven has a hostile writer (or a compromised host) commit a
                // crafted tree once, somewhere in the middle.
                int malloryAt = hostile ? steps / 3 + random.nextInt(steps / 3) : -1;
                for (int step = 0; step < steps; step++) {
                    clock.advanceMillis(1 + random.nextInt(2_000));
                    if (step == malloryAt) malloryCommits();
                    Client c = clients.get(random.nextInt(clients.size()));
                    if (serialized) {
                        userOp(c);
                        syncQuietly(c);
                        for (Client o : clients) syncQuietly(o);
                    } else if (random.nextDouble() < 0.6) {
                        userOp(c);
                    } else {
                        // Sometimes the user acts in the middle of this client's writes.
                        c.fs.beforeEngineChange = random.nextDouble() < 0.3 ? () -> {
                            if (random.nextDouble() < 0.2) {
                                insideEngine = true;
                                userOp(c);
                                insideEngine = false;
                            }
                        } : () -> {};
                        faults.on = true;
                        syncQuietly(c);
                        faults.on = false;
                        c.fs.beforeEngineChange = () -> {};
                    }
                }
                quiesce();
                check();
            } catch (Throwable t) {
                throw new AssertionError("simulation seed " + seed + (serialized ? " (serialized)" : "")
                        + " failed; rerun with -Dsahara.sim.seed=" + seed + "\n" + tail(log) + "\n" + t, t);
            } finally {
                for (Client c : clients) c.engine.close();
                hostStore.close();
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }

        /** A folder with contents shortened to their version tags. */
        static String tags(TreeMap<String, String> snap) {
            StringBuilder sb = new StringBuilder();
            snap.forEach((k, v) -> sb.append(k).append('=').append(v.equals("/") ? "/" : v.replaceAll("(v\\d+)-c\\d-[a-z]*", "$1")).append(' '));
            return sb.toString();
        }

        private static String tail(StringBuilder sb) {
            if (Boolean.getBoolean("sahara.sim.verbose")) return sb.toString();
            return sb.length() <= 6000 ? sb.toString() : "…" + sb.substring(sb.length() - 6000);
        }

        void syncQuietly(Client c) {
            if (Boolean.getBoolean("sahara.sim.verbose")) log.append("    before c").append(c.id).append(" fs@" + System.identityHashCode(c.fs) + " files=" + c.fs.files() + " ").append(tags(c.fs.snapshot(IGNORE))).append('\n');
            try {
                CycleReport r = c.cycle();
                log.append("sync c").append(c.id).append(r.agreed() ? " agreed" : " not agreed").append(" seq ").append(r.seq())
                        .append(r.skipped().isEmpty() ? "" : " skipped " + r.skipped()).append('\n');
                if (Boolean.getBoolean("sahara.sim.verbose")) {
                    log.append("    ").append(r).append('\n');
                    log.append("    now  ").append(tags(c.fs.snapshot(IGNORE))).append('\n');
                    log.append("    host ").append(tags(hostTree())).append('\n');
                }
            } catch (Faults.Crash crash) {
                log.append("sync c").append(c.id).append(" CRASH ").append(crash.getMessage()).append('\n');
                c.crashAndRestart();
            } catch (IOException e) {
                log.append("sync c").append(c.id).append(" failed: ").append(e.getMessage()).append('\n');
            }
        }

        void quiesce() throws IOException {
            faults.on = false;
            for (int round = 0; round < 20; round++) {
                boolean all = true;
                for (Client c : clients) {
                    CycleReport r = c.cycle();
                    log.append("quiesce c").append(c.id).append(r.agreed() ? " agreed" : " not agreed").append(" seq ").append(r.seq()).append('\n');
                    if (Boolean.getBoolean("sahara.sim.verbose") && !r.agreed()) log.append("    ").append(r).append('\n');
                    all &= r.agreed();
                }
                if (all && clients.stream().allMatch(c -> c.engine.index().base().map(b -> b.commit()).equals(hostHead()))) return;
            }
            throw new AssertionError("clients did not converge in 20 rounds");
        }

        // ---- the users ----

        String newContent(Client c) {
            StringBuilder sb = new StringBuilder("v" + (++counter) + "-c" + c.id + "-");
            int len = random.nextInt(10) < 7 ? random.nextInt(40) : random.nextInt(bigChunks ? 60_000 : 3000);
            for (int i = 0; i < len; i++) sb.append((char) ('a' + random.nextInt(26)));
            String v = sb.toString();
            versions.put(v, false);
            lastVersion = "v" + counter;
            return v;
        }

        void supersede(String content) {
            if (versions.containsKey(content)) versions.put(content, true);
        }

        String randomPath() {
            int depth = random.nextInt(3);
            StringBuilder p = new StringBuilder();
            for (int d = 0; d < depth; d++) p.append("d").append(random.nextInt(3)).append('/');
            p.append("f").append(random.nextInt(6)).append(random.nextBoolean() ? ".txt" : "");
            return p.toString();
        }

        <T> T pick(List<T> xs) {
            return xs.get(random.nextInt(xs.size()));
        }

        void userOp(Client c) {
            MemoryFs fs = c.fs;
            List<String> files = fs.files();
            int op = random.nextInt(100);
            String what;
            lastVersion = "";
            if (files.isEmpty() || op < 25) {
                String p = randomPath();
                if (!fs.creatable(p)) return;
                fs.userWrite(p, newContent(c), random.nextInt(8) == 0);
                what = "create " + p;
            } else if (op < 45) {
                String p = pick(files);
                supersede(fs.content(p));
                fs.userWrite(p, newContent(c), false);
                what = "overwrite " + p;
            } else if (op < 52) {
                String p = pick(files);
                String old = fs.content(p);
                supersede(old);
                String added = newContent(c);
                versions.remove(added);
                String now = old + added;
                versions.put(now, false);
                fs.userWriteInPlace(p, now);
                what = "append " + p;
            } else if (op < 57) {
                String p = pick(files);
                String old = fs.content(p);
                supersede(old);
                String now = old.substring(0, random.nextInt(old.length() + 1));
                versions.putIfAbsent(now, false);
                fs.userWriteInPlace(p, now);
                what = "truncate " + p;
            } else if (op < 67) {
                String p = pick(files), to = randomPath();
                if (!fs.creatable(to) || to.startsWith(p + "/")) return;
                fs.userRename(p, to);
                what = "rename " + p + " -> " + to;
            } else if (op < 72) {
                List<String> dirs = fs.dirs();
                if (dirs.isEmpty()) return;
                String d = pick(dirs);
                String to = (d.contains("/") ? d.substring(0, d.lastIndexOf('/') + 1) : "") + "r" + random.nextInt(3);
                if (!fs.creatable(to) || to.startsWith(d + "/")) return;
                fs.userRename(d, to);
                what = "rename folder " + d + " -> " + to;
            } else if (op < 80) {
                String p = pick(files);
                fs.userDelete(p).forEach(this::supersede);
                what = "delete " + p;
            } else if (op < 83) {
                List<String> dirs = fs.dirs();
                if (dirs.isEmpty()) return;
                String d = pick(dirs);
                fs.userDelete(d).forEach(this::supersede);
                what = "delete folder " + d;
            } else if (op < 95) {
                // Vim's save: probe file 4913, rename to a backup, write anew, drop the backup.
                String p = pick(files);
                String dirPart = p.contains("/") ? p.substring(0, p.lastIndexOf('/') + 1) : "";
                supersede(fs.content(p));
                fs.userWrite(dirPart + "4913", "", false);
                fs.userDelete(dirPart + "4913");
                fs.userRename(p, p + "~");
                if (!serialized && !insideEngine && random.nextInt(10) == 0) syncQuietly(c); // an unlucky scan mid-save
                fs.userWrite(p, newContent(c), false);
                fs.userDelete(p + "~");
                what = "vim-save " + p;
            } else {
                String p = randomPath().replace(".txt", "") + "-dir";
                if (!fs.creatable(p)) return;
                fs.userMkdir(p);
                what = "mkdir " + p;
            }
            log.append(insideEngine ? "user (during a write) c" : "user c").append(c.id).append(": ").append(what)
                    .append(lastVersion.isEmpty() ? "" : " = " + lastVersion).append('\n');
            if (Boolean.getBoolean("sahara.sim.verbose")) log.append("    after c").append(c.id).append(" fs@" + System.identityHashCode(c.fs) + " ").append(tags(c.fs.snapshot(IGNORE))).append('\n');
        }

        /**
         * Commits, onto the host's head, what a hostile writer would: the client's state folder
         * at the root (its trash a link out of the folder, a config), a user file named like
         * a temp file the client might take for its own, and a symlink no client can create.
         * The host of the simulation takes it (a compromised host, or a volume from before
         * hosts refused such trees); the clients must write none of it but the file.
         */
        void malloryCommits() {
            Set<Hash> before = new HashSet<>();
            hostStore.blocks().forEach(before::add);
            ObjectStore objects = new ObjectStore(hostStore.blocks());
            Optional<Hash> head = hostHead();
            DirRef root = head.isPresent() ? ((Commit) objects.read(head.get())).root()
                    : DirectoryTree.build(List.of(), objects, net.saharasync.merkle.TreeParams.DEFAULT);
            String v = "v" + (++counter) + "-mallory-tempname";
            versions.put(v, false);
            net.saharasync.blockstore.Block content = net.saharasync.blockstore.Block.of(v.getBytes(StandardCharsets.UTF_8));
            net.saharasync.blockstore.Block outside = net.saharasync.blockstore.Block.of("/tmp/outside".getBytes(StandardCharsets.UTF_8));
            net.saharasync.blockstore.Block config = net.saharasync.blockstore.Block.of("{}".getBytes(StandardCharsets.UTF_8));
            net.saharasync.blockstore.Block empty = net.saharasync.blockstore.Block.of(new byte[0]);
            hostStore.blocks().putAll(List.of(content, outside, config, empty));
            DirRef state = DirectoryTree.build(List.of(
                    Entry.file("config.json", new net.saharasync.merkle.FileRef(config.hash(), 2, 0), false, 1_000_000_000L),
                    Entry.symlink("trash", outside.hash(), outside.data().length, 0)), objects, net.saharasync.merkle.TreeParams.DEFAULT);
            net.saharasync.merkle.TreeEditor ed = new net.saharasync.merkle.TreeEditor(objects, net.saharasync.merkle.TreeParams.DEFAULT);
            ed.put(".sahara", Entry.directory(".sahara", state));
            ed.put(".sahara-tmp-0", Entry.file(".sahara-tmp-0", new net.saharasync.merkle.FileRef(content.hash(), v.length(), 0), false,
                    clock.millis() * 1_000_000L));
            ed.put("bad-link", Entry.symlink("bad-link", empty.hash(), 0, 0));
            DirRef planted = ed.build(root);
            Hash c = objects.write(new Commit(planted, head.map(List::of).orElse(List.of()), "mallory", clock.millis()));
            objects.flush();
            // Written straight into the store, past every check, as a compromised host would: now
            // part of the volume, what mallory wrote (not what cut-off uploads left, whose
            // children may be missing).
            List<Hash> reached = new ArrayList<>();
            hostStore.blocks().forEach(h -> {
                if (!before.contains(h)) reached.add(h);
            });
            for (var b : List.of(content, outside, config, empty)) reached.add(b.hash());
            VolumeStore.CasResult r = hostStore.volumes().compareAndSet(volumeId, head, c, simUser.id(), reached);
            if (!(r instanceof VolumeStore.Accepted a)) throw new AssertionError("mallory's commit lost a race nobody runs: " + r);
            log.append("mallory commits seq ").append(a.head().seq()).append(": .sahara/, .sahara-tmp-0 = ").append(v).append(", bad-link\n");
        }

        /** The host's head commit. */
        Optional<Hash> hostHead() {
            return hostStore.volumes().head(volumeId).map(VolumeStore.Head::commit);
        }

        // ---- the checks ----

        void check() throws IOException {
            TreeMap<String, String> first = clients.getFirst().fs.snapshot(IGNORE);
            for (Client c : clients) {
                assertThat(c.fs.snapshot(IGNORE)).as("client %d's folder", c.id).isEqualTo(first);
                // Nothing of a planted state folder or an uncreatable link is ever written.
                assertThat(c.fs.files()).as("client %d's files", c.id).noneMatch(f -> f.equals(".sahara") || f.startsWith(".sahara/"));
                assertThat(c.fs.dirs()).as("client %d's folders", c.id).doesNotContain(".sahara");
                assertThat(c.fs.snapshot(IGNORE)).doesNotContainKey("bad-link");
            }
            TreeMap<String, String> hostView = hostTree();
            if (hostile) {
                // The planted state folder may still be in the head (dropped by the next client
                // commit), and the link stays in the volume: neither is any client's to write.
                hostView.keySet().removeIf(k -> k.equals(".sahara") || k.startsWith(".sahara/") || k.equals("bad-link"));
            }
            assertThat(hostView).as("the host's head").isEqualTo(first);

            Set<String> present = new HashSet<>();
            for (String v : first.values()) present.add(v.endsWith(" [x]") ? v.substring(0, v.length() - 4) : v);
            for (var e : versions.entrySet()) {
                if (!e.getValue()) assertThat(present).as("version %s is still somewhere", e.getKey()).contains(e.getKey());
            }
            if (serialized) {
                assertThat(first.keySet()).as("conflict copies with no conflict").noneMatch(k -> k.contains(" (conflict "));
            }
        }

        /** A tree with file contents shown as the first 8 hex digits of their hash (the client may not hold the bytes). */
        static void flattenHashes(ObjectStore objects, DirRef dirRef, String prefix, TreeMap<String, String> out) {
            for (Entry e : DirectoryTree.entries(objects, dirRef)) {
                String p = Paths.join(prefix, e.name());
                if (e.isDirectory()) {
                    out.put(p, "/");
                    flattenHashes(objects, e.dir(), p, out);
                } else {
                    out.put(p, e.content().toHex().substring(0, 8));
                }
            }
        }

        /** The head tree, flattened like MemoryFs.snapshot. */
        TreeMap<String, String> hostTree() {
            TreeMap<String, String> out = new TreeMap<>();
            Optional<Hash> head = hostHead();
            if (head.isEmpty()) return out;
            ObjectStore objects = new ObjectStore(hostStore.blocks());
            Commit c = (Commit) objects.read(head.get());
            flatten(objects, c.root(), "", out);
            return out;
        }

        private void flatten(ObjectStore objects, DirRef dirRef, String prefix, TreeMap<String, String> out) {
            for (Entry e : DirectoryTree.entries(objects, dirRef)) {
                String p = Paths.join(prefix, e.name());
                switch (e.kind()) {
                    case DIRECTORY -> {
                        out.put(p, "/");
                        flatten(objects, e.dir(), p, out);
                    }
                    case FILE -> {
                        StringBuilder sb = new StringBuilder();
                        for (FileChild ch : FileTree.chunks(objects, e.file())) {
                            sb.append(new String(hostStore.blocks().get(ch.hash()).orElseThrow(), StandardCharsets.UTF_8));
                        }
                        if (e.size() == 0) sb.setLength(0);
                        out.put(p, sb + (e.executable() ? " [x]" : ""));
                    }
                    case SYMLINK -> out.put(p, "->" + new String(hostStore.blocks().get(e.content()).orElseThrow(), StandardCharsets.UTF_8));
                }
            }
        }

    }
}
