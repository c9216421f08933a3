package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two daemons (machines A and B) on a real host: live propagation, and real editors. */
class DaemonTest {
    @TempDir
    Path tmp;
    TwoMachines m;
    Daemon da;
    Daemon db;
    final List<CycleReport> aCycles = new CopyOnWriteArrayList<>();
    final List<CycleReport> bCycles = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        m = new TwoMachines(tmp);
        da = new Daemon(m.ea, Daemon.Timing.DEFAULT, aCycles::add).start();
        db = new Daemon(m.eb, Daemon.Timing.DEFAULT, bCycles::add).start();
    }

    @AfterEach
    void stop() {
        da.close();
        db.close();
        m.close();
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void aFileSavedOnAAppearsOnBAndBack() throws Exception {
        Files.writeString(m.a.resolve("note.txt"), "from A");
        await("note.txt on B", () -> "from A".equals(read(m.b.resolve("note.txt"))));
        Files.writeString(m.b.resolve("note.txt"), "edited on B");
        await("the edit back on A", () -> "edited on B".equals(read(m.a.resolve("note.txt"))));
        Files.delete(m.a.resolve("note.txt"));
        await("the delete on B", () -> !Files.exists(m.b.resolve("note.txt")));
    }

    /**
     * A file written for seconds (a download, a copy, a growing log) goes up once, when it is
     * quiet: not a partial version every cycle, each of which would land in the other
     * machines' trash. Other changes meanwhile sync as usual.
     */
    @Test
    void aFileBeingWrittenGoesUpOnceWhenItIsQuietWhileOtherChangesSync() throws Exception {
        await("A idle", () -> !aCycles.isEmpty() && aCycles.getLast().agreed());
        await("B idle", () -> !bCycles.isEmpty() && bCycles.getLast().agreed());
        long before = m.ea.host().head(m.ea.config().volume()).seq();
        Path f = m.a.resolve("download.bin");
        StringBuilder all = new StringBuilder();
        try (var out = Files.newOutputStream(f)) {
            for (int i = 0; i < 60; i++) { // ~6 s of writing, 100 ms apart
                String part = ("part " + i + " of the download\n").repeat(200);
                all.append(part);
                out.write(part.getBytes());
                out.flush();
                if (i == 30) Files.writeString(m.a.resolve("note.txt"), "written meanwhile");
                Thread.sleep(100);
            }
        }
        await("the note on B while the download goes on", () -> "written meanwhile".equals(read(m.b.resolve("note.txt"))));
        String whole = all.toString();
        await("the whole download on B", () -> whole.equals(read(m.b.resolve("download.bin"))));
        await("A idle", () -> aCycles.getLast().agreed());
        long commits = m.ea.host().head(m.ea.config().volume()).seq() - before;
        // The note and the finished file: at most one commit each (a stall of the writer over
        // a second could add one partial version; before, there was one every 2 s).
        assertThat(commits).isLessThanOrEqualTo(2);
        try (var trash = Files.walk(m.b.resolve(".sahara"))) {
            assertThat(trash.filter(p -> p.getFileName().toString().equals("download.bin")).toList())
                    .as("no partial version in B's trash").isEmpty();
        }
    }

    @Test
    void aSaveInOneFolderListsOnlyThatFolder() throws Exception {
        for (int d = 0; d < 20; d++) {
            for (int f = 0; f < 3; f++) {
                Files.createDirectories(m.a.resolve("d" + d));
                Files.writeString(m.a.resolve("d" + d + "/f" + f), "file " + d + "/" + f);
            }
        }
        await("the 60 files on B", () -> "file 19/2".equals(read(m.b.resolve("d19/f2"))));
        await("A idle", () -> !aCycles.isEmpty() && aCycles.getLast().agreed());
        await("B idle", () -> !bCycles.isEmpty() && bCycles.getLast().agreed());
        Thread.sleep(300);
        aCycles.clear();
        bCycles.clear();
        Files.writeString(m.a.resolve("d7/f1"), "saved");
        await("the save on B", () -> "saved".equals(read(m.b.resolve("d7/f1"))));
        CycleReport upload = aCycles.stream().filter(r -> r.filesUp() == 1).findFirst().orElseThrow();
        assertThat(upload.foldersListed()).as("folders A listed to find the save").isEqualTo(1);
        await("B's report", () -> bCycles.stream().anyMatch(r -> r.filesDown() == 1));
        CycleReport download = bCycles.stream().filter(r -> r.filesDown() == 1).findFirst().orElseThrow();
        assertThat(download.foldersListed()).as("folders B listed to write the save").isEqualTo(1);
    }

    /**
     * A write through one hard link changes the file at every link, but the watcher reports
     * only the folder it was written in: the other links reach B at once anyway, not at the
     * periodic rescan (five minutes here). The link itself is made while the daemon runs.
     */
    @Test
    void aWriteThroughAHardLinkReachesBAtEveryLinkAtOnce() throws Exception {
        Files.createDirectories(m.a.resolve("src"));
        Files.createDirectories(m.a.resolve("backup"));
        Files.writeString(m.a.resolve("src/config.txt"), "version 1");
        Files.writeString(m.a.resolve("backup/other.txt"), "other");
        await("config.txt on B", () -> "version 1".equals(read(m.b.resolve("src/config.txt"))));
        Files.createLink(m.a.resolve("backup/config.txt"), m.a.resolve("src/config.txt"));
        await("the new link on B", () -> "version 1".equals(read(m.b.resolve("backup/config.txt"))));
        await("A idle", () -> !aCycles.isEmpty() && aCycles.getLast().agreed());

        for (int round = 2; round <= 3; round++) {
            // Written in place through one link (the same file, so the other link changes too).
            String text = "version " + round;
            Files.writeString(round == 2 ? m.a.resolve("src/config.txt") : m.a.resolve("backup/config.txt"), text);
            await("the write through the link on B, round " + round, () -> text.equals(read(m.b.resolve("src/config.txt")))
                    && text.equals(read(m.b.resolve("backup/config.txt"))));
        }
        assertThat(read(m.b.resolve("backup/other.txt"))).isEqualTo("other");
    }

    /**
     * A FIFO and a Unix socket in the folder are skipped and reported, everything else syncs,
     * and the daemon logs each once, not on every cycle while they stay.
     */
    @Test
    void aFifoAndASocketAreSkippedReportedAndLoggedOnce() throws Exception {
        ch.qos.logback.classic.Logger daemonLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Daemon.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        daemonLog.addAppender(logged);
        try (java.nio.channels.ServerSocketChannel socket = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            Process mkfifo = new ProcessBuilder("mkfifo", m.a.resolve("pipe").toString()).inheritIO().start();
            assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
            socket.bind(java.net.UnixDomainSocketAddress.of(m.a.resolve("app.sock")));
            for (int i = 0; i < 3; i++) { // three cycles while they stay
                String text = "change " + i;
                Files.writeString(m.a.resolve("note.txt"), text);
                await("note.txt on B, " + text, () -> text.equals(read(m.b.resolve("note.txt"))));
            }
            await("A idle", () -> !aCycles.isEmpty() && aCycles.getLast().agreed());
            assertThat(aCycles.getLast().unsyncable()).anySatisfy(u -> assertThat(u).startsWith("'pipe'").contains("FIFO"))
                    .anySatisfy(u -> assertThat(u).startsWith("'app.sock'").contains("socket"));
            assertThat(m.b.resolve("pipe")).doesNotExist();
            assertThat(m.b.resolve("app.sock")).doesNotExist();
            List<String> lines = logged.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(l -> l.contains("not synced")).toList();
            assertThat(lines.stream().filter(l -> l.contains("'pipe'")).count()).as("%s", lines).isEqualTo(1);
            assertThat(lines.stream().filter(l -> l.contains("'app.sock'")).count()).as("%s", lines).isEqualTo(1);
        } finally {
            daemonLog.detachAppender(logged);
        }
    }

    @Test
    void afterTheWatcherFailedEveryCycleScansTheWholeFolder() throws Exception {
        for (int d = 0; d < 5; d++) {
            Files.createDirectories(m.a.resolve("d" + d));
            Files.writeString(m.a.resolve("d" + d + "/f"), "file " + d);
        }
        await("the files on B", () -> "file 4".equals(read(m.b.resolve("d4/f"))));
        await("A idle", () -> !aCycles.isEmpty() && aCycles.getLast().agreed());
        da.watcherFailed(new java.io.IOException("User limit of inotify watches reached"));
        for (int k = 0; k < 2; k++) {
            Thread.sleep(300);
            aCycles.clear();
            Files.writeString(m.a.resolve("d2/f"), "saved " + k);
            String want = "saved " + k;
            await("the save on B", () -> want.equals(read(m.b.resolve("d2/f"))));
            CycleReport upload = aCycles.stream().filter(r -> r.filesUp() == 1).findFirst().orElseThrow();
            assertThat(upload.foldersListed()).as("folders listed after the watcher failed").isEqualTo(6);
        }
    }

    /**
     * A watcher failure that is not the watch limit (the watching library once threw a
     * NullPointerException on an overflow while a 41,000-entry tarball was extracted) costs
     * one full scan; after it, a save is found by listing one folder again, not all of them.
     */
    @Test
    void anyOtherWatcherFailureCostsOneFullScanThenReportsAreTrustedAgain() throws Exception {
        for (int d = 0; d < 5; d++) {
            Files.createDirectories(m.a.resolve("d" + d));
            Files.writeString(m.a.resolve("d" + d + "/f"), "file " + d);
        }
        await("the files on B", () -> "file 4".equals(read(m.b.resolve("d4/f"))));
        await("A idle", () -> !aCycles.isEmpty() && aCycles.getLast().agreed());
        Thread.sleep(300);
        aCycles.clear();
        da.watcherFailed(new NullPointerException("in the watching library's event loop"));
        await("the full scan after the failure", () -> aCycles.stream().anyMatch(r -> r.foldersListed() == 6));
        Thread.sleep(300);
        aCycles.clear();
        Files.writeString(m.a.resolve("d2/f"), "saved after");
        await("the save on B", () -> "saved after".equals(read(m.b.resolve("d2/f"))));
        CycleReport upload = aCycles.stream().filter(r -> r.filesUp() == 1).findFirst().orElseThrow();
        assertThat(upload.foldersListed()).as("folders listed once the watcher is trusted again").isEqualTo(1);
    }

    @Test
    void theSafetyRescanComesOnTimeEvenWhileTheFolderKeepsChanging() throws Exception {
        da.close();
        da = new Daemon(m.ea, new Daemon.Timing(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(1)),
                aCycles::add).start();
        await("A's first cycle", () -> !aCycles.isEmpty());
        aCycles.clear();
        // A change every 150 ms for 4 s: partial cycles all along, and a full one about every second.
        for (int i = 0; i < 27; i++) {
            Files.writeString(m.a.resolve("busy.txt"), "change " + i);
            Thread.sleep(150);
        }
        long full = aCycles.stream().filter(CycleReport::fullScan).count();
        long partial = aCycles.stream().filter(r -> !r.fullScan()).count();
        assertThat(partial).as("partial cycles").isGreaterThan(5);
        assertThat(full).as("full rescans in 4 s of activity, period 1 s").isBetween(2L, 6L);
    }

    @Test
    void theRescanPeriodGrowsWithTheFolderSoRescansTakeAtMostOnePercent() {
        java.time.Duration five = java.time.Duration.ofMinutes(5);
        assertThat(Daemon.rescanInterval(five, 300)).isEqualTo(five);
        assertThat(Daemon.rescanInterval(five, 3_000)).isEqualTo(five);
        assertThat(Daemon.rescanInterval(five, 20_000)).isEqualTo(java.time.Duration.ofSeconds(2_000));
    }

    @Test
    void changesInIgnoredPlacesStartNoCycleAndANewIgnoreFileTakesEffect() throws Exception {
        Files.writeString(m.a.resolve(".saharaignore"), "build/\n");
        Files.writeString(m.a.resolve("src.txt"), "source");
        await("the ignore file on B", () -> "build/\n".equals(read(m.b.resolve(".saharaignore"))));
        await("src.txt on B", () -> "source".equals(read(m.b.resolve("src.txt"))));
        Thread.sleep(500);
        aCycles.clear();
        // A build writes its output; an editor writes its swap file.
        Files.createDirectories(m.a.resolve("build/classes"));
        for (int i = 0; i < 50; i++) Files.writeString(m.a.resolve("build/classes/C" + i + ".class"), "bytes " + i);
        Files.writeString(m.a.resolve(".src.txt.swp"), "swap");
        Thread.sleep(1000);
        assertThat(aCycles).as("cycles started by ignored changes").isEmpty();
        // A file named like the ignored folder is not ignored: its deletion still syncs.
        Files.createDirectories(m.a.resolve("docs"));
        Files.writeString(m.a.resolve("docs/build"), "a file named build", java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        await("docs/build on B", () -> "a file named build".equals(read(m.b.resolve("docs/build"))));
        Files.delete(m.a.resolve("docs/build"));
        await("its deletion on B", () -> !Files.exists(m.b.resolve("docs/build")));
        // A new rule is used at once: logs/ becomes ignored.
        Files.writeString(m.a.resolve(".saharaignore"), "build/\nlogs/\n");
        await("the new ignore file on B", () -> "build/\nlogs/\n".equals(read(m.b.resolve(".saharaignore"))));
        Thread.sleep(500);
        aCycles.clear();
        Files.createDirectories(m.a.resolve("logs"));
        Files.writeString(m.a.resolve("logs/today.log"), "log line");
        Thread.sleep(1000);
        assertThat(aCycles).as("cycles started by a newly ignored folder").isEmpty();
        assertThat(m.b.resolve("logs")).doesNotExist();
        assertThat(m.b.resolve("build")).doesNotExist();
    }

    @Test
    void watcherPathsAreMadeRelativeToTheFolder() {
        Path root = Path.of("/home/u/Sync");
        assertThat(Daemon.relative(root, root.resolve("a/b c/d.txt"))).isEqualTo("a/b c/d.txt");
        assertThat(Daemon.relative(root, root.resolve("x"))).isEqualTo("x");
        assertThat(Daemon.relative(root, root)).isNull();
        assertThat(Daemon.relative(root, Path.of("/home/u/Other/x"))).isNull();
    }

    static boolean vimAvailable() {
        try {
            return new ProcessBuilder("vim", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Vim's three ways of saving; 'backupskip=' because Vim skips backups under /tmp otherwise. */
    @ParameterizedTest
    @ValueSource(strings = {"set nobackup writebackup backupcopy=no backupskip=", "set backup backupcopy=yes backupskip=",
            "set backup backupcopy=no backupskip="})
    void aVimSaveArrivesWholeWithNoDeletionSeenAndNoSwapOrBackupSynced(String options) throws Exception {
        assumeTrue(vimAvailable(), "vim is not installed (.ci/run installs it)");
        Path fa = m.a.resolve("poem.txt");
        Files.writeString(fa, "roses are red\nviolets are blue\n");
        Path fb = m.b.resolve("poem.txt");
        await("poem.txt on B", () -> "roses are red\nviolets are blue\n".equals(read(fb)));

        // Watch B for any moment the file is gone.
        List<DirectoryChangeEvent> deletions = new CopyOnWriteArrayList<>();
        DirectoryWatcher watchB = DirectoryWatcher.builder().path(m.b).fileHashing(false).listener(e -> {
            if (e.eventType() == DirectoryChangeEvent.EventType.DELETE && e.path().getFileName().toString().equals("poem.txt")) deletions.add(e);
        }).build();
        watchB.watchAsync();
        try {
            Process vim = new ProcessBuilder("vim", "-Es", "-u", "NONE", "-i", "NONE", "-c", options,
                    "-c", "%s/blue/green/", "-c", "wq", fa.toString()).redirectErrorStream(true).start();
            assertThat(vim.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(vim.exitValue()).isZero();
            assertThat(Files.readString(fa)).isEqualTo("roses are red\nviolets are green\n");
            await("the saved poem on B", () -> "roses are red\nviolets are green\n".equals(read(fb)));
            Thread.sleep(500); // let anything else that was going to arrive arrive
        } finally {
            watchB.close();
        }
        assertThat(deletions).isEmpty();
        assertThat(read(fb)).isEqualTo("roses are red\nviolets are green\n");
        try (var s = Files.list(m.b)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder(".sahara", "poem.txt");
        }
    }
}
