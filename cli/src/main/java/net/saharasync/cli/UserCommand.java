package net.saharasync.cli;

import net.saharasync.hostd.store.lmdb.LmdbHostStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.HostStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sahara user add|token|list|revoke}: accounts on a host's data directory. Works
 * while the host runs (LMDB allows several processes; the host reads accounts per request).
 */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage the users and device tokens of a host.",
        subcommands = {UserCommand.Add.class, UserCommand.Token.class, UserCommand.ListUsers.class, UserCommand.Revoke.class})
final class UserCommand {
    static class DataOption {
        @Option(names = "--data", paramLabel = "DIR", description = "The host's data directory (default: ${DEFAULT-VALUE}).",
                defaultValue = "${env:HOME:-${sys:user.home}}/.sahara/host")
        Path data;
    }

    abstract static class Base implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOption dataOption;

        @Spec
        CommandSpec spec;

        abstract void run(HostStore store, PrintWriter out);

        @Override
        public Integer call() {
            try (HostStore store = LmdbHostStore.open(dataOption.data)) {
                run(store, spec.commandLine().getOut());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (HostException e) {
                spec.commandLine().getErr().println("sahara user: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create a user and print a token for their first device (shown once; only its hash is kept).")
    static final class Add extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--device", defaultValue = "device-1", description = "Name of the device the token is for (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--admin", description = "May read /metrics and revoke anyone's tokens.")
        boolean admin;

        @Override
        void run(HostStore store, PrintWriter out) {
            AccountStore a = store.accounts();
            AccountStore.Issued t = a.issueToken(a.addUser(name, admin), device);
            out.println(t.secret());
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Print a new token for another device of a user.")
    static final class Token extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--device", required = true, description = "Name of the device the token is for.")
        String device;

        @Override
        void run(HostStore store, PrintWriter out) {
            AccountStore a = store.accounts();
            AccountStore.User u = a.user(name).orElseThrow(() -> HostException.notFound("no user " + name));
            out.println(a.issueToken(u, device).secret());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users and their tokens (ids and devices, never secrets).")
    static final class ListUsers extends Base {
        @Override
        void run(HostStore store, PrintWriter out) {
            for (AccountStore.User u : store.accounts().users()) {
                out.println(u.name() + (u.admin() ? " (admin)" : ""));
                for (AccountStore.Token t : store.accounts().tokens(u.id())) out.println("  token " + t.id() + "  " + t.device());
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by its id (see `sahara user list`).")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "TOKEN-ID")
        String id;

        @Override
        void run(HostStore store, PrintWriter out) {
            if (!store.accounts().revoke(id, Optional.empty())) throw HostException.notFound("no token " + id);
            out.println("revoked " + id);
        }
    }
}
