package net.saharasync.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import net.saharasync.clientd.Status;
import net.saharasync.clientd.SyncEngine;
import net.saharasync.merkle.Change;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sahara status DIR}: state, pending changes, conflicts and the last error. Works offline. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show DIR's sync state, pending local changes, conflict copies and the last error.")
final class StatusCommand implements Callable<Integer> {
    private static final int MAX_LISTED = 50;

    @Parameters(paramLabel = "DIR")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (SyncEngine engine = SyncEngine.open(dir)) {
            SyncEngine.Pending p = engine.pending();
            var c = engine.config();
            out.printf("folder     %s%nhost       %s  volume %s  device '%s'%n", engine.folder(), c.host(), c.volume(), c.device());
            var status = Status.read(engine.folder());
            String state = status.map(Status::state).orElse(p.base().isPresent() ? "idle" : "never synced");
            if (state.equals("idle") && !p.changes().isEmpty()) state = "pending";
            java.util.Optional<Long> daemon = net.saharasync.clientd.FolderLock.holder(engine.folder());
            out.printf("state      %s%s%n", state, daemon.map(pid -> pid > 0 ? "  (synced by pid " + pid + ")" : "  (being synced)")
                    .orElse("  (no sahara process syncs it now)"));
            p.base().ifPresent(b -> out.printf("synced     commit %s%s%n", b.commit().toHex().substring(0, 16),
                    status.map(s -> s.lastCycle() == null ? "" : " (seq " + s.lastCycle().seq() + ", " + Instant.ofEpochMilli(s.updated()) + ")").orElse("")));
            out.printf("pending    %d local change%s%n", p.changes().size(), p.changes().size() == 1 ? "" : "s");
            p.changes().stream().limit(MAX_LISTED).forEach(ch -> out.println("  " + describe(ch)));
            if (p.changes().size() > MAX_LISTED) out.printf("  … and %d more%n", p.changes().size() - MAX_LISTED);
            out.printf("conflicts  %d%n", p.conflictCopies().size());
            p.conflictCopies().stream().limit(MAX_LISTED).forEach(cc -> out.println("  " + cc));
            List<String> notSynced = status.map(Status::lastCycle).map(r -> r.unsyncable() == null ? List.<String>of() : r.unsyncable()).orElse(List.of());
            if (!notSynced.isEmpty()) {
                out.printf("not synced %d (as of the last sync)%n", notSynced.size());
                notSynced.stream().limit(MAX_LISTED).forEach(u -> out.println("  " + u));
                if (notSynced.size() > MAX_LISTED) out.printf("  … and %d more%n", notSynced.size() - MAX_LISTED);
            }
            status.filter(s -> s.lastError() != null).ifPresent(s ->
                    out.printf("last error %s (%s)%n", s.lastError(), Instant.ofEpochMilli(s.lastErrorAt())));
        }
        out.flush();
        return 0;
    }

    private static String describe(Change c) {
        return switch (c) {
            case Change.Added a -> "+ " + a.path();
            case Change.Removed r -> "- " + r.path();
            case Change.Modified m -> "~ " + m.path();
            case Change.KindChanged k -> "~ " + k.path() + " (kind)";
            case Change.Moved m -> "> " + m.from() + " -> " + m.path();
        };
    }
}
