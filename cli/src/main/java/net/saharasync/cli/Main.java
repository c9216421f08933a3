package net.saharasync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sahara} command: one entry point, one subcommand per job. */
@Command(
        name = "sahara",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Sahara Sync: self-hosted file sync.")
public final class Main {
    /**
     * The subcommands, made only when needed: picocli reads each one's options by reflection,
     * which loads the classes its fields name (the host's, for `up` and `host`). A run of one
     * subcommand makes just that one, {@code --version} none; anything else (help, a typo) makes them all.
     */
    private static final java.util.Map<String, java.util.function.Supplier<Object>> SUBCOMMANDS = new java.util.LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("up", UpCommand::new);
        SUBCOMMANDS.put("host", HostCommand::new);
        SUBCOMMANDS.put("user", UserCommand::new);
        SUBCOMMANDS.put("join", JoinCommand::new);
        SUBCOMMANDS.put("volume", VolumeCommand::new);
        SUBCOMMANDS.put("sync", SyncCommand::new);
        SUBCOMMANDS.put("status", StatusCommand::new);
        SUBCOMMANDS.put("leave", LeaveCommand::new);
        SUBCOMMANDS.put("chunk", ChunkCommand::new);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    /** The subcommands that open an LMDB store (the host's or a folder's index) at once. */
    private static final java.util.Set<String> OPENS_A_STORE = java.util.Set.of("up", "host", "user", "sync", "status");

    public static void main(String[] args) {
        configureLogging(System.getenv("SAHARA_LOG_LEVEL"), args);
        NativeLibraries.prepare();
        String first = args.length > 0 ? args[0] : "";
        if (OPENS_A_STORE.contains(first)) NativeLibraries.preload();
        System.exit(commandLine(first).execute(args));
    }

    /**
     * Before the first logger is made: the level from {@code SAHARA_LOG_LEVEL} (slf4j-simple
     * reads system properties over its {@code simplelogger.properties}), and Undertow's JBoss
     * logging sent through SLF4J (it picks SLF4J on its own only when logback is present, and
     * java.util.logging otherwise, which would print its own two-line format).
     */
    static void configureLogging(String level, String... args) {
        // --quiet, --verbose and --log-file (of `up` and `sync`) too: the loggers exist before picocli parses.
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) break;
            if (a.equals("-q") || a.equals("--quiet")) level = "warn";
            else if (a.equals("-v") || a.equals("--verbose")) level = "debug";
            else if (a.startsWith("--log-file=")) System.setProperty("org.slf4j.simpleLogger.logFile", a.substring("--log-file=".length()));
            else if (a.equals("--log-file") && i + 1 < args.length) System.setProperty("org.slf4j.simpleLogger.logFile", args[++i]);
        }
        if (level != null && !level.isBlank()) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.strip().toLowerCase(java.util.Locale.ROOT));
        }
        if (System.getProperty("org.jboss.logging.provider") == null) System.setProperty("org.jboss.logging.provider", "slf4j");
    }

    /** The configured command line with every subcommand, for tests. */
    public static CommandLine commandLine() {
        return commandLine("");
    }

    /** The configured command line for a run whose first argument is {@code first}. */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        if (SUBCOMMANDS.containsKey(first) && !first.equals("help")) {
            cl.addSubcommand(first, SUBCOMMANDS.get(first).get());
        } else if (first.equals("--version") || first.equals("-V")) {
            // The version needs no subcommand (making all of them took ~0.4 s of a 0.6 s run).
        } else {
            SUBCOMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        return cl.setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    ExitCodes.Explained x = ExitCodes.explain(e);
                    cmd.getErr().println("sahara: " + x.message());
                    return x.status();
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
