package net.saharasync.cli;

import net.saharasync.protocol.Access;
import net.saharasync.protocol.Invitation;
import net.saharasync.protocol.Member;
import net.saharasync.protocol.ShareOutcome;
import net.saharasync.protocol.Volume;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.saharasync.clientd.ClientConfig;
import net.saharasync.clientd.ClientException;
import net.saharasync.protocol.http.HttpHost;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sahara volume ...}: the caller's volumes, the shares waiting for them, and sharing
 * their own. A share is an invitation until its user accepts it, so nobody can put a volume
 * into someone else's list (and so into what their {@code join} picks by name).
 */
@Command(name = "volume", mixinStandardHelpOptions = true,
        description = "List your volumes and invitations, accept or decline a share, share a volume of yours.",
        subcommands = {VolumeCommand.ListCmd.class, VolumeCommand.AcceptCmd.class, VolumeCommand.DeclineCmd.class,
                VolumeCommand.ShareCmd.class, VolumeCommand.UnshareCmd.class, VolumeCommand.MembersCmd.class})
final class VolumeCommand {

    /** Where the host is: a synced folder's settings, or a URL and token given outright. */
    static final class Connection {
        @Option(names = "--folder", paramLabel = "DIR", description = "A synced folder: use its host, token and pin (and its volume where one is needed).")
        Path folder;

        @Option(names = "--host", paramLabel = "URL", description = "The host's URL (instead of --folder).")
        String url;

        @Option(names = "--token", description = "A device token (with --host).")
        String token;

        @Option(names = "--fingerprint", description = "The host's TLS certificate fingerprint to pin (with an https:// --host).")
        String fingerprint;

        HttpHost open() {
            if (folder != null) {
                if (url != null || token != null) throw new ClientException("give either --folder or --host/--token, not both");
                ClientConfig c = ClientConfig.load(folder);
                return new HttpHost(c.host(), c.token(), c.pinnedFingerprint());
            }
            if (url == null || token == null) throw new ClientException("say where the host is: --folder DIR (a synced folder), or --host URL --token T");
            if (fingerprint != null && !url.regionMatches(true, 0, "https://", 0, 8)) {
                throw new ClientException("--fingerprint pins a TLS certificate, but " + url + " is not https://: the token would travel in clear text");
            }
            return new HttpHost(url, token, Optional.ofNullable(fingerprint));
        }

        /** The folder's volume, when no volume was named. */
        String volumeOrFolders(String named) {
            if (named != null) return named;
            if (folder == null) throw new ClientException("name the volume (--volume ID or NAME), or give --folder DIR to use that folder's volume");
            return ClientConfig.load(folder).volume();
        }
    }

    /** A subcommand that talks to the host once: opens the connection, runs, flushes what it printed. */
    abstract static class HostCall implements Callable<Integer> {
        @Mixin Connection conn;
        @Spec CommandSpec spec;

        abstract void run(HttpHost host, PrintWriter out) throws Exception;

