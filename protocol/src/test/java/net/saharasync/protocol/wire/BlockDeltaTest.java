package net.saharasync.protocol.wire;

import net.saharasync.blockstore.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockDeltaTest {
    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] insert(byte[] d, int at, byte[] what) {
        byte[] out = new byte[d.length + what.length];
        System.arraycopy(d, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(d, at, out, at + what.length, d.length - at);
        return out;
    }

    @Test
    void smallEditsOfARandomBlockTravelAsAFewKilobytesEitherWayAndRebuildExactly() {
        byte[] base = random(1, 70_000);
        Hash bh = Hash.of(base);
        byte[] flipped = base.clone();
        flipped[35_000] ^= 1;
        byte[] inserted = insert(base, 35_000, random(2, 100));
        byte[] deleted = insert(Arrays.copyOf(base, 30_000), 30_000, Arrays.copyOfRange(base, 30_016, base.length));
        for (byte[] target : new byte[][] {flipped, inserted, deleted, base}) {
            Hash th = Hash.of(target);
            byte[] copy = BlockDelta.copy(bh, BlockDelta.signature(base), target);
            byte[] patch = BlockDelta.patch(bh, base, target);
            assertThat(copy.length).as("copy form").isLessThan(2 * BlockDelta.SIGNATURE_BLOCK + 400);
            assertThat(patch.length).as("patch form").isLessThan(600);
            assertThat(BlockDelta.resolve(th, copy, h -> h.equals(bh) ? Optional.of(base) : Optional.empty())).isEqualTo(target);
            assertThat(BlockDelta.resolve(th, patch, h -> h.equals(bh) ? Optional.of(base) : Optional.empty())).isEqualTo(target);
        }
        assertThat(BlockDelta.signature(base)).hasSize(4 + (70_000 / BlockDelta.SIGNATURE_BLOCK) * 12);
    }

    @Test
    void anUnrelatedTargetIsAllLiteralsAndStillRebuilds() {
        byte[] base = random(3, 20_000), target = random(4, 20_000);
        byte[] copy = BlockDelta.copy(Hash.of(base), BlockDelta.signature(base), target);
        assertThat(copy.length).isBetween(20_000, 20_100);
        assertThat(BlockDelta.resolve(Hash.of(target), copy, h -> Optional.of(base))).isEqualTo(target);
    }

    @Test
    void aDeltaThatRebuildsOtherBytesOrLacksItsBaseIsCorruptNeverData() {
        byte[] base = random(5, 10_000), target = base.clone();
        target[5] ^= 1;
        byte[] copy = BlockDelta.copy(Hash.of(base), BlockDelta.signature(base), target);
        Hash wrong = Hash.of(new byte[] {1});
        assertThatThrownBy(() -> BlockDelta.resolve(wrong, copy, h -> Optional.of(base))).isInstanceOf(CorruptBlockException.class);
        assertThatThrownBy(() -> BlockDelta.resolve(Hash.of(target), copy, h -> Optional.empty()))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("not available");
        byte[] damaged = copy.clone();
        damaged[damaged.length - 1] ^= 1;
        assertThatThrownBy(() -> BlockDelta.resolve(Hash.of(target), damaged, h -> Optional.of(base)))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("checksum");
        // A different base of the same hash-claimed name: the rebuilt bytes do not hash right.
        byte[] other = random(6, 10_000);
        assertThatThrownBy(() -> BlockDelta.resolve(Hash.of(target), copy, h -> Optional.of(other))).isInstanceOf(CorruptBlockException.class);
    }

    @Test
    void storedFormsPassThroughResolveAsUsual() {
        byte[] data = random(7, 5_000);
        byte[] stored = new BlockCodec(1).encode(data).toBytes();
        assertThat(BlockDelta.isDelta(stored)).isFalse();
        assertThat(BlockDelta.resolve(Hash.of(data), stored, h -> Optional.empty())).isEqualTo(data);
    }
}
