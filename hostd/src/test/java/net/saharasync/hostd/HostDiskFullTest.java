package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.Hash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose disk fills up answers {@code 507 insufficient_storage} (not {@code 500
 * internal}), stores nothing of the refused request, keeps serving what it has, and takes the
 * same upload once there is room. On a real full file system: a small tmpfs, mounted for the
 * test (needs root, as CI runs; skipped otherwise).
 */
class HostDiskFullTest {
    @TempDir
    Path tmp;
    Path mount;
    SmallDisk disk;

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("small"), "24m").orElse(null);
        assumeTrue(disk != null, "needs to mount a tmpfs (root)");
        mount = disk.path();
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) disk.close();
    }

    private static byte[] batch(long seed, int blocks) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        BlockCodec codec = new BlockCodec(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < blocks; i++) {
            byte[] b = new byte[256 << 10];
            r.nextBytes(b);
            BlockFrames.write(out, Hash.of(b), codec.encode(b).toBytes());
        }
        return out.toByteArray();
    }

    @Test
    void aFullDiskIs507AndNothingIsLostOrStoredAndTheSameUploadGoesThroughOnceThereIsRoom() throws Exception {
        // Leave ~6 MiB free after the host's first start.
        Path filler = mount.resolve("filler");
        try (HostFixture host = new HostFixture(mount.resolve("host"))) {
            TestClient alice = host.alice();
            String vol = alice.createVolume("docs");
            byte[] before = batch(1, 4);
            assertThat(alice.upload(before).status()).isEqualTo(200);
            long free = Files.getFileStore(mount).getUsableSpace();
            Files.write(filler, new byte[(int) Math.max(0, free - (6 << 20))]);

            byte[] big = batch(2, 40); // 10 MiB: does not fit
            TestClient.Reply full = alice.upload(big);
            assertThat(full.status()).isEqualTo(507);
            assertThat(full.error()).isEqualTo("insufficient_storage");
            assertThat(full.json().get("message").asText()).contains("out of disk space");
            // Nothing of it is stored; what was stored before still is, and the host still answers.
            List<Hash> bigHashes = hashesOf(big);
            assertThat(alice.missing(bigHashes)).containsExactlyInAnyOrderElementsOf(bigHashes);
            assertThat(alice.missing(hashesOf(before))).isEmpty();
            assertThat(alice.get("/v1/volumes/" + vol + "/head").status()).isEqualTo(200);
            TestClient.Reply fetched = alice.fetch(hashesOf(before));
            assertThat(fetched.status()).isEqualTo(200);

            Files.delete(filler);
            assertThat(alice.upload(big).status()).isEqualTo(200);
            assertThat(alice.missing(bigHashes)).isEmpty();
        }
    }

    private static List<Hash> hashesOf(byte[] frames) throws Exception {
        java.util.ArrayList<Hash> out = new java.util.ArrayList<>();
        BlockFrames.Reader r = new BlockFrames.Reader(new java.io.ByteArrayInputStream(frames), new byte[1 << 20]);
        for (var f = r.next(); f.isPresent(); f = r.next()) out.add(f.get().hash());
        return out;
    }
}
