package net.saharasync.clientd;

/**
 * Where long work reports how far it got: the initial scan (files and bytes hashed), uploads
 * and downloads (bytes). The command line draws a bar on a terminal and logs a summary line
 * otherwise. Bytes advance as they are hashed, sent or written, inside a file too (a 2 GiB
 * file is not one step at its end); {@link #advance} may come from several threads at once
 * (downloads write four files at a time), the other methods from the cycle's thread.
 */
public interface Progress {
    /** Starts a phase; {@code total} is in bytes, or -1 when not known beforehand (the scan). */
    void start(String phase, long total);

    /**
     * Starts a phase of which {@code doneBefore} bytes were already done before it began, not
     * part of {@code total} (the upload: what went up while the scan still read).
     */
    default void start(String phase, long total, long doneBefore) {
        start(phase, total);
    }

    /** {@code bytes} more done, {@code files} more finished. */
    void advance(long bytes, int files);

    /** The phase is over. */
    void finish();

    Progress NONE = new Progress() {
        @Override
        public void start(String phase, long total) {}

        @Override
        public void advance(long bytes, int files) {}

        @Override
        public void finish() {}
    };
}
