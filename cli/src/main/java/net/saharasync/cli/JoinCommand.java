package net.saharasync.cli;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.saharasync.clientd.ClientConfig;
import net.saharasync.clientd.Join;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sahara join URL --token T DIR}: makes DIR a synced folder of a volume on that host. */
@Command(name = "join", mixinStandardHelpOptions = true,
        description = "Make DIR a synced folder of a volume on the host at URL (state goes to DIR/.sahara/; nothing in DIR is touched until the first sync).")
final class JoinCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "The host, e.g. http://127.0.0.1:7420 or https://box.example:7420")
    String url;

    @Parameters(index = "1", paramLabel = "DIR")
    Path dir;

    @Option(names = "--token", required = true, description = "A device token (from `sahara user add` or `sahara user token`).")
    String token;

    @Option(names = "--volume", defaultValue = "default", description = "Volume name or id: one of yours or a share you accepted (`sahara volume accept`); a name several volumes have must be given as an id; on your first join it is created (default: ${DEFAULT-VALUE}).")
    String volume;

    @Option(names = "--create", description = "Create the volume when none of yours has that name (without it, a name matching nothing is refused once you have volumes: it is likely a typo).")
    boolean create;

    @Option(names = "--device", description = "This machine's name in conflict copies and history (default: the host name).")
    String device;

    @Option(names = "--fingerprint", description = "The host's TLS certificate fingerprint to pin (printed by `sahara host --tls`).")
    String fingerprint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String dev = device != null ? device : InetAddress.getLocalHost().getHostName();
        Join.Joined j = Join.joinVolume(url, token, dir, volume, dev, Optional.ofNullable(fingerprint), create);
        ClientConfig c = j.config();
        if (j.tokenReplaced()) {
            spec.commandLine().getOut().printf("%s now uses the new token; it syncs %s on %s as device '%s', as before.%n",
                    dir, j.describe(), url, c.device());
            return 0;
        }
        spec.commandLine().getOut().printf("%s now syncs %s on %s as device '%s'. Start it with: sahara sync %s%n",
                dir, j.describe(), url, c.device(), dir);
        return 0;
    }

}
