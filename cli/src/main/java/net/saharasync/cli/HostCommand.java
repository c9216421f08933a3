package net.saharasync.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sahara host}: runs the host daemon until interrupted (Ctrl-C or SIGTERM stop it cleanly). */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Run the host: an HTTP server holding users' volumes in one LMDB environment under --data.")
final class HostCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HostOptions host;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Drop a request whose body stalls this long (default: ${DEFAULT-VALUE}).")
    int readTimeoutSeconds;

    @Spec
    CommandSpec spec;

    /** Counted down to stop a host started in-process (tests); a real process stops on a signal. */
    static volatile CountDownLatch stop;

    @Override
    public Integer call() throws InterruptedException {
        if (readTimeoutSeconds <= 0) throw new IllegalArgumentException("--read-timeout must be a positive number of seconds, not " + readTimeoutSeconds);
        Listen address = Listen.parse(host.listen);
        Path data = host.data;
        HostConfig config = new HostConfig(data, address.host(), address.port(), host.tls,
                host.limits(HostConfig.Limits.DEFAULT.withReadTimeoutMillis(Math.multiplyExact(readTimeoutSeconds, 1000))));
        HostServer server = HostServer.start(config);
        CountDownLatch done = new CountDownLatch(1);
        stop = done;
        Thread hook = new Thread(() -> {
            server.close();
            done.countDown();
        }, "sahara-host-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("sahara host: listening on " + server.url(address.host()) + " (data in " + data.toAbsolutePath() + ")");
        server.tls().ifPresent(t -> out.println("sahara host: TLS certificate SHA-256 fingerprint " + t.fingerprint()));
        out.flush();
        done.await();
        try {
            if (Runtime.getRuntime().removeShutdownHook(hook)) server.close();
        } catch (IllegalStateException shuttingDown) {
            // A signal arrived: the hook closes the server.
        }
        return 0;
    }

    /** A HOST:PORT pair; IPv6 hosts in brackets ({@code [::1]:7420}). */
    record Listen(String host, int port) {
        static Listen parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("--listen wants HOST:PORT, got " + text);
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen: bad port in " + text);
            }
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--listen: port out of range in " + text);
            return new Listen(host, port);
        }
    }
}
