package net.saharasync.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a host keeps its data, where it listens, and TLS: shared by `sahara host` and `sahara up`. */
final class HostOptions {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:HOME:-${sys:user.home}}/.sahara/host",
            description = "The host's data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7420",
            description = "Where the host listens (default: ${DEFAULT-VALUE}; 0.0.0.0:7420 lets other machines in).")
    String listen;

    @Option(names = "--tls", description = "Serve HTTPS (HTTP/2) with a self-signed certificate made on first start; clients pin its fingerprint.")
    boolean tls;

    @Option(names = "--max-tree-entries", paramLabel = "N", defaultValue = "50000000",
            description = "Refuse a commit whose tree holds more files, symlinks and folders than this, at every depth (default: ${DEFAULT-VALUE}).")
    long maxTreeEntries;

    @Option(names = "--max-tree-depth", paramLabel = "N", defaultValue = "512",
            description = "Refuse a commit whose folders nest deeper than this (default: ${DEFAULT-VALUE}).")
    int maxTreeDepth;

    @Option(names = "--min-body-rate", paramLabel = "BYTES_PER_S", defaultValue = "1024",
            description = "Close a request whose body comes slower than this, averaged over 30 s (default: ${DEFAULT-VALUE}).")
    int minBodyRate;

    @Option(names = "--request-deadline", paramLabel = "SECONDS", defaultValue = "600",
            description = "Close a request (event streams aside) not answered within this long (default: ${DEFAULT-VALUE}).")
    int requestDeadlineSeconds;

    /** The host's limits with these options applied to {@code base}. */
    net.saharasync.hostd.HostConfig.Limits limits(net.saharasync.hostd.HostConfig.Limits base) {
        if (maxTreeEntries <= 0 || maxTreeDepth <= 0 || minBodyRate < 0 || requestDeadlineSeconds <= 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--max-tree-entries, --max-tree-depth and --request-deadline must be positive, --min-body-rate at least 0");
        }
        var p = base.pacing();
        return base.withTree(new net.saharasync.merkle.TreeStats.Limits(maxTreeEntries, maxTreeDepth))
                .withPacing(new net.saharasync.hostd.HostConfig.Pacing(minBodyRate, p.rateWindowMillis(),
                        Math.multiplyExact(requestDeadlineSeconds, 1000L), p.requestsPerUser(), p.uploadsPerUser(), p.streamsPerUser()));
    }
}
