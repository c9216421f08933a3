package net.saharasync.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import net.saharasync.clientd.Daemon;
import net.saharasync.clientd.Join;
import net.saharasync.clientd.SyncEngine;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;

/**
 * How long a small file saved on machine A takes to appear on machine B: a real host on
 * loopback and two client daemons (watching, live events), in one JVM. Each round writes a
 * new version with an atomic rename (as editors save) and polls B every 0.2 ms.
 * Usage: {@code benchmarks/live-latency [ROUNDS]}.
 */
public final class LiveLatency {
    private LiveLatency() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("sahara-live");
        try (HostServer host = HostServer.start(HostConfig.loopback(dir.resolve("host"), 0))) {
            var acc = host.store().accounts();
            String token = acc.issueToken(acc.addUser("me", false), "bench").secret();
            Path a = dir.resolve("A"), b = dir.resolve("B");
            Join.join(host.url("127.0.0.1"), token, a, "live", "A", Optional.empty());
            Join.join(host.url("127.0.0.1"), token, b, "live", "B", Optional.empty());
            try (SyncEngine ea = SyncEngine.open(a); SyncEngine eb = SyncEngine.open(b);
                    Daemon da = new Daemon(ea, Daemon.Timing.DEFAULT, r -> {}).start();
                    Daemon db = new Daemon(eb, Daemon.Timing.DEFAULT, r -> {}).start()) {
                Thread.sleep(1000);
                long[] micros = new long[rounds];
                for (int i = 0; i < rounds; i++) {
                    String content = "version " + i + " " + System.nanoTime();
                    Path tmp = a.resolve(".note.txt.tmp~");
                    Files.writeString(tmp, content);
                    long t0 = System.nanoTime();
                    Files.move(tmp, a.resolve("note.txt"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    Path target = b.resolve("note.txt");
                    long deadline = t0 + 30_000_000_000L;
                    while (!content.equals(read(target))) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("round " + i + " never arrived");
                        Thread.sleep(0, 200_000);
                    }
                    micros[i] = (System.nanoTime() - t0) / 1000;
                    Thread.sleep(300);
                }
                Arrays.sort(micros);
                System.out.printf("live propagation A -> B of a small file, %d rounds: p50 %.0f ms, p90 %.0f ms, max %.0f ms%n", rounds,
                        micros[rounds / 2] / 1000.0, micros[(int) (rounds * 0.9)] / 1000.0, micros[rounds - 1] / 1000.0);
                System.out.printf("(includes the %d ms quiet period that waits out an editor's burst)%n", Daemon.Timing.DEFAULT.quiet().toMillis());
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return null;
        }
    }
}
