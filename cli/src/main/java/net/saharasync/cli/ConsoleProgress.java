package net.saharasync.cli;

import java.io.Console;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import net.saharasync.clientd.Progress;
import net.saharasync.clientd.Sizes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long work for people: on a terminal, a bar on stderr (files, bytes, rate, ETA)
 * once a phase has run for a second; elsewhere (CI, logs, pipes) nothing but one log line per
 * phase that took that long.
 */
final class ConsoleProgress implements Progress {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleProgress.class);
    private static final long SHOW_AFTER_NANOS = 1_000_000_000L;

    private final boolean terminal;
    private String phase;
    private long total;
    private long bytes;
    private int files;
    private long startedAt;
    private ProgressBar bar;

    ConsoleProgress(boolean terminal) {
        this.terminal = terminal;
    }

    /** Whether stdout/stderr are an interactive terminal (Console.isTerminal on JDK 22+, else a console exists). */
    static boolean onTerminal() {
        Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }

    @Override
    public synchronized void start(String phase, long total) {
        start(phase, total, 0);
    }

    /** Bytes of the phase done before it started (the upload: sent while the scan still read). */
    private long before;

    @Override
    public synchronized void start(String phase, long total, long doneBefore) {
        this.phase = phase;
        this.total = total;
        this.before = doneBefore;
        this.bytes = 0;
        this.files = 0;
        this.startedAt = System.nanoTime();
    }

    /** What follows the rate: files done, and what went up during the scan. */
    private String extra() {
        String f = files > 0 ? " " + files + " files" : "";
        return before > 0 ? f + " (" + Sizes.human(before) + " of it during the scan)" : f;
    }

    @Override
    public synchronized void advance(long more, int moreFiles) {
        bytes += more;
        files += moreFiles;
        if (!terminal || phase == null) return;
        if (bar == null && System.nanoTime() - startedAt > SHOW_AFTER_NANOS) {
            bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(total > 0 ? before + total : -1)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1_000_000).showSpeed()
                    // The bar counts from what was done when it appears (a second into the
                    // phase, plus what went before it), and the library's rate is what moved
                    // since then over the time since then: never the earlier bytes over a
                    // second. The elapsed time shown is the phase's.
                    .startsFrom(before + bytes, java.time.Duration.ofNanos(System.nanoTime() - startedAt))
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
        }
        if (bar != null) {
            bar.stepTo(before + bytes);
            bar.setExtraMessage(extra()); // the library puts it right after the rate
        }
    }

    @Override
    public synchronized void finish() {
        long nanos = System.nanoTime() - startedAt;
        if (bar != null) {
            bar.stepTo(before + bytes);
            bar.close();
            bar = null;
        } else if (!terminal && phase != null && nanos > SHOW_AFTER_NANOS && bytes > 0) {
            LOG.info("{}", summary(phase, bytes, files, before, nanos));
        }
        phase = null;
    }

    /** The line a phase leaves where no bar is drawn: "upload: 12.0 MB, 3 files in 2.0 s (6.0 MB/s); 40.0 MB more during the scan". */
    static String summary(String phase, long bytes, int files, long before, long nanos) {
        return phase + ": " + Sizes.human(bytes) + (files > 0 ? ", " + files + " files" : "") + " in " + String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9)
                + " (" + Sizes.human((long) (bytes / (nanos / 1e9))) + "/s)" + (before > 0 ? "; " + Sizes.human(before) + " more during the scan" : "");
    }
}
