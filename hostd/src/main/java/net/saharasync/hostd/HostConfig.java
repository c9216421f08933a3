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
            net.saharasync.merkle.TreeStats.Limits tree,
            Pacing pacing) {
        public static final Limits DEFAULT = new Limits(1 << 20, 64L << 20, 1 << 20, 1 << 17, 60_000, 6,
                net.saharasync.merkle.TreeStats.Limits.DEFAULT, Pacing.DEFAULT);

        public Limits withReadTimeoutMillis(int millis) {
            return new Limits(maxJsonBytes, maxBatchBytes, maxMissingHashes, maxFetchHashes, millis, concurrentUploads, tree, pacing);
        }

        public Limits withMaxBatchBytes(long bytes) {
            return new Limits(maxJsonBytes, bytes, maxMissingHashes, maxFetchHashes, readTimeoutMillis, concurrentUploads, tree, pacing);
        }

        /** At most this many entries (files, symlinks, folders at every depth) in a commit's tree, at most this deep. */
        public Limits withTree(net.saharasync.merkle.TreeStats.Limits t) {
            return new Limits(maxJsonBytes, maxBatchBytes, maxMissingHashes, maxFetchHashes, readTimeoutMillis, concurrentUploads, t, pacing);
        }

        public Limits withPacing(Pacing p) {
            return new Limits(maxJsonBytes, maxBatchBytes, maxMissingHashes, maxFetchHashes, readTimeoutMillis, concurrentUploads, tree, p);
        }
    }

    /**
     * What keeps slow or greedy callers from holding the host's workers (docs/PROTOCOL.md, "Limits"):
     * a request body must arrive at {@code minBytesPerSecond} on average over every
     * {@code rateWindowMillis} while it is unfinished, and a request must be answered within
     * {@code deadlineMillis} of starting, else its connection is closed; one user may have at
     * most {@code requestsPerUser} requests and {@code streamsPerUser} event streams open and
     * {@code uploadsPerUser} uploads admitted at once (beyond: 429 {@code too_many_requests}).
     */
    public record Pacing(int minBytesPerSecond, int rateWindowMillis, long deadlineMillis, int requestsPerUser,
                         int uploadsPerUser, int streamsPerUser) {
        public static final Pacing DEFAULT = new Pacing(1024, 30_000, 10 * 60_000L, 16, 2, 256);

        public Pacing {
            if (minBytesPerSecond < 0 || rateWindowMillis <= 0 || deadlineMillis <= 0 || requestsPerUser <= 0
                    || uploadsPerUser <= 0 || streamsPerUser <= 0) {
                throw new IllegalArgumentException("pacing limits must be positive (a rate may be 0)");
            }
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
