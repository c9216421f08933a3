package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import net.saharasync.hostd.SmallDisk;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import net.saharasync.hostd.store.AccountStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client whose disk is full writes what fits, says what does not (how much it needs, how
 * much is free, where), downloads nothing it cannot write (not the same bytes on every
 * retry), and writes the rest once there is room. Machine B's folder is on a small tmpfs.
 */
class ClientDiskFullTest {
    @TempDir
    Path tmp;
    Path small;
    SmallDisk disk;

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("small"), "16m").orElse(null);
        assumeTrue(disk != null, "needs to mount a tmpfs (root)");
        small = disk.path();
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) disk.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void whatFitsIsWrittenTheRestIsReportedNotDownloadedAgainAndWrittenOnceThereIsRoom() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0))) {
            AccountStore acc = host.store().accounts();
            String token = acc.issueToken(acc.addUser("me", false), "test").secret();
            String url = host.url("127.0.0.1");
            Path a = tmp.resolve("A"), b = small.resolve("B");
            Join.join(url, token, a, "docs", "A", Optional.empty());
            Join.join(url, token, b, "docs", "B", Optional.empty());
            byte[] big = random(30 << 20, 1);
            Files.write(a.resolve("big.iso"), big);
            Files.writeString(a.resolve("notes.txt"), "small enough");
            try (SyncEngine ea = SyncEngine.open(a)) {
                assertThat(ea.cycle().agreed()).isTrue();
            }
            try (SyncEngine eb = SyncEngine.open(b)) {
                CycleReport r = eb.cycle();
                assertThat(Files.readString(b.resolve("notes.txt"))).isEqualTo("small enough");
                assertThat(b.resolve("big.iso")).doesNotExist();
                assertThat(r.unsyncable()).singleElement().satisfies(u -> assertThat(u)
                        .startsWith("'big.iso': cannot write: not enough space").contains("needs 31.5 MB").contains("free").contains(small.toString()));
                assertThat(r.bytesReceived()).as("the file that cannot fit is not downloaded").isLessThan(2 << 20);
                CycleReport again = eb.cycle();
                assertThat(again.unsyncable()).hasSize(1);
                assertThat(again.bytesReceived()).as("nor on the retry").isLessThan(1 << 20);

                assertThat(disk.resize("96m")).isTrue();
                CycleReport room = eb.cycle();
                assertThat(room.unsyncable()).isEmpty();
                assertThat(room.agreed()).isTrue();
                assertThat(Files.readAllBytes(b.resolve("big.iso"))).isEqualTo(big);
            }
        }
    }
}
