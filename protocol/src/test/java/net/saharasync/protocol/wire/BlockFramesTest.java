package net.saharasync.protocol.wire;

import net.saharasync.blockstore.*;

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

    @Test
    void framesPackIntoAnArenaWhileTheyFitAndStayValidUntilReleased() throws Exception {
        BlockCodec codec = new BlockCodec(1);
        Random r = new Random(2);
        byte[][] data = new byte[5][];
        byte[][] stored = new byte[5][];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            data[i] = new byte[1000 + 500 * i];
            r.nextBytes(data[i]);
            stored[i] = codec.encode(data[i]).toBytes();
            BlockFrames.write(out, Hash.of(data[i]), stored[i]);
        }
        // Room for the first three only: the fourth and fifth get arrays of their own.
        byte[] arena = new byte[stored[0].length + stored[1].length + stored[2].length + 10];
        BlockFrames.Reader reader = new BlockFrames.Reader(new ByteArrayInputStream(out.toByteArray()), arena);
        java.util.List<BlockFrames.Frame> kept = new java.util.ArrayList<>();
        for (var f = reader.next(); f.isPresent(); f = reader.next()) kept.add(f.get());
        assertThat(kept).hasSize(5);
        for (int i = 0; i < 5; i++) {
            BlockFrames.Frame f = kept.get(i);
            assertThat(f.array() == arena).as("frame %d in the arena", i).isEqualTo(i < 3);
            assertThat(f.stored()).isEqualTo(stored[i]);
            assertThat(f.isDelta()).isFalse();
            // Checked where it lies, and the form refers to those bytes.
            BlockCodec.StoredForm form = BlockCodec.StoredForm.verified(f.hash(), f.array(), f.offset(), f.length());
            assertThat(form.toBytes()).isEqualTo(stored[i]);
            assertThat(BlockCodec.decode(f.hash(), ByteBuffer.wrap(form.toBytes()), true)).isEqualTo(data[i]);
        }
        // A form that does not hash to its claim is refused from a slice too.
        BlockFrames.Frame first = kept.getFirst();
        assertThatThrownBy(() -> BlockCodec.StoredForm.verified(kept.get(1).hash(), first.array(), first.offset(), first.length()))
                .isInstanceOf(CorruptBlockException.class);

        // Released after each frame (a streaming reader): every frame starts at the arena's start.
        BlockFrames.Reader streaming = new BlockFrames.Reader(new ByteArrayInputStream(out.toByteArray()), new byte[stored[4].length]);
        for (int i = 0; i < 5; i++) {
            BlockFrames.Frame f = streaming.next().orElseThrow();
            assertThat(f.offset()).isZero();
            ByteBuffer view = BlockCodec.decodeView(f.hash(), f.array(), f.offset(), f.length());
            byte[] got = new byte[view.remaining()];
            view.get(got);
            assertThat(got).isEqualTo(data[i]);
            streaming.release();
        }
        assertThat(streaming.next()).isEmpty();
    }
}