        @Override
        public final Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (HttpHost host = conn.open()) {
                run(host, out);
            }
            out.flush();
            return 0;
        }
    }

    /** A volume named by id, or by name among the caller's own volumes and accepted shares (refused when several have it). */
    static Volume resolve(HttpHost host, String idOrName) throws IOException {
        List<Volume> all = host.volumes();
        for (Volume v : all) if (v.id().equals(idOrName)) return v;
        List<Volume> named = all.stream().filter(v -> v.name().equals(idOrName)).toList();
        if (named.size() == 1) return named.getFirst();
        if (named.isEmpty()) throw new ClientException("no volume '" + idOrName + "' among yours and the shares you accepted (see `sahara volume list`)");
        throw new ClientException("the name '" + idOrName + "' matches " + named.size() + " volumes; give its id (see `sahara volume list`)");
    }

    /** An invitation named by volume id, or by name (refused when several invitations have it). */
    static Invitation invitation(HttpHost host, String idOrName) throws IOException {
        List<Invitation> all = host.invitations();
        for (Invitation i : all) if (i.id().equals(idOrName)) return i;
        List<Invitation> named = all.stream().filter(i -> i.name().equals(idOrName)).toList();
        if (named.size() == 1) return named.getFirst();
        if (named.isEmpty()) throw new ClientException("no invitation to a volume '" + idOrName + "' (see `sahara volume list`)");
        throw new ClientException("the name '" + idOrName + "' matches " + named.size() + " invitations; give the volume's id (see `sahara volume list`)");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Your volumes, the shares you accepted, and the invitations waiting for you.")
    static final class ListCmd extends HostCall {
        @Override
        void run(HttpHost host, PrintWriter out) throws Exception {
            List<Volume> vols = host.volumes();
            out.println(vols.isEmpty() ? "no volumes yet" : "volumes");
            for (Volume v : vols) {
                out.printf("  %s  %-20s %-6s %s%s%n", v.id(), v.name(), v.access().wireName(),
                        v.access() == Access.OWNER ? "yours" : "of " + v.owner(), ", " + v.entries() + " entries");
            }
            List<Invitation> inv = host.invitations();
            if (!inv.isEmpty()) {
                out.println("invitations (accept with `sahara volume accept ID`, decline with `sahara volume decline ID`)");
                for (Invitation i : inv) out.printf("  %s  %-20s %-6s from %s%n", i.id(), i.name(), i.access().wireName(), i.owner());
            }
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true, description = "Accept a share: the volume joins your list (and what `join` may pick).")
    static final class AcceptCmd extends HostCall {
        @Parameters(paramLabel = "VOLUME", description = "The invitation's volume id (or its name, if no other invitation has it).")
        String volume;

        @Override
        void run(HttpHost host, PrintWriter out) throws Exception {
            Invitation i = invitation(host, volume);
            Volume v = host.accept(i.id());
            out.printf("accepted '%s' (%s) of %s, %s access. Sync it into a folder with: sahara join URL DIR --token T --volume %s%n",
                    v.name(), v.id(), i.owner(), v.access().wireName(), v.id());
        }
    }

    @Command(name = "decline", mixinStandardHelpOptions = true, description = "Decline an invitation, or leave a volume shared with you.")
    static final class DeclineCmd extends HostCall {
        @Parameters(paramLabel = "VOLUME", description = "Volume id (or name).")
        String volume;

        @Override
        void run(HttpHost host, PrintWriter out) throws Exception {
            String id;
            String what;
            Optional<Invitation> inv = host.invitations().stream()
                    .filter(i -> i.id().equals(volume) || i.name().equals(volume)).findFirst();
            if (inv.isPresent()) {
                Invitation i = invitation(host, volume);
                id = i.id();
                what = "declined '" + i.name() + "' (" + id + ") from " + i.owner();
            } else {
                Volume v = resolve(host, volume);
                if (v.access() == Access.OWNER) throw new ClientException("'" + v.name() + "' (" + v.id() + ") is your own volume; you cannot leave it");
                id = v.id();
                what = "left '" + v.name() + "' (" + id + ") of " + v.owner();
            }
            host.leave(id);
            out.println(what);
        }
    }

    /** --read or --write. */
    static final class Level {
        @Option(names = "--read", required = true, description = "They may download and follow it.") boolean read;
        @Option(names = "--write", required = true, description = "They may also change it.") boolean write;
    }

    @Command(name = "share", mixinStandardHelpOptions = true,
            description = "Invite USER to a volume of yours (they must accept it), or change the access of one who accepted.")
    static final class ShareCmd extends HostCall {
        @Parameters(paramLabel = "USER") String user;
        @ArgGroup(exclusive = true, multiplicity = "1") Level level;
        @Option(names = "--volume", description = "Volume id or name (default: the --folder's volume).") String volume;

        @Override
        void run(HttpHost host, PrintWriter out) throws Exception {
            Volume v = resolve(host, conn.volumeOrFolders(volume));
            Access access = level.write ? Access.WRITE : Access.READ;
            ShareOutcome state = host.share(v.id(), user, access);
            out.println(switch (state) {
                case INVITED -> "invited " + user + " to '" + v.name() + "' (" + v.id() + ") with " + access
                        + " access; it reaches them once they accept it (`sahara volume accept " + v.id() + "`)";
                case GRANTED -> user + " now has " + access.wireName() + " access to '" + v.name() + "' (" + v.id() + ")";
                case REMOVED -> user + ": removed";
            });
        }
    }

    @Command(name = "unshare", mixinStandardHelpOptions = true, description = "Take away USER's access to a volume of yours (or withdraw the invitation).")
    static final class UnshareCmd extends HostCall {
        @Parameters(paramLabel = "USER") String user;
        @Option(names = "--volume", description = "Volume id or name (default: the --folder's volume).") String volume;

        @Override
        void run(HttpHost host, PrintWriter out) throws Exception {
            Volume v = resolve(host, conn.volumeOrFolders(volume));
            host.share(v.id(), user, Access.NONE);
            out.println(user + " no longer has access to '" + v.name() + "' (" + v.id() + "); their open connections to it are closed");
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true, description = "Who has access to a volume of yours, and who is invited.")
    static final class MembersCmd extends HostCall {
        @Option(names = "--volume", description = "Volume id or name (default: the --folder's volume).") String volume;

        @Override
        void run(HttpHost host, PrintWriter out) throws Exception {
            Volume v = resolve(host, conn.volumeOrFolders(volume));
            out.printf("'%s' (%s)%n", v.name(), v.id());
            for (Member m : host.members(v.id())) {
                out.printf("  %-20s %-6s %s%n", m.user(), m.access().wireName(), m.invited() ? "invited" : "accepted");
            }
        }
    }
}
