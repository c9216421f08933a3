package net.saharasync.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.saharasync.clientd.ClientConfig;
import net.saharasync.clientd.CycleReport;
import net.saharasync.clientd.Daemon;
import net.saharasync.protocol.http.HttpHost;
import net.saharasync.clientd.Join;
import net.saharasync.clientd.SyncEngine;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;

/**
 * The workloads users compare sync tools by, measured side by side with rsync in the same run
 * (docs/BENCHMARKS.md, "Workloads"). A real host on loopback, two clients (A and B) on two
 * temp folders, all traffic through a counting TCP proxy (so "bytes on the wire" includes
 * HTTP headers), and an rsync daemon on 127.0.0.1 receiving the same edits (delta transfer
 * on, as over any real socket). Data comes from fixed seeds.
 * <ul>
 * <li>W1: Vim-style saves (new file, fsync, rename over) of a 256 MiB file (the first two saves
 *     after the daemons start on rows of their own, then the steady state): 1 byte
 *     overwritten, 100 bytes inserted, 1 MiB appended; wire bytes and time until B has it
 *     (daemons, live events).</li>
 * <li>W2: initial sync of a 1 GiB file, and of 20,000 files of 1-16 KiB in 100 folders.</li>
 * <li>W3: a cycle that finds nothing to do after W2: time and bytes read.</li>
 * <li>W4: a 64 MiB file and a folder of 1,000 files moved elsewhere: wire bytes.</li>
 * <li>After W3, with daemons running: Vim-style saves of one small file in that folder of
 *     20,000 files: time until B has it, and how many folders A listed to find the save.</li>
 * </ul>
 * Options: {@code --w1-mib 256 --w2-mib 1024 --w2-files 20000 --w4-files 1000}; 0 skips a workload.
 * {@code --w2-up-mbps N} runs W2 over a slow uplink: A's requests to the host (and rsync's
 * transfer, {@code --bwlimit}) at N MB/s.
 */
public final class Workloads {
    private final Path dir;
    private final CountingProxy proxyA;
    private final CountingProxy proxyB;
    private final Path a;
    private final Path b;
    private final Path rsyncSrc;
    private final Path rsyncDst;
    private final int rsyncPort;
    private final List<String> rows = new ArrayList<>();

