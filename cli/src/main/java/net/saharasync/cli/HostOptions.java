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
}
