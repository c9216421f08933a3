package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed, hostile and oversized requests: each gets its documented error and changes nothing. */
class HostBadInputTest {
    @TempDir
    Path data;
    HostFixture host;
    TestClient alice;
    String vol;
    LocalTree local = new LocalTree();
    Hash c1;

    @BeforeEach
    void start() {
        host = new HostFixture(HostConfig.loopback(data, 0)
                .withLimits(HostConfig.Limits.DEFAULT.withMaxBatchBytes(1 << 20).withReadTimeoutMillis(700)));
        alice = host.alice();
        vol = alice.createVolume("v");
        DirRef root = local.dir(List.of(local.file("a.txt", "first".getBytes())));
        c1 = local.commit(root, List.of());
        assertThat(local.push(alice, vol, root, c1, Optional.empty()).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private Map<String, Long> census() {
        return host.server.store().census();
    }

    private void assertRefused(TestClient.Reply r, int status, String code) {
        assertThat(r.status()).as(new String(r.body())).isEqualTo(status);
        assertThat(r.error()).isEqualTo(code);
        assertThat(r.json().get("message").asText()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[]", "null", "{\"commit\": 5}", "{\"commit\": \"zz\"}", "{\"commit\": \"ABC\"}",
            "{\"commit\": \"00\", \"extra\": 1}", "not json at all", "{\"expected\": null}"})
    void malformedCommitRequestsAre400AndChangeNothing(String body) {
        Map<String, Long> before = census();
        assertRefused(alice.postJson("/v1/volumes/" + vol + "/commits", body), 400, "bad_request");
        assertThat(census()).isEqualTo(before);
    }

    @Test
    void malformedVolumeAndGrantRequestsAre400() {
        assertRefused(alice.postJson("/v1/volumes", "{\"name\": \"\"}"), 400, "bad_request");
        assertRefused(alice.postJson("/v1/volumes", "{\"name\": \"x\", \"chunking\": {\"min\": 100, \"avg\": 100, \"max\": 50}}"), 400, "bad_request");
        assertRefused(alice.putJson("/v1/volumes/" + vol + "/grants/bob", Map.of("access", "root")), 400, "bad_request");
        assertRefused(alice.putJson("/v1/volumes/" + vol + "/grants/nobody", Map.of("access", "read")), 404, "not_found");
        assertRefused(alice.get("/v1/volumes/not-an-id/head"), 404, "not_found");
        assertRefused(alice.get("/v1/nothing-here"), 404, "not_found");
        assertRefused(alice.send(alice.request("/v1/volumes/" + vol + "/head").DELETE().build()), 405, "method_not_allowed");
        assertRefused(alice.get("/v1/volumes/" + vol + "/commits?limit=0"), 400, "bad_request");
        assertRefused(alice.post("/v1/blocks/missing", "application/octet-stream", new byte[33]), 400, "bad_request");
    }

    @Test
    void aBatchWithOneWrongHashIsRefusedWholeAndStoresNothing() {
        BlockCodec codec = new BlockCodec(1);
        byte[] good = "good block".getBytes(), other = "other block".getBytes();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            BlockFrames.write(body, Hash.of(good), codec.encode(good).toBytes());
            BlockFrames.write(body, Hash.of(good), codec.encode(other).toBytes()); // filed under the wrong hash
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Map<String, Long> before = census();
        TestClient.Reply r = alice.upload(body.toByteArray());
        assertRefused(r, 400, "hash_mismatch");
        assertThat(r.json().get("hash").asText()).isEqualTo(Hash.of(good).toHex());
        assertThat(census()).isEqualTo(before);
        assertThat(alice.missing(List.of(Hash.of(good)))).hasSize(1);

        // A damaged stored form (bad CRC) is refused the same way.
        byte[] stored = codec.encode(good).toBytes();
        stored[stored.length - 1] ^= 1;
        ByteArrayOutputStream body2 = new ByteArrayOutputStream();
        try {
            BlockFrames.write(body2, Hash.of(good), stored);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertRefused(alice.upload(body2.toByteArray()), 400, "hash_mismatch");
        assertThat(census()).isEqualTo(before);
    }

    @Test
    void truncatedAndOversizedBodiesAreRefusedAndStoreNothing() {
        BlockCodec codec = new BlockCodec(1);
        byte[] a = "a block".getBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BlockFrames.write(out, Hash.of(a), codec.encode(a).toBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        byte[] frame = out.toByteArray();
        Map<String, Long> before = census();
        for (int cut : new int[] {1, 20, BlockFrames.FRAME_HEADER, frame.length - 1}) {
            assertRefused(alice.upload(Arrays.copyOf(frame, cut)), 400, "malformed_frame");
        }
        // Over the 1 MiB batch limit of this host.
        Block big = Block.of(HostRoundTripTest.random(9, (1 << 20) + 100));
        ByteArrayOutputStream bigBody = new ByteArrayOutputStream();
        try {
            BlockFrames.write(bigBody, big.hash(), codec.encode(big.data()).toBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertRefused(alice.postAskingFirst("/v1/blocks", "application/x-sahara-blocks", bigBody.toByteArray()), 413, "payload_too_large");
        assertRefused(alice.postAskingFirst("/v1/volumes", "application/json",
                ("{\"name\": \"" + "x".repeat(2 << 20) + "\"}").getBytes()), 413, "payload_too_large");
        assertRefused(alice.postAskingFirst("/v1/blocks/missing", "application/octet-stream", new byte[((1 << 20) + 1) * 32]), 413, "payload_too_large");
        assertThat(census()).isEqualTo(before);
    }

    /** A directory leaf with one entry called {@code name}, encoded by hand (the library refuses to build one). */
    static byte[] leafNamed(byte[] name, Hash content, long size) {
        ByteBuffer b = ByteBuffer.allocate(100 + name.length);
        b.put((byte) 1).put((byte) 2).put((byte) 1).put((byte) name.length).put(name)
                .put((byte) 1).put((byte) 0).putLong(1).put((byte) size).put((byte) 0);
        content.writeTo(b);
        return Arrays.copyOf(b.array(), b.position());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a/b", "nul\0", "", "/etc", "e\u0301"})
    void hostileNamesInTreesAre400AndTheHeadDoesNotMove(String name) {
        Hash content = Hash.of("x".getBytes());
        byte[] leaf = leafNamed(name.getBytes(StandardCharsets.UTF_8), content, 1);
        Block leafBlock = Block.of(leaf);
        Block chunk = Block.of("x".getBytes());
        net.saharasync.blockstore.InMemoryBlockStore mine = new net.saharasync.blockstore.InMemoryBlockStore();
        mine.putAll(List.of(leafBlock, chunk));
        Block commitBlock = Block.of(new net.saharasync.merkle.Commit(new DirRef(leafBlock.hash(), 0), List.of(c1), "d", 1).encode());
        Hash commit = commitBlock.hash();
        mine.putAll(List.of(commitBlock));
        assertThat(alice.upload(TestClient.frames(mine, List.of(leafBlock.hash(), chunk.hash(), commit))).status()).isEqualTo(200);

        Map<String, Long> before = census();
        TestClient.Reply r = alice.commit(vol, commit, Optional.of(c1));
        assertRefused(r, 400, "invalid_tree");
        assertThat(census()).isEqualTo(before);
        assertThat(alice.get("/v1/volumes/" + vol + "/head").json().get("head").asText()).isEqualTo(c1.toHex());
    }

    @Test
    void commitsThatAreNotCommitsOrSkipTheHeadAre400() {
        Entry a = local.file("b.txt", "second".getBytes());
        DirRef root = local.dir(List.of(a));
        // Not listing the expected head as a parent.
        Hash orphan = local.commit(root, List.of());
        local.push(alice, vol, root, orphan, Optional.empty());
        Map<String, Long> before = census();
        assertRefused(alice.commit(vol, orphan, Optional.of(c1)), 400, "bad_parent");
        assertThat(census()).isEqualTo(before);
        // A parent that is no commit of this volume.
        Hash stranger = local.commit(root, List.of(a.content()));
        alice.upload(TestClient.frames(local.blocks, List.of(stranger)));
        Map<String, Long> withStranger = census();
        assertRefused(alice.commit(vol, stranger, Optional.empty()), 400, "bad_parent");
        assertThat(census()).isEqualTo(withStranger);
        Hash badParent = local.commit(root, List.of(c1, a.content()));
        alice.upload(TestClient.frames(local.blocks, List.of(badParent)));
        Map<String, Long> withBad = census();
        assertRefused(alice.commit(vol, badParent, Optional.of(c1)), 400, "bad_parent");
        assertThat(census()).isEqualTo(withBad);
        // A "commit" that is a chunk.
        assertRefused(alice.commit(vol, a.content(), Optional.of(c1)), 400, "invalid_tree");
        assertThat(census()).isEqualTo(withBad);
    }

    @Test
    void aStalledUploadTimesOutAndStoresNothing() throws Exception {
        Map<String, Long> before = census();
        try (Socket s = new Socket("127.0.0.1", host.server.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/blocks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + host.aliceToken
                    + "\r\nContent-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            byte[] reply = in.readAllBytes(); // the host answers (or just closes) once the read times out
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited).isLessThan(10_000);
            String text = new String(reply, StandardCharsets.US_ASCII);
            assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 4")).as(text).isTrue();
        }
        assertThat(census()).isEqualTo(before);
        assertThat(alice.get("/v1/health").status()).isEqualTo(200);
    }
}
