package net.saharasync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import net.saharasync.clientd.ClientConfig;
import net.saharasync.clientd.Daemon;
import net.saharasync.clientd.Join;
import net.saharasync.clientd.SyncEngine;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import net.saharasync.hostd.Tls;
import net.saharasync.hostd.store.AccountStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sahara up DIR}: one machine, zero setup. Starts a host (LMDB in ~/.sahara/host), makes
 * the user and tokens on first run, joins DIR to it and keeps DIR in sync; prints the line
 * another machine runs to join. Ctrl-C stops both; running it again resumes.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run a host and sync DIR with it, in one command; prints how another machine joins.")
final class UpCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

    /** What `up` keeps beside the host's data (owner-only): who the owner is and the tokens it made. */
    record UpState(String owner, String ownerToken, String joinToken) {}

    @Parameters(paramLabel = "DIR", description = "The folder to sync (created if missing).")
    Path dir;

    @picocli.CommandLine.Mixin
    HostOptions hostOptions;

    @picocli.CommandLine.Mixin
    CycleLog.Options logging;

    @Option(names = "--user", description = "The owner's user name on first run (default: your login name).")
    String user;

    @Spec
    CommandSpec spec;

    /** Counted down to stop an in-process `up` (tests). */
    static volatile CountDownLatch stop;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        HostCommand.Listen address = HostCommand.Listen.parse(hostOptions.listen);
        Path data = hostOptions.data;
        try (HostServer host = HostServer.start(new HostConfig(data, address.host(), address.port(), hostOptions.tls, hostOptions.limits(HostConfig.Limits.DEFAULT)))) {
            String localUrl = host.url(address.host().equals("0.0.0.0") || address.host().equals("::") ? "127.0.0.1" : address.host());
            UpState state = upState(host);
            Optional<String> fingerprint = host.tls().map(Tls::fingerprint);
            if (!Files.exists(ClientConfig.file(dir))) {
                Join.join(localUrl, state.ownerToken(), dir, "default", InetAddress.getLocalHost().getHostName(), fingerprint);
            } else {
                ClientConfig joined = ClientConfig.load(dir);
                if (!joined.host().equals(localUrl)) {
                    throw new IllegalArgumentException(dir + " is synced with " + joined.host() + ", not with the host `up` runs at " + localUrl
                            + ": give `up` another folder, or keep this one in sync with `sahara sync " + dir + "`");
                }
            }
            try (net.saharasync.clientd.FolderLock lock = net.saharasync.clientd.FolderLock.acquire(dir);
                 SyncEngine engine = SyncEngine.open(dir)) {
                engine.progress(new ConsoleProgress(ConsoleProgress.onTerminal()));
                String remoteHost = address.host().equals("0.0.0.0") || address.host().equals("::")
                        ? InetAddress.getLocalHost().getHostName() : address.host();
                out.printf("sahara up: host at %s (data in %s), syncing %s as user '%s'%n", localUrl, data.toAbsolutePath(),
                        engine.folder(), state.owner());
                boolean loopback = address.host().startsWith("127.") || address.host().equals("localhost") || address.host().equals("::1");
                out.println(loopback ? "For another folder on this machine, run (FOLDER: that folder; each join gets a device token of its own):"
                        : "On another machine, or for another folder on this one, run (FOLDER: the folder to sync there; each join gets a device token of its own):");
                out.printf("  ./sahara join %s FOLDER --token %s --volume default%s%n", host.url(remoteHost), state.joinToken(),
                        fingerprint.map(f -> " --fingerprint " + f).orElse(""));
                if (loopback) {
                    out.printf("(the host listens on loopback only; start with --listen 0.0.0.0:%d to let other machines in)%n", host.port());
                }
                out.println("Ctrl-C stops both; `sahara up` again resumes.");
                out.flush();
                CountDownLatch done = new CountDownLatch(1);
                stop = done;
                Thread hook = new Thread(done::countDown, "sahara-up-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try (Daemon d = new Daemon(engine, Daemon.Timing.DEFAULT, r -> CycleLog.log(LOG, r)).start()) {
                    done.await();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // stopped by a signal
                }
            }
        }
        return 0;
    }

    /** The owner and tokens, made on first run and kept in DATA/up.json (mode 0600). */
    private UpState upState(HostServer host) throws Exception {
        Path data = hostOptions.data;
        Path file = data.resolve("up.json");
        ObjectMapper json = new ObjectMapper();
        if (Files.exists(file)) return json.readValue(file.toFile(), UpState.class);
        AccountStore acc = host.store().accounts();
        String name = user != null ? user : System.getProperty("user.name", "me").replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.isEmpty() || !Character.isLetterOrDigit(name.charAt(0))) name = "me";
        AccountStore.User u = acc.user(name).orElse(null);
        if (u == null) u = acc.addUser(name, true);
        String here = acc.issueToken(u, "up " + InetAddress.getLocalHost().getHostName().replaceAll("[^\\p{L}\\p{N}._ -]", "_")).secret();
        String other = acc.issueToken(u, "joined device").secret();
        UpState s = new UpState(u.name(), here, other);
        Path tmp = data.resolve("up.json.tmp");
        Files.write(tmp, json.writeValueAsBytes(s));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return s;
    }
}
