package net.saharasync.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashTest {
    @Test
    void sha256OfAbcMatchesTheFips180Vector() {
        assertThat(Hash.of("abc".getBytes(StandardCharsets.US_ASCII)).toHex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void hexAndRawFormsRoundTrip() {
        Hash h = Hash.of(new byte[] {1, 2, 3});
        assertThat(Hash.fromHex(h.toHex())).isEqualTo(h);
        assertThat(Hash.fromHex(h.toHex().toUpperCase())).isEqualTo(h);
        assertThat(Hash.fromBytes(h.toBytes())).isEqualTo(h).hasSameHashCodeAs(h);
        ByteBuffer buf = ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.position(3);
        h.writeTo(buf);
        assertThat(buf.position()).isEqualTo(35);
        assertThat(buf.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(Hash.read(buf.position(3))).isEqualTo(h);
        assertThat(buf.position()).isEqualTo(35);
    }

    @Test
    void orderingIsUnsignedByteOrderLikeLmdbKeys() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] a = new byte[32], b = new byte[32];
            r.nextBytes(a);
            System.arraycopy(a, 0, b, 0, 32);
            b[r.nextInt(32)] = (byte) r.nextInt(256); // often equal prefixes, differing late
            int expected = Integer.signum(Arrays.compareUnsigned(a, b));
            assertThat(Integer.signum(Hash.fromBytes(a).compareTo(Hash.fromBytes(b)))).isEqualTo(expected);
            assertThat(Hash.fromBytes(a).equals(Hash.fromBytes(b))).isEqualTo(expected == 0);
        }
    }

    @Test
    void hashOfBufferLeavesItsPositionAlone() {
        ByteBuffer b = ByteBuffer.wrap("hello world".getBytes(StandardCharsets.UTF_8));
        b.position(6);
        assertThat(Hash.of(b)).isEqualTo(Hash.of("world".getBytes(StandardCharsets.UTF_8)));
        assertThat(b.position()).isEqualTo(6);
    }

    @Test
    void malformedInputIsRejected() {
        assertThatThrownBy(() -> Hash.fromHex("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hash.fromHex("zz".repeat(32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hash.fromBytes(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hash.read(ByteBuffer.allocate(10))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixBitsAreTheLeadingBits() {
        byte[] raw = new byte[32];
        raw[0] = (byte) 0b1011_0000;
        Hash h = Hash.fromBytes(raw);
        assertThat(h.prefixBits(4)).isEqualTo(0b1011);
        assertThat(h.prefixBits(1)).isEqualTo(1);
    }
}
