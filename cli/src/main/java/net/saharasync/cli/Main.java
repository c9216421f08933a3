package net.saharasync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sahara} command: one entry point, one subcommand per job. */
@Command(
        name = "sahara",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Sahara Sync: self-hosted file sync.",
        subcommands = {UpCommand.class, HostCommand.class, UserCommand.class, JoinCommand.class, SyncCommand.class, StatusCommand.class,
                ChunkCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        NativeLibraries.prepare();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests and for {@link #main}. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("sahara: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return 2;
                });
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sahara " + (v == null ? "dev" : v)};
        }
    }
}
