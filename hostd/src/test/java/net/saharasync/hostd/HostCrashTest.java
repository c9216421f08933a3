package net.saharasync.hostd;

import net.saharasync.hostd.store.lmdb.LmdbHostStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host killed with SIGKILL in the middle of uploads and commits restarts with a consistent store. */
class HostCrashTest {
    @TempDir
    Path data;

    private Process spawn() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")
                    || a.startsWith("-Dlmdbjava.")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), KillableHost.class.getName(), data.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static int port(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        for (int i = 0; i < 200; i++) {
            String line = r.readLine();
            if (line == null) break;
            if (line.startsWith("PORT ")) return Integer.parseInt(line.substring(5).trim());
        }
        throw new AssertionError("the host process did not report its port");
    }

    @Test
    void aHostKilledDuringUploadsRestartsConsistentWithEveryAcknowledgedCommit() throws Exception {
        String token;
        try (HostStore s = LmdbHostStore.open(data)) {
            AccountStore a = s.accounts();
            token = a.issueToken(a.addUser("alice", false), "laptop").secret();
        }
        Process host = spawn();
        List<Hash> acked = new ArrayList<>();
        LocalTree local = new LocalTree();
        List<Entry> files = new ArrayList<>();
        String vol;
        AtomicInteger uploadsStarted = new AtomicInteger();
        try {
            TestClient c = new TestClient("http://127.0.0.1:" + port(host), token);
            vol = c.createVolume("crash");
            Random r = new Random(5);
            // A few acknowledged commits, then uploads of ~6 MiB batches until the kill.
            for (int i = 0; i < 3; i++) {
                byte[] bytes = new byte[2 << 20];
                r.nextBytes(bytes);
                files.add(local.file("f" + i, bytes));
                DirRef root = local.dir(files);
                Hash commit = local.commit(root, acked.isEmpty() ? List.of() : List.of(acked.getLast()));
                TestClient.Reply reply = local.push(c, vol, root, commit, acked.isEmpty() ? Optional.empty() : Optional.of(acked.getLast()));
                assertThat(reply.status()).isEqualTo(200);
                acked.add(commit);
            }
            Thread uploader = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < 100; i++) {
                    byte[] bytes = new byte[6 << 20];
                    r.nextBytes(bytes);
                    Entry e = local.file("big" + i, bytes);
                    List<Hash> chunks = net.saharasync.merkle.FileTree.chunks(local.objects, e.file()).stream()
                            .map(net.saharasync.merkle.TreeObject.FileChild::hash).toList();
                    uploadsStarted.incrementAndGet();
                    try {
                        c.upload(TestClient.frames(local.blocks, chunks));
                    } catch (AssertionError connectionDied) {
                        return;
                    }
                }
            });
            while (uploadsStarted.get() < 3) Thread.sleep(5);
            Thread.sleep(40);
        } finally {
            host.destroyForcibly(); // SIGKILL
            assertThat(host.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(uploadsStarted.get()).isGreaterThanOrEqualTo(3);

        try (HostServer again = HostServer.start(HostConfig.loopback(data, 0))) {
            HostStore s = again.store();
            var report = s.blocks().verify();
            assertThat(report.ok()).isTrue();
            long[] counted = {0};
            s.blocks().forEach(h -> counted[0]++);
            assertThat(s.blocks().stats().blocks()).isEqualTo(counted[0]).isEqualTo(report.checked());
            var v = s.volumes().visibleTo(s.accounts().user("alice").orElseThrow().id()).getFirst().volume();
            assertThat(s.volumes().head(v.id()).orElseThrow().commit()).isEqualTo(acked.getLast());
            TestClient c = new TestClient(again.url("127.0.0.1"), token);
            for (int i = 0; i < files.size(); i++) {
                assertThat(HostRoundTripTest.download(c, local, files.get(i))).hasSize(2 << 20);
            }
        }
    }
}
