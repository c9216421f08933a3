package net.saharasync.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockFramesTest {
    private static byte[] twoFrames(Hash a, byte[] sa, Hash b, byte[] sb) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BlockFrames.write(out, a, sa);
        BlockFrames.write(out, b, sb);
        return out.toByteArray();
    }

    @Test
    void framesRoundTripAndTheBodyEndsCleanlyBetweenFrames() throws Exception {
        BlockCodec codec = new BlockCodec(1);
        byte[] x = BlockStoreContract.compressible(new Random(1), 10_000), y = new byte[0];
        byte[] sx = codec.encode(x).toBytes(), sy = codec.encode(y).toBytes();
        byte[] body = twoFrames(Hash.of(x), sx, Hash.of(y), sy);
        assertThat(body).hasSize(2 * BlockFrames.FRAME_HEADER + sx.length + sy.length);

        BlockFrames.Reader r = new BlockFrames.Reader(new ByteArrayInputStream(body));
        BlockFrames.Frame f1 = r.next().orElseThrow(), f2 = r.next().orElseThrow();
        assertThat(f1.hash()).isEqualTo(Hash.of(x));
        assertThat(f1.stored()).isEqualTo(sx);
        assertThat(f2.hash()).isEqualTo(Hash.of(y));
        assertThat(r.next()).isEmpty();
    }

    @Test
    void aBodyCutAnywhereInsideAFrameIsRejected() throws Exception {
        byte[] data = {1, 2, 3};
        byte[] stored = new BlockCodec(1).encode(data).toBytes();
        byte[] body = twoFrames(Hash.of(data), stored, Hash.of(data), stored);
        int frame = BlockFrames.FRAME_HEADER + stored.length;
        for (int cut = 1; cut < body.length; cut++) {
            if (cut == frame) continue;
            BlockFrames.Reader r = new BlockFrames.Reader(new ByteArrayInputStream(Arrays.copyOf(body, cut)));
            assertThatThrownBy(() -> {
                while (r.next().isPresent()) {}
            }).as("cut at %d", cut).isInstanceOf(BlockFrames.MalformedFrameException.class).hasMessageContaining("ends inside");
        }
    }

    @Test
    void absurdLengthsAreRejectedBeforeAllocating() {
        byte[] head = new byte[BlockFrames.FRAME_HEADER];
        ByteBuffer.wrap(head).position(Hash.BYTES).putInt(-1);
        assertThatThrownBy(() -> new BlockFrames.Reader(new ByteArrayInputStream(head)).next())
                .isInstanceOf(BlockFrames.MalformedFrameException.class).hasMessageContaining("4294967295");
        ByteBuffer.wrap(head).position(Hash.BYTES).putInt(3);
        assertThatThrownBy(() -> new BlockFrames.Reader(new ByteArrayInputStream(head)).next())
                .isInstanceOf(BlockFrames.MalformedFrameException.class);
    }
}
