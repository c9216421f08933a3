package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharing as two users type it: an unsolicited share never becomes what {@code join} picks,
 * accepting makes it joinable, an ambiguous name is refused, unshare takes it away.
 */
class VolumeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aShareReachesJoinOnlyOnceAcceptedAndAnAmbiguousNameIsRefused() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            var acc = host.store().accounts();
            String alice = acc.issueToken(acc.addUser("alice", false), "a").secret();
            String bob = acc.issueToken(acc.addUser("bob", false), "b").secret();
            String url = host.url("127.0.0.1");
            Path aliceDir = tmp.resolve("alice"), bobDir = tmp.resolve("bob");

            ChunkCommandTest.Run ja = ChunkCommandTest.run("join", url, aliceDir.toString(), "--token", alice, "--volume", "default");
            assertThat(ja.exit()).as(ja.err()).isZero();
            assertThat(ja.out()).contains("a new volume 'default'");
            Files.writeString(aliceDir.resolve("alice.txt"), "alice's");
            assertThat(ChunkCommandTest.run("sync", aliceDir.toString(), "--once").exit()).isZero();

            // Alice shares her "default" with Bob, who never asked for it.
            ChunkCommandTest.Run share = ChunkCommandTest.run("volume", "share", "bob", "--write", "--folder", aliceDir.toString());
            assertThat(share.exit()).as(share.err()).isZero();
            assertThat(share.out()).contains("invited bob").contains("once they accept");
            ChunkCommandTest.Run list = ChunkCommandTest.run("volume", "list", "--host", url, "--token", bob);
            assertThat(list.out()).contains("no volumes yet").contains("invitations").contains("from alice");

            // Bob's join by name makes his own volume: Alice's invitation is not a candidate.
            Files.createDirectories(bobDir);
            Files.writeString(bobDir.resolve("private.txt"), "bob's only");
            ChunkCommandTest.Run jb = ChunkCommandTest.run("join", url, bobDir.toString(), "--token", bob, "--volume", "default");
            assertThat(jb.exit()).as(jb.err()).isZero();
            assertThat(jb.out()).contains("a new volume 'default'").contains("yours");
            assertThat(ChunkCommandTest.run("sync", bobDir.toString(), "--once").exit()).isZero();
            assertThat(Files.exists(bobDir.resolve("alice.txt"))).isFalse();

            // Accepted, it is listed, and now "default" names two volumes: join refuses to guess.
            ChunkCommandTest.Run accept = ChunkCommandTest.run("volume", "accept", "default", "--host", url, "--token", bob);
            assertThat(accept.exit()).as(accept.err()).isZero();
            assertThat(accept.out()).contains("accepted 'default'").contains("of alice").contains("write");
            ChunkCommandTest.Run again = ChunkCommandTest.run("join", url, tmp.resolve("bob2").toString(), "--token", bob, "--volume", "default");
            assertThat(again.exit()).isNotZero();
            assertThat(again.err()).contains("matches 2 volumes").contains("owner alice");
            assertThat(Files.exists(tmp.resolve("bob2/.sahara/config.json"))).isFalse();

            // By id it joins Alice's and says whose it is and what it holds.
            String aliceVolume = net.saharasync.clientd.ClientConfig.load(aliceDir).volume();
            ChunkCommandTest.Run byId = ChunkCommandTest.run("join", url, tmp.resolve("bob2").toString(), "--token", bob, "--volume", aliceVolume);
            assertThat(byId.exit()).as(byId.err()).isZero();
            assertThat(byId.out()).contains("the existing volume 'default' (" + aliceVolume + "), alice's").contains("holding 1 file");

            ChunkCommandTest.Run members = ChunkCommandTest.run("volume", "members", "--folder", aliceDir.toString());
            assertThat(members.out()).containsPattern("alice\\s+owner").containsPattern("bob\\s+write\\s+accepted");

            // Unshared, it leaves Bob's list; leaving his own volume is refused.
            assertThat(ChunkCommandTest.run("volume", "unshare", "bob", "--folder", aliceDir.toString()).exit()).isZero();
            assertThat(ChunkCommandTest.run("volume", "list", "--host", url, "--token", bob).out()).doesNotContain(aliceVolume);
            ChunkCommandTest.Run leaveOwn = ChunkCommandTest.run("volume", "decline", "default", "--folder", bobDir.toString());
            assertThat(leaveOwn.exit()).isNotZero();
            assertThat(leaveOwn.err()).contains("your own volume");

            // Declining an invitation removes it.
            assertThat(ChunkCommandTest.run("volume", "share", "bob", "--read", "--folder", aliceDir.toString()).exit()).isZero();
            ChunkCommandTest.Run decline = ChunkCommandTest.run("volume", "decline", aliceVolume, "--folder", bobDir.toString());
            assertThat(decline.exit()).as(decline.err()).isZero();
            assertThat(decline.out()).contains("declined");
            assertThat(ChunkCommandTest.run("volume", "list", "--folder", bobDir.toString()).out()).doesNotContain("invitations");

            // A pin without TLS is refused before anything is sent.
            ChunkCommandTest.Run clear = ChunkCommandTest.run("volume", "list", "--host", url, "--token", bob, "--fingerprint", "ab:cd");
            assertThat(clear.exit()).isNotZero();
            assertThat(clear.err()).contains("not https://");
        }
    }
}
