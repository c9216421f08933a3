package net.saharasync.cli;

import java.io.Console;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import net.saharasync.clientd.Progress;
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
        this.phase = phase;
        this.total = total;
        this.bytes = 0;
        this.files = 0;
        this.startedAt = System.nanoTime();
    }

    @Override
    public synchronized void advance(long more, int moreFiles) {
        bytes += more;
        files += moreFiles;
        if (!terminal || phase == null) return;
        if (bar == null && System.nanoTime() - startedAt > SHOW_AFTER_NANOS) {
            bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(total > 0 ? total : -1)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1_000_000).showSpeed()
                    // Timed from the phase's start, not from the bar's (shown a second later):
                    // the rate is bytes over the phase's time, never a burst's.
                    .startsFrom(0, java.time.Duration.ofNanos(System.nanoTime() - startedAt))
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
        }
        if (bar != null) {
            bar.stepTo(bytes);
            bar.setExtraMessage(files > 0 ? " " + files + " files" : ""); // the library puts it right after the rate
        }
    }

    @Override
    public synchronized void finish() {
        long nanos = System.nanoTime() - startedAt;
        if (bar != null) {
            bar.stepTo(bytes);
            bar.close();
            bar = null;
        } else if (!terminal && phase != null && nanos > SHOW_AFTER_NANOS && bytes > 0) {
            LOG.info("{}: {} MB{} in {} s ({} MB/s)", phase, String.format("%.1f", bytes / 1e6), files > 0 ? ", " + files + " files" : "",
                    String.format("%.1f", nanos / 1e9), String.format("%.0f", bytes / 1e6 / (nanos / 1e9)));
        }
        phase = null;
    }
}
