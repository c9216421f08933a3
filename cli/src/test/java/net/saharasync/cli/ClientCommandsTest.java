package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** join, sync --once --stats and status as a user types them, against a real host on loopback. */
class ClientCommandsTest {
    @TempDir
    Path tmp;

    /** A token of a new user "me" on {@code host}. */
    static String newUser(HostServer host) {
        var acc = host.store().accounts();
        return acc.issueToken(acc.addUser("me", false), "cli").secret();
    }

    /** `sahara sync DIR` as a daemon in this JVM, returned once it holds the folder and has written its status. */
    private static Thread startDaemon(Path dir) throws InterruptedException {
        SyncCommand.stop = null; // a latch left by an earlier daemon must not count as this one's
        Thread daemon = Thread.ofPlatform().start(() -> ChunkCommandTest.run("sync", dir.toString()));
        long until = System.nanoTime() + 30_000_000_000L;
        while ((SyncCommand.stop == null || net.saharasync.clientd.FolderLock.holder(dir).isEmpty()
                || !Files.exists(dir.resolve(".sahara/status.json"))) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        return daemon;
    }

    private static void stopDaemon(Thread daemon) throws InterruptedException {
        SyncCommand.stop.countDown();
        daemon.join(10_000);
    }

    @Test
    void joinSyncOnceWithStatsAndStatusWorkAsDocumented() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            String token = newUser(host);
            String url = host.url("127.0.0.1");
            Path a = tmp.resolve("A"), b = tmp.resolve("B");

            ChunkCommandTest.Run ja = ChunkCommandTest.run("join", url, a.toString(), "--token", token, "--device", "alpha");
            assertThat(ja.exit()).as(ja.err()).isZero();
            assertThat(ja.out()).contains("sahara sync " + a);
            assertThat(ChunkCommandTest.run("join", url, b.toString(), "--token", token, "--device", "beta").exit()).isZero();
            assertThat(ChunkCommandTest.run("join", url, b.toString(), "--token", token).out()).contains("now uses the new token");
            assertThat(ChunkCommandTest.run("join", url, tmp.resolve("C").toString(), "--token", "sst_wrong").exit()).isNotZero();

            Files.writeString(a.resolve("hello.txt"), "hello from A");
            Files.writeString(a.resolve(".saharaignore"), "*.log\nbuild/\n");
            Files.writeString(a.resolve("debug.log"), "never synced");
            Files.createDirectories(a.resolve("build"));
            Files.writeString(a.resolve("build/out.bin"), "never synced either");

            ChunkCommandTest.Run sa = ChunkCommandTest.run("sync", a.toString(), "--once", "--stats");
            assertThat(sa.exit()).as(sa.err()).isZero();
            JsonNode stats = new ObjectMapper().readTree(sa.out().trim());
            assertThat(stats.get("filesUp").asInt()).isEqualTo(2);
            assertThat(stats.get("bytesSent").asLong()).isPositive();
            for (String field : new String[] {"bytesReceived", "filesDown", "conflicts", "millis"}) assertThat(stats.has(field)).isTrue();

            ChunkCommandTest.Run sb = ChunkCommandTest.run("sync", b.toString(), "--once", "--stats");
            assertThat(sb.exit()).as(sb.err()).isZero();
            assertThat(new ObjectMapper().readTree(sb.out().trim()).get("filesDown").asInt()).isEqualTo(2);
            assertThat(Files.readString(b.resolve("hello.txt"))).isEqualTo("hello from A");
            assertThat(Files.exists(b.resolve(".saharaignore"))).isTrue();
            assertThat(Files.exists(b.resolve("debug.log"))).isFalse();
            assertThat(Files.exists(b.resolve("build"))).isFalse();

            // A conflict, then status on both sides.
            Files.writeString(a.resolve("hello.txt"), "A edits");
            Files.writeString(b.resolve("hello.txt"), "B edits");
            // Written after A's (file times are coarse: both writes could share one tick).
            Files.setLastModifiedTime(b.resolve("hello.txt"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 1_000));
            assertThat(ChunkCommandTest.run("sync", a.toString(), "--once").exit()).isZero();
            ChunkCommandTest.Run before = ChunkCommandTest.run("status", b.toString());
            assertThat(before.out()).contains("pending    1 local change").contains("~ hello.txt").contains("conflicts  0")
                    .contains("(1 newer commit than this folder has synced)");
            JsonNode behind = new ObjectMapper().readTree(ChunkCommandTest.run("status", b.toString(), "--json").out().trim());
            assertThat(behind.get("behind").asLong()).isEqualTo(1);
            assertThat(behind.get("hostSeq").asLong()).isEqualTo(behind.get("seq").asLong() + 1);
            assertThat(ChunkCommandTest.run("sync", b.toString(), "--once").exit()).isZero();
            ChunkCommandTest.Run after = ChunkCommandTest.run("status", b.toString());
            assertThat(after.exit()).isZero();
            assertThat(after.out()).contains("pending    0 local changes").contains("conflicts  1").contains("hello (conflict alpha ")
                    .contains("(this folder has it)");
            // B's edit is the newer write: it keeps the name; A's older one is the copy.
            assertThat(Files.readString(b.resolve("hello.txt"))).isEqualTo("B edits");
        }
    
    }

    /**
     * One process syncs a folder at a time: a second `sync` stops at once naming the first,
     * and leaves its status alone; `status` names the process; `--stats` needs `--once`; the
     * state folder is owner-only whoever made it.
     */
    @Test
    void aSecondSyncOfAFolderStopsAtOnceAndStatusNamesTheFirst() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            String token = newUser(host);
            Path a = tmp.resolve("A");
            assertThat(ChunkCommandTest.run("join", host.url("127.0.0.1"), a.toString(), "--token", token).exit()).isZero();
            java.nio.file.Files.setPosixFilePermissions(a.resolve(".sahara"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

            ChunkCommandTest.Run stats = ChunkCommandTest.run("sync", a.toString(), "--stats");
            assertThat(stats.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(stats.err()).contains("--stats goes with --once");

            Thread daemon = startDaemon(a);
            try {
                byte[] statusBefore = java.nio.file.Files.readAllBytes(a.resolve(".sahara/status.json"));
                ChunkCommandTest.Run second = ChunkCommandTest.run("sync", a.toString(), "--once");
                assertThat(second.exit()).isEqualTo(ExitCodes.NOT_DONE);
                assertThat(second.err()).contains("is already synced by another sahara process (pid " + ProcessHandle.current().pid() + ")");
                assertThat(java.nio.file.Files.readAllBytes(a.resolve(".sahara/status.json"))).isEqualTo(statusBefore);
                assertThat(ChunkCommandTest.run("status", a.toString()).out()).contains("(synced by pid " + ProcessHandle.current().pid() + ")");
            } finally {
                stopDaemon(daemon);
            }
            assertThat(daemon.isAlive()).isFalse();
            assertThat(ChunkCommandTest.run("status", a.toString()).out()).contains("(no sahara process syncs it now)");
            assertThat(ChunkCommandTest.run("sync", a.toString(), "--once").exit()).isZero();
            assertThat(java.nio.file.Files.getPosixFilePermissions(a.resolve(".sahara")))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Each joined folder gets a token of its own from the one given: revoking one machine leaves the others. */
    @Test
    void eachJoinedFolderHasATokenOfItsOwnSoRevokingOneLeavesTheOthers() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            var acc = host.store().accounts();
            var me = acc.addUser("me", false);
            String given = acc.issueToken(me, "join line").secret();
            String url = host.url("127.0.0.1");
            Path a = tmp.resolve("A"), b = tmp.resolve("B");
            assertThat(ChunkCommandTest.run("join", url, a.toString(), "--token", given).exit()).isZero();
            assertThat(ChunkCommandTest.run("join", url, b.toString(), "--token", given, "--device", "desk").exit()).isZero();
            String ta = net.saharasync.clientd.ClientConfig.load(a).token(), tb = net.saharasync.clientd.ClientConfig.load(b).token();
            assertThat(java.util.Set.of(given, ta, tb)).hasSize(3);
            assertThat(acc.authenticate(tb).orElseThrow().token().device()).isEqualTo("desk");
            assertThat(acc.tokens(me.id())).hasSize(3);

            acc.revoke(acc.authenticate(ta).orElseThrow().token().id(), java.util.Optional.empty());
            assertThat(ChunkCommandTest.run("sync", a.toString(), "--once").exit()).isEqualTo(ExitCodes.REFUSED);
            Files.writeString(b.resolve("still.txt"), "B syncs on");
            assertThat(ChunkCommandTest.run("sync", b.toString(), "--once").exit()).isZero();
            assertThat(ChunkCommandTest.run("join", url, tmp.resolve("C").toString(), "--token", given).exit())
                    .as("the given token still joins").isZero();
        }
    }

    /**
     * A revoked token is replaced by joining again with a new one (no JSON to edit); another
     * host needs a leave first; leave keeps the files and the trash and drops the rest.
     */
    @Test
    void aRevokedTokenIsReplacedByJoiningAgainAndLeaveKeepsFilesAndTrash() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            var acc = host.store().accounts();
            var me = acc.addUser("me", false);
            var old = acc.issueToken(me, "laptop");
            String url = host.url("127.0.0.1");
            Path a = tmp.resolve("A");
            assertThat(ChunkCommandTest.run("join", url, a.toString(), "--token", old.secret()).exit()).isZero();
            Files.writeString(a.resolve("f.txt"), "one");
            assertThat(ChunkCommandTest.run("sync", a.toString(), "--once").exit()).isZero();
            Files.writeString(a.resolve("f.txt"), "two"); // the old version goes to the trash on the next download... or stays
            String own = net.saharasync.clientd.ClientConfig.load(a).token();
            acc.revoke(acc.authenticate(own).orElseThrow().token().id(), java.util.Optional.empty());

            ChunkCommandTest.Run refused = ChunkCommandTest.run("sync", a.toString(), "--once");
            assertThat(refused.exit()).isEqualTo(ExitCodes.REFUSED);
            String fresh = acc.issueToken(me, "laptop-2").secret();
            ChunkCommandTest.Run rejoin = ChunkCommandTest.run("join", url, a.toString(), "--token", fresh);
            assertThat(rejoin.exit()).as(rejoin.err()).isZero();
            assertThat(rejoin.out()).contains("now uses the new token", "as before");
            assertThat(ChunkCommandTest.run("sync", a.toString(), "--once").exit()).isZero();
            String now = net.saharasync.clientd.ClientConfig.load(a).token();
            assertThat(acc.authenticate(now)).as("a live token of the same user").hasValueSatisfying(p -> assertThat(p.user().name()).isEqualTo("me"));
            assertThat(Files.readString(a.resolve(".sahara/config.json"))).doesNotContain(fresh).doesNotContain(old.secret()).doesNotContain(own);
            assertThat(Files.getPosixFilePermissions(a.resolve(".sahara/config.json")))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

            ChunkCommandTest.Run elsewhere = ChunkCommandTest.run("join", "http://127.0.0.1:1", a.toString(), "--token", fresh);
            assertThat(elsewhere.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(elsewhere.err()).contains("already a synced folder, of " + url, "sahara leave");

            Files.createDirectories(a.resolve(".sahara/trash/2026-01-01T000000.000-1"));
            Files.writeString(a.resolve(".sahara/trash/2026-01-01T000000.000-1/kept.txt"), "a replaced file");
            ChunkCommandTest.Run leave = ChunkCommandTest.run("leave", a.toString());
            assertThat(leave.exit()).as(leave.err()).isZero();
            assertThat(leave.out()).contains("no longer syncs", "trash");
            assertThat(Files.readString(a.resolve("f.txt"))).isEqualTo("two");
            assertThat(Files.readString(a.resolve(".sahara/trash/2026-01-01T000000.000-1/kept.txt"))).isEqualTo("a replaced file");
            assertThat(a.resolve(".sahara/config.json")).doesNotExist();
            assertThat(a.resolve(".sahara/db")).doesNotExist();
            assertThat(ChunkCommandTest.run("status", a.toString()).err()).contains("not a synced folder");
            // And it can be joined again, to anything.
            assertThat(ChunkCommandTest.run("join", url, a.toString(), "--token", fresh).exit()).isZero();
            assertThat(ChunkCommandTest.run("sync", a.toString(), "--once").exit()).isZero();
        }
    }

    /** status --json for scripts: the state, the last finished sync's time; an error state exits 1 and keeps that time. */
    @Test
    void statusJsonAndAnErrorStateExitNonZero() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            String token = newUser(host);
            Path a = tmp.resolve("A");
            assertThat(ChunkCommandTest.run("join", host.url("127.0.0.1"), a.toString(), "--token", token).exit()).isZero();
            Files.writeString(a.resolve("x.txt"), "x");
            // The daemon's way of recording a finished sync.
            stopDaemon(startDaemon(a));

            ChunkCommandTest.Run ok = ChunkCommandTest.run("status", a.toString(), "--json");
            assertThat(ok.exit()).as(ok.err()).isZero();
            JsonNode j = new ObjectMapper().readTree(ok.out());
            assertThat(j.get("state").asText()).isEqualTo("idle");
            assertThat(j.get("commit").asText()).hasSize(64);
            assertThat(j.get("pending")).isEmpty();
            String lastSync = j.get("lastSync").asText();
            assertThat(lastSync).isNotEmpty();

            var prev = net.saharasync.clientd.Status.read(a).orElseThrow();
            new net.saharasync.clientd.Status("error", prev.updated(), prev.lastCycle(), "the host is out of space", System.currentTimeMillis()).write(a);
            ChunkCommandTest.Run err = ChunkCommandTest.run("status", a.toString(), "--json");
            assertThat(err.exit()).isEqualTo(ExitCodes.NOT_DONE);
            JsonNode e = new ObjectMapper().readTree(err.out());
            assertThat(e.get("state").asText()).isEqualTo("error");
            assertThat(e.get("lastError").asText()).isEqualTo("the host is out of space");
            assertThat(e.get("lastSync").asText()).isEqualTo(lastSync);
            assertThat(ChunkCommandTest.run("status", a.toString()).out()).contains("last sync " + lastSync).contains("last error the host is out of space");
        }
    }
}
