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

    @picocli.CommandLine.Option(names = "--json", description = "One JSON object instead of text (for scripts).")
    boolean json;

    @Parameters(paramLabel = "DIR")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String state;
        try (SyncEngine engine = SyncEngine.open(dir)) {
            SyncEngine.Pending p = engine.pending();
            var c = engine.config();
            var status = Status.read(engine.folder());
            state = status.map(Status::state).orElse(p.base().isPresent() ? "idle" : "never synced");
            if (state.equals("idle") && !p.changes().isEmpty()) state = "pending";
            java.util.Optional<Long> daemon = net.saharasync.clientd.FolderLock.holder(engine.folder());
            List<String> notSynced = status.map(Status::lastCycle).map(r -> r.unsyncable() == null ? List.<String>of() : r.unsyncable()).orElse(List.of());
            // The time of the last sync that finished (an error keeps its own time).
            java.util.Optional<Instant> lastSync = status.filter(st -> st.lastCycle() != null && st.updated() > 0).map(st -> Instant.ofEpochMilli(st.updated()));
            // How far behind the host this folder is: the host's head against the last one synced (asked for at most 5 s).
            java.util.Optional<Long> syncedSeq = status.map(Status::lastCycle).map(r -> r.seq());
            Long hostSeq = null;
            String hostProblem = null;
            java.util.concurrent.CompletableFuture<Long> head = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return engine.host().head(c.volume()).seq();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                hostSeq = head.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException slow) {
                hostProblem = "no answer from the host in 5 s";
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable t = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
                hostProblem = String.valueOf(t.getMessage());
            }
            Long behind = hostSeq == null ? null : Math.max(0, hostSeq - syncedSeq.orElse(0L));
            if (json) {
                java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("folder", engine.folder().toString());
                m.put("host", c.host());
                m.put("volume", c.volume());
                m.put("device", c.device());
                m.put("state", state);
                m.put("pid", daemon.filter(pid -> pid > 0).orElse(null));
                m.put("commit", p.base().map(b -> b.commit().toHex()).orElse(null));
                m.put("seq", status.map(Status::lastCycle).map(r -> r.seq()).orElse(null));
                m.put("lastSync", lastSync.map(Instant::toString).orElse(null));
                m.put("hostSeq", hostSeq);
                m.put("behind", behind);
                m.put("hostError", hostProblem);
                m.put("pending", p.changes().stream().map(StatusCommand::describe).toList());
                m.put("conflicts", p.conflictCopies());
                m.put("notSynced", notSynced);
                m.put("lastError", status.map(Status::lastError).orElse(null));
                m.put("lastErrorAt", status.map(Status::lastErrorAt).map(t -> Instant.ofEpochMilli(t).toString()).orElse(null));
                out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m));
            } else {
                out.printf("folder     %s%nhost       %s  volume %s  device '%s'%n", engine.folder(), c.host(), c.volume(), c.device());
                out.printf("state      %s%s%n", state, daemon.map(pid -> pid > 0 ? "  (synced by pid " + pid + ")" : "  (being synced)")
                        .orElse("  (no sahara process syncs it now)"));
                p.base().ifPresent(b -> out.printf("synced     commit %s%s%n", b.commit().toHex().substring(0, 16),
                        status.map(st -> st.lastCycle() == null ? "" : " (seq " + st.lastCycle().seq()
                                + lastSync.map(t -> ", last sync " + t).orElse("") + ")").orElse("")));
                if (hostSeq != null) {
                    out.printf("host head  seq %d%s%n", hostSeq, behind == 0 ? " (this folder has it)"
                            : " (" + behind + " newer commit" + (behind == 1 ? "" : "s") + " than this folder has synced)");
                } else {
                    out.printf("host head  unknown: %s%n", hostProblem);
                }
                out.printf("pending    %d local change%s%n", p.changes().size(), p.changes().size() == 1 ? "" : "s");
                p.changes().stream().limit(MAX_LISTED).forEach(ch -> out.println("  " + describe(ch)));
                if (p.changes().size() > MAX_LISTED) out.printf("  … and %d more%n", p.changes().size() - MAX_LISTED);
                out.printf("conflicts  %d%n", p.conflictCopies().size());
                p.conflictCopies().stream().limit(MAX_LISTED).forEach(cc -> out.println("  " + cc));
                if (!notSynced.isEmpty()) {
                    out.printf("not synced %d (as of the last sync)%n", notSynced.size());
                    notSynced.stream().limit(MAX_LISTED).forEach(u -> out.println("  " + u));
                    if (notSynced.size() > MAX_LISTED) out.printf("  … and %d more%n", notSynced.size() - MAX_LISTED);
                }
                status.filter(st -> st.lastError() != null).ifPresent(st ->
                        out.printf("last error %s (%s)%n", st.lastError(), Instant.ofEpochMilli(st.lastErrorAt())));
            }
        }
        out.flush();
        // Scripts and monitors see an error state without parsing: exit 1 (README, "Exit status").
        return state.equals("error") ? ExitCodes.NOT_DONE : ExitCodes.OK;
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