    private Workloads(Path dir, CountingProxy proxyA, CountingProxy proxyB, Path a, Path b, int rsyncPort) {
        this.dir = dir;
        this.proxyA = proxyA;
        this.proxyB = proxyB;
        this.a = a;
        this.b = b;
        this.rsyncSrc = dir.resolve("rsync-src");
        this.rsyncDst = dir.resolve("rsync-dst");
        this.rsyncPort = rsyncPort;
    }

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> opt = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int w1 = Integer.parseInt(opt.getOrDefault("w1-mib", "256"));
        int w2 = Integer.parseInt(opt.getOrDefault("w2-mib", "1024"));
        int w2files = Integer.parseInt(opt.getOrDefault("w2-files", "20000"));
        int w4files = Integer.parseInt(opt.getOrDefault("w4-files", "1000"));
        // W2 over a slow uplink: A's requests (and rsync's transfer, --bwlimit) at this many MB/s.
        double upMbps = Double.parseDouble(opt.getOrDefault("w2-up-mbps", "0"));
        Path dir = Files.createTempDirectory("sahara-workloads");
        Process rsyncd = null;
        System.out.printf("workloads: JDK %s, %d cores, in %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(), dir);
        try (HostServer host = HostServer.start(HostConfig.loopback(dir.resolve("host"), 0));
                CountingProxy proxyA = new CountingProxy(host.port());
                CountingProxy proxyB = new CountingProxy(host.port())) {
            var acc = host.store().accounts();
            String token = acc.issueToken(acc.addUser("bench", false), "bench").secret();
            Path a = dir.resolve("A"), b = dir.resolve("B");
            Join.join("http://127.0.0.1:" + proxyA.port(), token, a, "w", "A", Optional.empty());
            Join.join("http://127.0.0.1:" + proxyB.port(), token, b, "w", "B", Optional.empty());
            int port = freePort();
            rsyncd = startRsyncDaemon(dir, port);
            Workloads w = new Workloads(dir, proxyA, proxyB, a, b, port);
            Files.createDirectories(w.rsyncSrc);
            if (w1 > 0) {
                try (SyncEngine ea = SyncEngine.open(a).progress(new PhaseTimer("A")); SyncEngine eb = SyncEngine.open(b).progress(new PhaseTimer("B"))) {
                    w.w1(ea, eb, w1);
                }
            }
            if (w2 > 0 || w2files > 0) {
                // W2 reports no bytes: its clients talk to the host directly. Through the counting
                // proxies every byte would be copied twice more per leg on the same two cores, and
                // that would be measured as Sahara's time (rsync runs without a proxy).
                String direct = "http://127.0.0.1:" + host.port();
                try (CountingProxy slow = upMbps > 0 ? new CountingProxy(host.port(), (long) (upMbps * 1e6)) : null) {
                    String aUrl = slow == null ? direct : "http://127.0.0.1:" + slow.port();
                    w.rsyncBwlimitKib = slow == null ? 0 : (long) (upMbps * 1e6 / 1024);
                    try (SyncEngine ea = new SyncEngine(a, ClientConfig.load(a), new HttpHost(aUrl, token, Optional.empty())).progress(new PhaseTimer("A"));
                            SyncEngine eb = new SyncEngine(b, ClientConfig.load(b), new HttpHost(direct, token, Optional.empty())).progress(new PhaseTimer("B"))) {
                        w.w2(ea, eb, w2, w2files);
                    }
                    w.rsyncBwlimitKib = 0;
                }
            }
            if (w4files > 0) {
                try (SyncEngine ea = SyncEngine.open(a).progress(new PhaseTimer("A")); SyncEngine eb = SyncEngine.open(b).progress(new PhaseTimer("B"))) {
                    w.w4(ea, eb, w4files);
                }
            }
            System.out.println();
            System.out.println("Sahara's bytes are all TCP bytes (headers included) of A<->host + host<->B, counted by a proxy on each side (W2's clients,");
            System.out.println("which report no bytes, connect directly); rsync's bytes are its --stats totals A->B.");
            System.out.println("| workload | Sahara | rsync (daemon, delta) |");
            System.out.println("|---|---|---|");
            w.rows.forEach(System.out::println);
        } finally {
            if (rsyncd != null) {
                rsyncd.destroy();
                rsyncd.waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    // ---- W1 ----

    private void w1(SyncEngine ea, SyncEngine eb, int mib) throws Exception {
        byte[] data = random(1, mib << 20);
        Files.write(a.resolve("big.bin"), data);
        Files.write(rsyncSrc.resolve("big.bin"), data);
        ea.cycle();
        eb.cycle();
        rsync("big.bin"); // the first copy: not measured
        try (Daemon da = new Daemon(ea, Daemon.Timing.DEFAULT, r -> {}).start();
                Daemon db = new Daemon(eb, Daemon.Timing.DEFAULT, r -> {}).start()) {
            Thread.sleep(1500);
            int mid = data.length / 2;
            // The first two saves after the daemons start still run partly cold code (A's hashing
            // took 0.7-1.2 s instead of ~0.27 s in them): measured and reported on rows of their
            // own, so W1a-c show the steady state of a daemon that has been running.
            byte[] w0 = data.clone();
            w0[mid / 2] ^= 0x33;
            w1Edit("W1 first save after the daemons start (1 byte overwritten)", w0);
            byte[] e0 = w0.clone();
            e0[mid / 4] ^= 0x33;
            w1Edit("W1 second save after the daemons start (1 byte overwritten)", e0);
            byte[] e1 = e0.clone();
            e1[mid] ^= 0x5A;
            w1Edit("W1a overwrite 1 byte mid-file", e1);
            byte[] ins = random(2, 100);
            byte[] e2 = new byte[e1.length + 100];
            System.arraycopy(e1, 0, e2, 0, mid);
            System.arraycopy(ins, 0, e2, mid, 100);
            System.arraycopy(e1, mid, e2, mid + 100, e1.length - mid);
            w1Edit("W1b insert 100 bytes mid-file", e2);
            byte[] tail = random(3, 1 << 20);
            byte[] e3 = java.util.Arrays.copyOf(e2, e2.length + tail.length);
            System.arraycopy(tail, 0, e3, e2.length, tail.length);
            w1Edit("W1c append 1 MiB", e3);
        }
    }

    private void w1Edit(String name, byte[] content) throws Exception {
        flushDirtyPages(); // the previous rsync's unsynced 256 MiB must not land on this measurement
        Thread.sleep(500);
        long a0 = proxyA.total(), b0 = proxyB.total();
        String before = statKey(b.resolve("big.bin"));
        saveLikeVim(a.resolve("big.bin"), content);
        long t0 = System.nanoTime();
        System.err.printf("  %s: renamed at %d ms%n", name, (t0 - PhaseTimer.START) / 1_000_000);
        long millis = (waitFor(b.resolve("big.bin"), before, content) - t0) / 1_000_000;
        Thread.sleep(1000); // let both daemons finish their follow-up cycles; they count too
        long wireA = proxyA.total() - a0, wireB = proxyB.total() - b0;
        saveLikeVim(rsyncSrc.resolve("big.bin"), content);
        flushDirtyPages();
        long r0 = System.nanoTime();
        long rsyncBytes = rsync("big.bin");
        long rsyncMillis = (System.nanoTime() - r0) / 1_000_000;
        rows.add(String.format("| %s: bytes on the wire / time | %s (A-host %s + host-B %s) / %d ms (rename -> B has it) | %s / %d ms |",
                name, bytes(wireA + wireB), bytes(wireA), bytes(wireB), millis, bytes(rsyncBytes), rsyncMillis));
    }

    // ---- W2, W3 ----

    private void w2(SyncEngine ea, SyncEngine eb, int mib, int files) throws Exception {
        if (mib > 0) w2Big(ea, eb, mib);
        if (files == 0) return;
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < files; i++) {
            String rel = String.format("small/d%03d/f%05d.dat", i % 100, i);
            byte[] content = new byte[1024 + r.nextInt(15 * 1024)];
            for (int j = 0; j < content.length; j += 8) {
                long v = r.nextLong();
                for (int k = 0; k < 8 && j + k < content.length; k++) content[j + k] = (byte) (v >>> (8 * k));
            }
            Path pa = a.resolve(rel), pr = rsyncSrc.resolve(rel);
            Files.createDirectories(pa.getParent());
            Files.createDirectories(pr.getParent());
            Files.write(pa, content);
            Files.write(pr, content);
        }
        Ingest i = ingest(ea, eb, "small");
        rows.add(String.format("| W2 initial sync of %,d files of 1-16 KiB in 100 folders | %,.0f files/s (%.1f s: A's cycle %.1f s, B done %.1f s after; B's first files at %.1f s) | %,.0f files/s (%.1f s) |",
                files, files / i.seconds(), i.seconds(), i.upSeconds(), i.downSeconds(), i.firstSeconds(), files / i.rsyncSeconds(), i.rsyncSeconds()));

        CycleReport idle = ea.cycle();
        rows.add(String.format("| W3 no-change cycle over those files (in the daemon: scan, head check) | %d ms, %d bytes read | - |",
                idle.millis(), idle.bytesHashed()));
        // The first idle cycle after the ingest runs the no-change path for the first time (the
        // ingest's cycle took the hashing path); a daemon's later rescans run it warm.
        long min = Long.MAX_VALUE, max = 0, read = 0;
        for (int k = 0; k < 4; k++) {
            CycleReport again = ea.cycle();
            min = Math.min(min, again.millis());
            max = Math.max(max, again.millis());
            read += again.bytesHashed();
        }
        rows.add(String.format("| W3 the next 4 no-change cycles (daemon, full scans as on its periodic rescan) | %d-%d ms, %d bytes read | - |", min, max, read));
        // What the daemon runs when woken with nothing changed: a cycle given the watcher's
        // (empty) report, which lists no folder.
        min = Long.MAX_VALUE;
        max = 0;
        for (int k = 0; k < 5; k++) {
            CycleReport again = ea.cycle(Optional.of(java.util.Set.of()));
            min = Math.min(min, again.millis());
            max = Math.max(max, again.millis());
        }
        rows.add(String.format("| W3 daemon cycles on an empty watcher report (5) | %d-%d ms | - |", min, max));
        savesAmongSmallFiles(ea, eb, files);
    }

    /**
     * Saves of single small files among the ingested ones, with both daemons running: the
     * daemon looks only in the folder the watcher reported, not at all 20,000 files.
     */
    private void savesAmongSmallFiles(SyncEngine ea, SyncEngine eb, int files) throws Exception {
        List<CycleReport> aCycles = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<CycleReport> bCycles = new java.util.concurrent.CopyOnWriteArrayList<>();
        long min = Long.MAX_VALUE, max = 0, rsyncMin = Long.MAX_VALUE, rsyncMax = 0, bytes = 0, rsyncBytes = 0;
        int listedMax = 0;
        final int saves = 5;
        try (Daemon da = new Daemon(ea, Daemon.Timing.DEFAULT, aCycles::add).start();
                Daemon db = new Daemon(eb, Daemon.Timing.DEFAULT, bCycles::add).start()) {
            Thread.sleep(3000); // the daemons' first cycles scan everything
            for (int k = 0; k < saves; k++) {
                int i = (k * 7919 + 42) % files;
                String rel = String.format("small/d%03d/f%05d.dat", i % 100, i);
                byte[] content = random(100 + k, 1024 + 997 * k);
                String before = statKey(b.resolve(rel));
                Thread.sleep(500);
                aCycles.clear();
                bCycles.clear();
                saveLikeVim(a.resolve(rel), content);
                long t0 = System.nanoTime();
                long millis = (waitFor(b.resolve(rel), before, content) - t0) / 1_000_000;
                min = Math.min(min, millis);
                max = Math.max(max, millis);
                Thread.sleep(500); // the follow-up cycles count too
                for (CycleReport r : aCycles) {
                    if (r.filesUp() > 0) listedMax = Math.max(listedMax, r.foldersListed());
                    bytes += r.bytesSent() + r.bytesReceived();
                }
                for (CycleReport r : bCycles) bytes += r.bytesSent() + r.bytesReceived();
                // rsync of the same tree after the same save: it compares all 20,000 files' lists.
                saveLikeVim(rsyncSrc.resolve(rel), content);
                long r0 = System.nanoTime();
                rsyncBytes += rsync("small");
                long rsyncMillis = (System.nanoTime() - r0) / 1_000_000;
                rsyncMin = Math.min(rsyncMin, rsyncMillis);
                rsyncMax = Math.max(rsyncMax, rsyncMillis);
            }
        }
        rows.add(String.format("| W1 in a big folder: save one small file among those %,d (daemons; %d saves): time, HTTP body bytes per save "
                + "| %d-%d ms (rename -> B has it), %s; A listed %d of the %d folders | %d-%d ms, %s |",
                files, saves, min, max, bytes(bytes / saves), listedMax, Math.min(files, 100) + 2, rsyncMin, rsyncMax, bytes(rsyncBytes / saves)));
    }

    private void w2Big(SyncEngine ea, SyncEngine eb, int mib) throws Exception {
        byte[] data = random(4, mib << 20);
        Files.write(a.resolve("ingest.bin"), data);
        Files.write(rsyncSrc.resolve("ingest.bin"), data);
        data = null;
        Ingest i = ingest(ea, eb, "ingest.bin");
        double mb = (mib << 20) / 1e6;
        rows.add(String.format("| W2 initial sync of a %d MiB file (A scan+upload, B download+write) | %.0f MB/s (%.1f s: A's cycle %.1f s, B done %.1f s after; B's first files at %.1f s) | %.0f MB/s (%.1f s) |",
                mib, mb / i.seconds(), i.seconds(), i.upSeconds(), i.downSeconds(), i.firstSeconds(), mb / i.rsyncSeconds(), i.rsyncSeconds()));
    }

    /**
     * How long an initial sync took until B had it all, A's cycle (scan and upload), and how
     * long B needed after A's cycle ended; then rsync of the same path.
     */
    private record Ingest(double seconds, double upSeconds, double downSeconds, double firstSeconds, double rsyncSeconds) {}

    /**
     * A's cycle runs while B syncs as its daemon would: a cycle whenever the host's head moved
     * past what B has (heard on the host's event stream, as the daemon hears it). A large
     * upload commits in stages, so B downloads the first while A uploads the rest.
     */
    private Ingest ingest(SyncEngine ea, SyncEngine eb, String rel) throws Exception {
        // The generated data is written back first: B's first file-system barrier (syncfs)
        // flushed the harness's own 173 MB-1 GiB of dirty pages, 0.65-0.7 s per run.
        flushDirtyPages();
        // The harness holds A, B and the host in one JVM: the earlier workloads' garbage (W1's
        // 256 MiB versions, W2's generated 1 GiB) is collected before, not during, the measurement.
        System.gc();
        long t0 = System.nanoTime();
        AtomicLong upEnd = new AtomicLong(); // when A's cycle returned (B may be inside a cycle then)
        java.util.concurrent.CompletableFuture<CycleReport> up = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                CycleReport r = ea.cycle();
                upEnd.set(System.nanoTime());
                return r;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = t0 + TimeUnit.MINUTES.toNanos(15);
        long firstOnB = 0;
        long bSeq = eb.host().head(eb.config().volume()).seq(); // B is in sync before
        AtomicLong hostSeq = new AtomicLong(bSeq);
        try (AutoCloseable events = eb.host().subscribe(eb.config().volume(), bSeq, h -> hostSeq.accumulateAndGet(h.seq(), Math::max))) {
            while (true) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("B did not catch up with A within 15 minutes");
                boolean aDone = up.isDone();
                if (aDone) up.join(); // A's failure ends the run
                if (hostSeq.get() > bSeq) {
                    CycleReport r = eb.cycle();
                    if (r.agreed()) bSeq = r.seq();
                    if (r.filesDown() > 0 && firstOnB == 0) firstOnB = System.nanoTime();
                } else if (aDone) {
                    // The event of A's last commit may still be on its way: asked directly.
                    long now = eb.host().head(eb.config().volume()).seq();
                    if (now <= bSeq) break;
                    hostSeq.accumulateAndGet(now, Math::max);
                } else {
                    Thread.sleep(2);
                }
            }
        }
        long end = System.nanoTime();
        double s = (end - t0) / 1e9;
        flushDirtyPages();
        long r0 = System.nanoTime();
        rsync(rel);
        return new Ingest(s, (upEnd.get() - t0) / 1e9, (end - upEnd.get()) / 1e9, (firstOnB - t0) / 1e9, (System.nanoTime() - r0) / 1e9);
    }

    // ---- W4 ----

    private void w4(SyncEngine ea, SyncEngine eb, int files) throws Exception {
        byte[] data = random(6, 64 << 20);
        Files.write(a.resolve("movie.bin"), data);
        Files.write(rsyncSrc.resolve("movie.bin"), data);
        for (int i = 0; i < files; i++) {
            byte[] c = ("file " + i + " ").repeat(50 + i % 200).getBytes();
            Files.createDirectories(a.resolve("album"));
            Files.createDirectories(rsyncSrc.resolve("album"));
            Files.write(a.resolve("album/p" + i + ".txt"), c);
            Files.write(rsyncSrc.resolve("album/p" + i + ".txt"), c);
        }
        ea.cycle();
        eb.cycle();
        rsyncAll();
        Files.createDirectories(a.resolve("archive"));
        Files.createDirectories(rsyncSrc.resolve("archive"));
        Files.move(a.resolve("movie.bin"), a.resolve("archive/movie.bin"));
        Files.move(a.resolve("album"), a.resolve("archive/album"));
        Files.move(rsyncSrc.resolve("movie.bin"), rsyncSrc.resolve("archive/movie.bin"));
        Files.move(rsyncSrc.resolve("album"), rsyncSrc.resolve("archive/album"));
        long a0 = proxyA.total(), b0 = proxyB.total();
        ea.cycle();
        eb.cycle();
        long wireA = proxyA.total() - a0, wireB = proxyB.total() - b0;
        long rsyncBytes = rsyncAll();
        rows.add(String.format("| W4 move a 64 MiB file and a folder of %,d files: bytes on the wire | %s (A-host %s + host-B %s) | %s |",
                files, bytes(wireA + wireB), bytes(wireA), bytes(wireB), bytes(rsyncBytes)));
    }

    // ---- helpers ----

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.remaining() >= 8) bb.putLong(r.nextLong());
        while (bb.hasRemaining()) bb.put((byte) r.nextInt());
        return b;
    }

    /** Writes the whole new content to a temp name, fsyncs it and renames it over the file, as Vim does. */
    private static void saveLikeVim(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new~");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(content);
            while (bb.hasRemaining()) ch.write(bb);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Waits until {@code file} holds {@code content}. B replaces a file by renaming a new one
     * over it, so the file is compared only when its inode or mtime changes: reading all
     * 256 MiB every few milliseconds would steal the CPU and page cache from what is measured.
     * Returns when (System.nanoTime) the change that holds the content was seen. {@code before}
     * is the file's stat before the edit: the old version is not read at all (reading 256 MiB
     * right after the save took CPU from A's scan and delayed noticing B's rename).
     */
    private static long waitFor(Path file, String before, byte[] content) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String seen = before;
        while (System.nanoTime() < deadline) {
            String now = statKey(file);
            if (!now.equals(seen)) {
                long when = System.nanoTime();
                seen = now;
                if (Files.size(file) == content.length && java.util.Arrays.equals(Files.readAllBytes(file), content)) return when;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(file + " never arrived");
    }

    private static String statKey(Path file) throws IOException {
        java.nio.file.attribute.BasicFileAttributes at = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        return at.fileKey() + "/" + at.lastModifiedTime().toMillis() + "/" + at.size();
    }

    /** sync(1): every measurement starts with nothing left to write back from the one before. */
    private static void flushDirtyPages() throws Exception {
        Process p = new ProcessBuilder("sync").inheritIO().start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("sync did not finish");
        }
    }

    private static String bytes(long n) {
        return n < 10_000 ? n + " B" : n < 10_000_000 ? String.format("%.1f KB", n / 1e3) : String.format("%.1f MB", n / 1e6);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process startRsyncDaemon(Path dir, int port) throws Exception {
        Path dst = Files.createDirectories(dir.resolve("rsync-dst"));
        Path conf = dir.resolve("rsyncd.conf");
        Files.writeString(conf, "use chroot = no\npid file = " + dir.resolve("rsyncd.pid") + "\n[b]\n  path = " + dst
                + "\n  read only = no\n  uid = " + System.getProperty("user.name") + "\n");
        Process p = new ProcessBuilder("rsync", "--daemon", "--no-detach", "--config=" + conf, "--port=" + port, "--address=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyncd.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("rsync daemon did not start (is rsync installed?)");
    }

    /** rsync of one path of the source to the daemon; returns bytes sent + received as rsync reports them. */
    /** rsync's --bwlimit (KiB/s) while W2 runs over a slow uplink; 0: none. */
    long rsyncBwlimitKib;

    private long rsync(String rel) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("rsync", "-a", "--stats"));
        if (rsyncBwlimitKib > 0) cmd.add("--bwlimit=" + rsyncBwlimitKib);
        cmd.addAll(List.of(rsyncSrc.resolve(rel).toString(), "rsync://127.0.0.1:" + rsyncPort + "/b/"));
        return rsyncRun(cmd);
    }

    private long rsyncAll() throws Exception {
        return rsyncRun(List.of("rsync", "-a", "--delete", "--stats", rsyncSrc + "/", "rsync://127.0.0.1:" + rsyncPort + "/b/"));
    }

    private static long rsyncRun(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("rsync failed: " + out);
        return stat(out, "Total bytes sent") + stat(out, "Total bytes received");
    }

    private static long stat(String out, String what) {
        Matcher m = Pattern.compile(what + ": ([\\d,]+)").matcher(out);
        if (!m.find()) throw new IllegalStateException("no '" + what + "' in rsync's output: " + out);
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    /** Prints how long each phase of a cycle (scan, upload, download) took, to standard error. */
    static final class PhaseTimer implements net.saharasync.clientd.Progress {
        private static final long START = System.nanoTime();
        private final String who;
        private String phase = "";
        private long t0;
        private long bytes;

        PhaseTimer(String who) {
            this.who = who;
        }

        @Override
        public void start(String phase, long total) {
            this.phase = phase;
            this.t0 = System.nanoTime();
            this.bytes = 0;
        }

        @Override
        public void advance(long bytes, int files) {
            this.bytes += bytes;
        }

        @Override
        public void finish() {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (ms >= 100) System.err.printf("  %s %s: %d ms, %s (started at %d ms)%n", who, phase, ms, bytes(bytes), (t0 - START) / 1_000_000);
        }
    }

    /** A TCP proxy on 127.0.0.1 that counts every byte both ways (headers, bodies, events). */
    static final class CountingProxy implements AutoCloseable {
        private final java.nio.channels.ServerSocketChannel server;
        private final AtomicLong bytes = new AtomicLong();
        private final List<java.nio.channels.SocketChannel> open = new java.util.concurrent.CopyOnWriteArrayList<>();

        /** Bytes per second from client to target (a slow uplink), 0: as fast as it goes. */
        private final long upRate;
        /** When the simulated link is free again (System.nanoTime), shared by all connections. */
        private final AtomicLong linkFree = new AtomicLong(System.nanoTime());

        CountingProxy(int targetPort) throws IOException {
            this(targetPort, 0);
        }

        CountingProxy(int targetPort, long upRate) throws IOException {
            this.upRate = upRate;
            server = java.nio.channels.ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofPlatform().daemon().name("proxy-accept").start(() -> {
                while (server.isOpen()) {
                    try {
                        java.nio.channels.SocketChannel client = server.accept();
                        java.nio.channels.SocketChannel upstream =
                                java.nio.channels.SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                        // Forwarded at once: without TCP_NODELAY the proxy's own sockets held back
                        // the second piece of a request or answer until the first was ACKed (up to
                        // 40 ms of delayed ACK per request, a stall a direct connection does not have).
                        client.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                        upstream.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                        open.add(client);
                        open.add(upstream);
                        pump(client, upstream, upRate);
                        pump(upstream, client, 0);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        /**
         * Copies one direction on a platform thread through a direct buffer: the proxy is not
         * part of what is measured, so it should cost as little CPU as a proxy can (a heap
         * buffer on a virtual thread cost two extra copies and a poller hand-off per read).
         */
        private void pump(java.nio.channels.SocketChannel from, java.nio.channels.SocketChannel to, long rate) {
            Thread.ofPlatform().daemon().name("proxy-pump").start(() -> {
                // A paced direction forwards at most 64 KiB at a time, each when the link is free.
                ByteBuffer buf = ByteBuffer.allocateDirect(rate > 0 ? 64 << 10 : 1 << 20);
                try {
                    for (int n = from.read(buf); n >= 0; n = from.read(buf)) {
                        bytes.addAndGet(n);
                        if (rate > 0) pace(n, rate);
                        buf.flip();
                        while (buf.hasRemaining()) to.write(buf);
                        buf.clear();
                    }
                } catch (IOException done) {
                    // one side closed
                } finally {
                    try {
                        to.shutdownOutput();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            });
        }

        /** Waits until {@code n} bytes have gone over the simulated link after everything before them. */
        private void pace(int n, long rate) {
            long cost = n * 1_000_000_000L / rate;
            long done = linkFree.accumulateAndGet(cost, (free, c) -> Math.max(free, System.nanoTime()) + c);
            long wait = done - System.nanoTime();
            if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }

        int port() {
            try {
                return ((InetSocketAddress) server.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        long total() {
            return bytes.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (java.nio.channels.SocketChannel s : open) s.close();
        }
    }
}
