package net.saharasync.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockCodecTest {
    private final BlockCodec codec = new BlockCodec(1);

    @Test
    void compressibleDataIsStoredAsZstdAndRandomDataRaw() {
        byte[] text = "the same sentence again and again. ".repeat(2000).getBytes();
        byte[] stored = codec.encode(text).toBytes();
        assertThat(stored[0]).isEqualTo(BlockCodec.ZSTD);
        assertThat(stored.length).isLessThan(text.length / 10);
        assertThat(BlockCodec.decode(Hash.of(text), ByteBuffer.wrap(stored), true)).isEqualTo(text);

        byte[] random = new byte[65536];
        new Random(1).nextBytes(random);
        byte[] raw = codec.encode(random).toBytes();
        assertThat(raw[0]).isEqualTo(BlockCodec.RAW);
        assertThat(raw.length).isEqualTo(random.length + BlockCodec.HEADER);
        assertThat(BlockCodec.rawLength(ByteBuffer.wrap(raw))).isEqualTo(65536);
        assertThat(BlockCodec.decode(Hash.of(random), ByteBuffer.wrap(raw), true)).isEqualTo(random);
    }

    /** A slice of a bigger array (an upload's arena) encodes exactly as the same bytes alone; a raw form points into the array. */
    @Test
    void aSliceEncodesLikeTheSameBytesAlone() {
        byte[] random = new byte[70_000];
        new Random(3).nextBytes(random);
        byte[] text = "slices of text, slices of text. ".repeat(900).getBytes();
        byte[] arena = new byte[100 + random.length + text.length + 50];
        System.arraycopy(random, 0, arena, 100, random.length);
        System.arraycopy(text, 0, arena, 100 + random.length, text.length);
        BlockCodec.StoredForm r = codec.encode(arena, 100, random.length);
        BlockCodec.StoredForm t = codec.encode(arena, 100 + random.length, text.length);
        assertThat(r.toBytes()).isEqualTo(codec.encode(random).toBytes());
        assertThat(t.toBytes()).isEqualTo(codec.encode(text).toBytes());
        assertThat(BlockCodec.decode(Hash.of(random), ByteBuffer.wrap(r.toBytes()), true)).isEqualTo(random);
        assertThat(BlockCodec.decode(Hash.of(text), ByteBuffer.wrap(t.toBytes()), true)).isEqualTo(text);
        ByteBuffer payload = r.buffers()[1];
        assertThat(payload.hasArray() && payload.array() == arena).isTrue();
        assertThatThrownBy(() -> codec.encode(arena, arena.length - 10, 11)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** A raw form is handed out as a view of the received bytes, still checked against its CRC and hash. */
    @Test
    void aRawFormDecodesToAViewAndIsStillChecked() {
        byte[] random = new byte[50_000];
        new Random(4).nextBytes(random);
        byte[] stored = codec.encode(random).toBytes();
        ByteBuffer view = BlockCodec.decodeView(Hash.of(random), stored);
        assertThat(view.array()).isSameAs(stored);
        byte[] got = new byte[view.remaining()];
        view.get(got);
        assertThat(got).isEqualTo(random);
        byte[] text = "a view of text, a view of text ".repeat(500).getBytes();
        ByteBuffer decoded = BlockCodec.decodeView(Hash.of(text), codec.encode(text).toBytes());
        assertThat(Arrays.copyOfRange(decoded.array(), decoded.position(), decoded.limit())).isEqualTo(text);
        assertThatThrownBy(() -> BlockCodec.decodeView(Hash.of(text), stored))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("content hashes to");
        byte[] flipped = stored.clone();
        flipped[flipped.length / 2] ^= 4;
        assertThatThrownBy(() -> BlockCodec.decodeView(Hash.of(random), flipped)).isInstanceOf(CorruptBlockException.class);
        assertThatThrownBy(() -> BlockCodec.decodeView(Hash.of(random), new byte[0])).isInstanceOf(CorruptBlockException.class);
    }

    @Test
    void decodesFromDirectBuffersAtAnOffset() {
        byte[] text = "abcabcabcabc".repeat(500).getBytes();
        byte[] stored = codec.encode(text).toBytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(stored.length + 7);
        direct.position(7);
        direct.put(stored).position(7);
        assertThat(BlockCodec.decode(Hash.of(text), direct, true)).isEqualTo(text);
        assertThat(direct.position()).isEqualTo(7);
    }

    @Test
    void everyFlippedBitIsDetectedWithoutHashVerification() {
        byte[] data = "some data that compresses somewhat, somewhat, somewhat".repeat(20).getBytes();
        Hash h = Hash.of(data);
        byte[] stored = codec.encode(data).toBytes();
        for (int i = 0; i < stored.length; i++) {
            byte[] bad = stored.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            assertThatThrownBy(() -> BlockCodec.decode(h, ByteBuffer.wrap(bad), false))
                    .as("flip at byte %d", i)
                    .isInstanceOf(CorruptBlockException.class)
                    .hasMessageContaining(h.toHex());
        }
    }

    @Test
    void malformedValuesAreReportedAsCorrupt() {
        Hash h = Hash.of(new byte[0]);
        assertThatThrownBy(() -> BlockCodec.decode(h, ByteBuffer.wrap(new byte[4]), false))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("shorter than its header");
        byte[] stored = codec.encode(new byte[] {1, 2, 3}).toBytes();
        byte[] truncated = Arrays.copyOf(stored, stored.length - 1);
        assertThatThrownBy(() -> BlockCodec.decode(h, ByteBuffer.wrap(truncated), false))
                .isInstanceOf(CorruptBlockException.class);
        byte[] hugeLength = stored.clone();
        ByteBuffer.wrap(hugeLength).putInt(1, Integer.MAX_VALUE);
        assertThatThrownBy(() -> BlockCodec.decode(h, ByteBuffer.wrap(hugeLength), false))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("out of range");
    }

    @Test
    void wrongAddressIsCaughtOnlyWhenVerifying() {
        byte[] data = {9, 9, 9};
        Hash wrong = Hash.of(new byte[] {1});
        ByteBuffer stored = ByteBuffer.wrap(codec.encode(data).toBytes());
        assertThat(BlockCodec.decode(wrong, stored, false)).isEqualTo(data);
        assertThatThrownBy(() -> BlockCodec.decode(wrong, stored, true))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("hashes to " + Hash.of(data).toHex());
    }
}
