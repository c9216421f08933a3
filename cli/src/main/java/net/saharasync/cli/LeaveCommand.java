package net.saharasync.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import net.saharasync.clientd.ClientConfig;
import net.saharasync.clientd.FolderLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sahara leave DIR}: DIR stops being a synced folder. Its files stay as they are, the
 * volume on the host stays as it is, and the trash of files syncs replaced stays in
 * {@code DIR/.sahara/trash} (nothing that cannot be recovered is deleted); the settings, the
 * token and the index go.
 */
@Command(name = "leave", mixinStandardHelpOptions = true,
        description = "Stop syncing DIR: its files and the volume stay as they are, DIR/.sahara/trash stays; the settings, token and index are removed.")
final class LeaveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Spec
    CommandSpec spec;

    /** What a joined folder's state holds besides the trash: all of it goes. */
    private static final List<String> STATE = List.of("config.json", "config.json.tmp", "status.json", "tempkey", "tempkey.new", "lock");

    @Override
    public Integer call() throws Exception {
        ClientConfig c = ClientConfig.load(dir);
        Path state = ClientConfig.stateDir(dir);
        try (FolderLock lock = FolderLock.acquire(dir)) {
            deleteTree(state.resolve("db"));
            for (String name : STATE) Files.deleteIfExists(state.resolve(name));
            Files.deleteIfExists(state.resolve("pid.lock"));
        }
        boolean trash = Files.isDirectory(state.resolve("trash"), LinkOption.NOFOLLOW_LINKS);
        if (!trash) Files.deleteIfExists(state);
        spec.commandLine().getOut().printf("%s no longer syncs volume %s on %s; its files stay as they are%s.%n", dir, c.volume(), c.host(),
                trash ? ", and so does " + state.resolve("trash") + " (what syncs replaced or deleted)" : "");
        return 0;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(p)) {
                for (Path c : s.toList()) deleteTree(c);
            }
        }
        Files.delete(p);
    }
}
