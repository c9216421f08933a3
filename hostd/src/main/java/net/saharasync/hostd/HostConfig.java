package net.saharasync.hostd;

import java.nio.file.Path;

/** How a host runs: where its data lives, where it listens, TLS, and the limits it enforces. */
public record HostConfig(Path data, String host, int port, boolean tls, Limits limits) {
    /** Bounds on what one request may ask; beyond them the answer is 413 (sizes) or the connection times out. */
    public record Limits(
            int maxJsonBytes,
            long maxBatchBytes,
            int maxMissingHashes,
            int maxFetchHashes,
            int readTimeoutMillis,
            int concurrentUploads,
            net.saharasync.merkle.TreeStats.Limits tree) {
        public static final Limits DEFAULT = new Limits(1 << 20, 64L << 20, 1 << 20, 1 << 17, 60_000, 4,
                net.saharasync.merkle.TreeStats.Limits.DEFAULT);

        public Limits withReadTimeoutMillis(int millis) {
            return new Limits(maxJsonBytes, maxBatchBytes, maxMissingHashes, maxFetchHashes, millis, concurrentUploads, tree);
        }

        public Limits withMaxBatchBytes(long bytes) {
            return new Limits(maxJsonBytes, bytes, maxMissingHashes, maxFetchHashes, readTimeoutMillis, concurrentUploads, tree);
        }

        /** At most this many entries (files, symlinks, folders at every depth) in a commit's tree, at most this deep. */
        public Limits withTree(net.saharasync.merkle.TreeStats.Limits t) {
            return new Limits(maxJsonBytes, maxBatchBytes, maxMissingHashes, maxFetchHashes, readTimeoutMillis, concurrentUploads, t);
        }
    }

    public static HostConfig loopback(Path data, int port) {
        return new HostConfig(data, "127.0.0.1", port, false, Limits.DEFAULT);
    }

    public HostConfig withLimits(Limits l) {
        return new HostConfig(data, host, port, tls, l);
    }

    public HostConfig withTls(boolean on) {
        return new HostConfig(data, host, port, on, limits);
    }
}
