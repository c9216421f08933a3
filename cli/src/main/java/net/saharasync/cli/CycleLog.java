package net.saharasync.cli;

import net.saharasync.clientd.CycleReport;
import net.saharasync.clientd.Sizes;
import org.slf4j.Logger;
import picocli.CommandLine.Option;

/**
 * How `up` and `sync` tell what a cycle did, in one format: a line per file or folder that
 * moved ("docs/a.txt: sent (new, 12.3 kB)", like rclone -v), then a summary in human units.
 */
final class CycleLog {
    private CycleLog() {}

    static void log(Logger log, CycleReport r) {
        for (String line : r.activity()) log.info(line);
        if (r.filesUp() + r.filesDown() + r.conflicts() > 0) {
            log.info("synced: {} up, {} down, {} conflicts; {} sent, {} received, {} ms", r.filesUp(), r.filesDown(), r.conflicts(),
                    Sizes.human(r.bytesSent()), Sizes.human(r.bytesReceived()), r.millis());
        }
    }

    /**
     * The logging options of the commands that sync. They take effect before the first logger
     * is made (see {@link Main#configureLogging}); here they are declared for the help and the
     * parser.
     */
    static final class Options {
        @Option(names = {"-q", "--quiet"}, description = "Log only warnings and errors (no line per file).")
        boolean quiet;

        @Option(names = {"-v", "--verbose"}, description = "Log more (debug): why each cycle ran, what it skipped.")
        boolean verbose;

        @Option(names = "--log-file", paramLabel = "FILE", description = "Write log lines to FILE (started anew each run) instead of standard error.")
        java.nio.file.Path logFile;
    }
}
