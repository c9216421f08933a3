package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.protocol.wire.BlockDelta;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changed blocks travel as deltas against blocks both sides know, both ways; bases follow the same access rules as blocks. */
class HostDeltaTest {
    @TempDir
    Path data;
    HostFixture host;
    TestClient alice;
    byte[] old;
    Hash oldHash;

    @BeforeEach
    void start() {
        host = new HostFixture(data);
        alice = host.alice();
        String vol = alice.createVolume("v");
        LocalTree local = new LocalTree();
        old = new byte[60_000];
        new Random(1).nextBytes(old);
        Entry f = local.file("f", old);
        oldHash = f.content();
        DirRef root = local.dir(List.of(f));
        assertThat(local.push(alice, vol, root, local.commit(root, List.of()), Optional.empty()).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private static byte[] frame(Hash h, byte[] form) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BlockFrames.write(out, h, form);
        return out.toByteArray();
    }

    @Test
    void aClientWithoutTheOldBlockUploadsCopyInstructionsAgainstItsSignature() throws Exception {
        byte[] edited = old.clone();
        edited[30_000] ^= 1;
        TestClient.Reply sig = alice.post("/v1/blocks/signatures", "application/octet-stream", TestClient.hashList(List.of(oldHash)));
        assertThat(sig.status()).isEqualTo(200);
        ByteBuffer b = ByteBuffer.wrap(sig.body());
        byte[] signature = new byte[b.getInt()];
        b.get(signature);
        assertThat(signature).isEqualTo(BlockDelta.signature(old));

        byte[] form = BlockDelta.copy(oldHash, signature, edited);
        assertThat(form.length).isLessThan(3_000);
        TestClient.Reply up = alice.upload(frame(Hash.of(edited), form));
        assertThat(up.status()).as(new String(up.body())).isEqualTo(200);
        assertThat(host.server.store().blocks().get(Hash.of(edited), true)).contains(edited);

        // Instructions that rebuild other bytes are refused like any wrong hash.
        byte[] lie = BlockDelta.copy(oldHash, signature, edited);
        TestClient.Reply bad = alice.upload(frame(Hash.of(new byte[] {9}), lie));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("hash_mismatch");
    }

    @Test
    void downloadsComeAsPatchesAgainstABaseTheClientHasAndRebuildExactly() throws Exception {
        byte[] edited = old.clone();
        edited[100] ^= 1;
        Hash eh = Hash.of(edited);
        assertThat(alice.upload(frame(eh, new BlockCodec(1).encode(edited).toBytes())).status()).isEqualTo(200);
        ByteBuffer pairs = ByteBuffer.allocate(64);
        eh.writeTo(pairs);
        oldHash.writeTo(pairs);
        TestClient.Reply r = alice.post("/v1/blocks/fetch-delta", "application/octet-stream", pairs.array());
        assertThat(r.status()).isEqualTo(200);
        BlockFrames.Frame f = TestClient.readFrames(r.body()).getFirst();
        assertThat(BlockDelta.isDelta(f.stored())).isTrue();
        assertThat(f.stored().length).isLessThan(500);
        assertThat(BlockDelta.resolve(eh, f.stored(), h -> h.equals(oldHash) ? Optional.of(old) : Optional.empty())).isEqualTo(edited);
    }

    @Test
    void anotherUsersBlockIsNeitherABaseNorASignature() throws Exception {
        TestClient bob = host.bob();
        TestClient.Reply sig = bob.post("/v1/blocks/signatures", "application/octet-stream", TestClient.hashList(List.of(oldHash)));
        assertThat(sig.status()).isEqualTo(404);
        byte[] edited = old.clone();
        edited[7] ^= 1;
        byte[] form = BlockDelta.copy(oldHash, BlockDelta.signature(old), edited);
        TestClient.Reply up = bob.upload(frame(Hash.of(edited), form));
        assertThat(up.status()).isEqualTo(400);
        assertThat(up.error()).isEqualTo("hash_mismatch");
        assertThat(up.json().get("message").asText()).contains("not available");
        assertThat(host.server.store().blocks().has(Hash.of(edited))).isFalse();
        // As a base for a download, it is ignored: bob gets his own block whole.
        byte[] mine = new byte[5_000];
        new Random(3).nextBytes(mine);
        assertThat(bob.upload(frame(Hash.of(mine), new BlockCodec(1).encode(mine).toBytes())).status()).isEqualTo(200);
        ByteBuffer pairs = ByteBuffer.allocate(64);
        Hash.of(mine).writeTo(pairs);
        oldHash.writeTo(pairs);
        TestClient.Reply r = bob.post("/v1/blocks/fetch-delta", "application/octet-stream", pairs.array());
        assertThat(r.status()).isEqualTo(200);
        assertThat(BlockDelta.isDelta(TestClient.readFrames(r.body()).getFirst().stored())).isFalse();
    }
}
