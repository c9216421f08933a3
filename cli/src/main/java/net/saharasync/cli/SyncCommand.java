package net.saharasync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import net.saharasync.clientd.CycleReport;
import net.saharasync.clientd.Daemon;
import net.saharasync.clientd.SyncEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sahara sync DIR [--once] [--stats]}: runs the client on a joined folder. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Keep DIR in sync with its host until stopped (Ctrl-C), or with --once run one full cycle and exit 0 when DIR and the host agree.")
final class SyncCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SyncCommand.class);
    /** Cycles --once may take when files are still being written or the head keeps moving. */
    private static final int ONCE_ATTEMPTS = 10;

    @Parameters(paramLabel = "DIR")
    Path dir;

    @picocli.CommandLine.Mixin
    CycleLog.Options logging;

    @Option(names = "--once", description = "One full cycle (scan, upload, merge, download), then exit: 0 when DIR and the host agree, 1 when not.")
    boolean once;

    @Option(names = "--stats", description = "With --once: print one JSON line {bytesSent, bytesReceived, filesUp, filesDown, conflicts, millis}.")
    boolean stats;

    @Spec
    CommandSpec spec;

    /** Counted down to stop a daemon started in-process (tests). */
    static volatile CountDownLatch stop;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        if (stats && !once) throw new IllegalArgumentException("--stats goes with --once (a daemon prints a line per sync instead)");
        try (net.saharasync.clientd.FolderLock lock = net.saharasync.clientd.FolderLock.acquire(dir);
             SyncEngine engine = SyncEngine.open(dir)) {
            engine.progress(new ConsoleProgress(ConsoleProgress.onTerminal()));
            return once ? once(engine, t0) : daemon(engine);
        }
    }

    private int once(SyncEngine engine, long t0) throws Exception {
        long sent = 0, received = 0;
        int up = 0, down = 0, conflicts = 0;
        CycleReport r = null;
        for (int i = 0; i < ONCE_ATTEMPTS; i++) {
            r = engine.cycle();
            for (String line : r.activity()) LOG.info(line);
            sent += r.bytesSent();
            received += r.bytesReceived();
            up += r.filesUp();
            down += r.filesDown();
            conflicts += r.conflicts();
            if (r.agreed()) break;
            Thread.sleep(300); // a file still being written, or changed under us: let it settle
        }
        // What `status` shows: the last sync that finished, its commit's seq, what is not synced.
        new net.saharasync.clientd.Status(r.agreed() ? "idle" : "pending", System.currentTimeMillis(), r, null, null).write(engine.folder());
        PrintWriter out = spec.commandLine().getOut();
        if (stats) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bytesSent", sent);
            m.put("bytesReceived", received);
            m.put("filesUp", up);
            m.put("filesDown", down);
            m.put("conflicts", conflicts);
            m.put("millis", (System.nanoTime() - t0) / 1_000_000);
            out.println(new ObjectMapper().writeValueAsString(m));
        }
        out.flush();
        for (String u : r.unsyncable()) spec.commandLine().getErr().println("sahara sync: not synced: " + u);
        if (!r.agreed()) {
            spec.commandLine().getErr().println("sahara sync: " + dir + " and the host do not agree yet"
                    + (r.unsettled().isEmpty() ? "" : "; still being written: " + r.unsettled())
                    + (r.skipped().isEmpty() ? "" : "; changed during the sync: " + r.skipped()));
            return 1;
        }
        return 0;
    }

    private int daemon(SyncEngine engine) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        stop = done;
        try (Daemon d = new Daemon(engine, Daemon.Timing.DEFAULT, r -> CycleLog.log(LOG, r)).start()) {
            Thread hook = new Thread(done::countDown, "sahara-sync-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine().getOut().println("sahara sync: keeping " + engine.folder() + " in sync with "
                    + engine.config().host() + " (Ctrl-C stops)");
            spec.commandLine().getOut().flush();
            done.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // a signal stopped us
            }
        }
        return 0;
    }
}
