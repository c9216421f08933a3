package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileTree;
import net.saharasync.merkle.TreeObject.FileChild;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostRoundTripTest {
    @TempDir
    Path data;
    HostFixture host;

    @BeforeEach
    void start() {
        host = new HostFixture(data);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Downloads a file's chunks and puts its bytes back together, checking every frame. */
    static byte[] download(TestClient c, LocalTree view, Entry file) {
        List<FileChild> chunks = FileTree.chunks(view.objects, file.file());
        List<Hash> hashes = chunks.stream().map(FileChild::hash).toList();
        TestClient.Reply r = c.fetch(hashes);
        assertThat(r.status()).as(new String(r.body())).isEqualTo(200);
        // Sized, not chunked: clients read the frames straight through.
        assertThat(r.declaredLength()).isEqualTo(r.body().length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<BlockFrames.Frame> frames = TestClient.readFrames(r.body());
        assertThat(frames).hasSize(hashes.size());
        for (int i = 0; i < frames.size(); i++) {
            BlockFrames.Frame f = frames.get(i);
            assertThat(f.hash()).isEqualTo(hashes.get(i));
            out.writeBytes(BlockCodec.decode(f.hash(), ByteBuffer.wrap(f.stored()), true));
        }
        return out.toByteArray();
    }

    @Test
    void uploadCommitAndDownloadRoundTripAndAnEditMovesOnlyItsPath() {
        TestClient alice = host.alice();
        String vol = alice.createVolume("docs");
        LocalTree local = new LocalTree();
        byte[] big = random(1, 1_500_000);
        Entry bigFile = local.file("big.bin", big);
        List<Entry> entries = new ArrayList<>(List.of(bigFile, local.file("empty", new byte[0]), local.file("note.txt", "hello".getBytes())));
        for (int i = 0; i < 300; i++) entries.add(local.file("f" + i, ("small " + i).getBytes()));
        DirRef root = local.dir(entries);
        Hash c1 = local.commit(root, List.of());

        TestClient.Reply r = local.push(alice, vol, root, c1, Optional.empty());
        assertThat(r.status()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.json().get("seq").asLong()).isEqualTo(1);
        assertThat(r.json().get("head").asText()).isEqualTo(c1.toHex());
        JsonNode head = alice.get("/v1/volumes/" + vol + "/head").json();
        assertThat(head.get("head").asText()).isEqualTo(c1.toHex());
        assertThat(head.get("seq").asLong()).isEqualTo(1);

        // Another client reads it all back, byte for byte.
        assertThat(download(alice, local, bigFile)).isEqualTo(big);
        assertThat(alice.missing(List.of(c1, root.root(), bigFile.content()))).isEmpty();

        // Overwrite a few bytes in the middle of the big file: only its changed chunk, its file
        // node(s), the root folder node(s) and the commit go up.
        byte[] edited = big.clone();
        edited[700_000] ^= 1;
        entries.set(0, local.file("big.bin", edited));
        DirRef root2 = local.dir(entries);
        Hash c2 = local.commit(root2, List.of(c1));
        List<Hash> up = local.toUpload(alice, root2, c2);
        assertThat(up).hasSizeLessThanOrEqualTo(1 + 2 + 2 * (root2.height() + 1) + 1).contains(c2);
        TestClient.Reply r2 = local.push(alice, vol, root2, c2, Optional.of(c1));
        assertThat(r2.status()).as(new String(r2.body())).isEqualTo(200);
        assertThat(r2.json().get("seq").asLong()).isEqualTo(2);
        assertThat(download(alice, local, entries.getFirst())).isEqualTo(edited);

        JsonNode hist = alice.get("/v1/volumes/" + vol + "/commits").json();
        assertThat(hist.get("commits")).hasSize(2);
        assertThat(hist.get("commits").get(0).get("commit").asText()).isEqualTo(c2.toHex());
        assertThat(hist.get("commits").get(1).get("commit").asText()).isEqualTo(c1.toHex());
        assertThat(hist.get("commits").get(0).get("user").asText()).isEqualTo("alice");
    }

    @Test
    void ofConcurrentCommitsOntoOneHeadExactlyOneWins() throws Exception {
        TestClient alice = host.alice();
        String vol = alice.createVolume("race");
        LocalTree local = new LocalTree();
        DirRef base = local.dir(List.of(local.file("a", "base".getBytes())));
        Hash c0 = local.commit(base, List.of());
        assertThat(local.push(alice, vol, base, c0, Optional.empty()).status()).isEqualTo(200);

        int n = 8;
        List<Hash> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DirRef root = local.dir(List.of(local.file("a", ("edit " + i).getBytes())));
            Hash c = local.commit(root, List.of(c0));
            assertThat(alice.upload(TestClient.frames(local.blocks, local.toUpload(alice, root, c))).status()).isEqualTo(200);
            candidates.add(c);
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<TestClient.Reply>> replies = new ArrayList<>();
        for (Hash c : candidates) {
            replies.add(pool.submit(() -> {
                go.await();
                return alice.commit(vol, c, Optional.of(c0));
            }));
        }
        go.countDown();
        List<TestClient.Reply> done = new ArrayList<>();
        for (Future<TestClient.Reply> f : replies) done.add(f.get());
        pool.shutdown();

        List<TestClient.Reply> won = done.stream().filter(r -> r.status() == 200).toList();
        assertThat(won).hasSize(1);
        String winner = won.getFirst().json().get("head").asText();
        for (TestClient.Reply r : done) {
            if (r.status() == 200) continue;
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.error()).isEqualTo("head_moved");
            assertThat(r.json().get("head").asText()).isEqualTo(winner);
            assertThat(r.json().get("seq").asLong()).isEqualTo(2);
        }
        assertThat(alice.get("/v1/volumes/" + vol + "/head").json().get("seq").asLong()).isEqualTo(2);
        assertThat(alice.get("/v1/volumes/" + vol + "/commits").json().get("commits")).hasSize(2);
    }

    @Test
    void aRestartKeepsEveryAcknowledgedCommit() {
        TestClient alice = host.alice();
        String vol = alice.createVolume("durable");
        LocalTree local = new LocalTree();
        Optional<Hash> prev = Optional.empty();
        List<Entry> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(local.file("f" + i, random(i, 100_000)));
            DirRef root = local.dir(files);
            Hash c = local.commit(root, prev.map(List::of).orElse(List.of()));
            assertThat(local.push(alice, vol, root, c, prev).status()).isEqualTo(200);
            prev = Optional.of(c);
        }
        host.restart();
        alice = host.alice();
        JsonNode head = alice.get("/v1/volumes/" + vol + "/head").json();
        assertThat(head.get("head").asText()).isEqualTo(prev.get().toHex());
        assertThat(head.get("seq").asLong()).isEqualTo(5);
        assertThat(alice.get("/v1/volumes/" + vol + "/commits?limit=2").json().get("next").asLong()).isEqualTo(4);
        assertThat(alice.get("/v1/volumes/" + vol + "/commits?before=4&limit=10").json().get("commits")).hasSize(3);
        for (int i = 0; i < 5; i++) assertThat(download(alice, local, files.get(i))).isEqualTo(random(i, 100_000));
        assertThat(host.server.store().blocks().verify().ok()).isTrue();
    }
}
