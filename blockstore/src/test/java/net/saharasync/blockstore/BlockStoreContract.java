package net.saharasync.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link BlockStore} must have; one subclass per implementation (restic's conformance-suite idea). */
public abstract class BlockStoreContract {
    protected BlockStore store;

    protected abstract BlockStore open() throws Exception;

    /** Damages the stored value of {@code hash} in place (flips one payload byte), as a bad disk would. */
    protected abstract void corrupt(Hash hash) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    public static byte[] random(Random r, int size) {
        byte[] b = new byte[size];
        r.nextBytes(b);
        return b;
    }

    public static byte[] compressible(Random r, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) ('a' + r.nextInt(4));
        return b;
    }

    @Test
    void distinctDataRoundTripsByteForByte() {
        Random r = new Random(1);
        List<Block> blocks = new ArrayList<>();
        blocks.add(Block.of(new byte[0]));
        blocks.add(Block.of(new byte[] {42}));
        for (int i = 0; i < 20; i++) blocks.add(Block.of(random(r, 1 + r.nextInt(300_000))));
        for (int i = 0; i < 20; i++) blocks.add(Block.of(compressible(r, 1 + r.nextInt(300_000))));
        BlockStore.PutResult put = store.putAll(blocks);
        assertThat(put.added()).isEqualTo(blocks.size());
        for (Block b : blocks) {
            assertThat(store.has(b.hash())).isTrue();
            assertThat(store.get(b.hash())).hasValueSatisfying(d -> assertThat(d).isEqualTo(b.data()));
            assertThat(store.get(b.hash(), true)).hasValueSatisfying(d -> assertThat(d).isEqualTo(b.data()));
        }
    }

    @Test
    void puttingTheSameDataTwiceDoesNotGrowTheStore() {
        Random r = new Random(2);
        List<Block> blocks = List.of(Block.of(random(r, 65536)), Block.of(compressible(r, 65536)));
        store.putAll(blocks);
        BlockStore.StoreStats before = store.stats();
        BlockStore.PutResult again = store.putAll(blocks);
        assertThat(again).isEqualTo(BlockStore.PutResult.NONE);
        assertThat(store.stats()).isEqualTo(before);
        assertThat(before.blocks()).isEqualTo(2);
        assertThat(before.rawBytes()).isEqualTo(2 * 65536);
    }

    @Test
    void rewritingPutsCountOnlyNewBlocksAndLeaveStoredOnesAsTheyWere() {
        Random r = new Random(21);
        BlockCodec codec = new BlockCodec(1);
        byte[] old = compressible(r, 100_000), fresh = random(r, 70_000);
        store.putAll(List.of(Block.of(old)));
        BlockStore.StoreStats before = store.stats();
        byte[] storedBefore = store.getStored(Hash.of(old)).orElseThrow();
        BlockStore.PutResult put = store.putAllStoredRewriting(List.of(
                new BlockStore.StoredBlock(Hash.of(old), codec.encode(old)),
                new BlockStore.StoredBlock(Hash.of(fresh), codec.encode(fresh)),
                new BlockStore.StoredBlock(Hash.of(fresh), codec.encode(fresh))));
        assertThat(put.added()).isEqualTo(1);
        assertThat(put.rawBytes()).isEqualTo(70_000);
        assertThat(store.stats().blocks()).isEqualTo(before.blocks() + 1);
        assertThat(store.stats().rawBytes()).isEqualTo(before.rawBytes() + 70_000);
        assertThat(store.getStored(Hash.of(old))).hasValueSatisfying(b -> assertThat(b).isEqualTo(storedBefore));
        assertThat(store.get(Hash.of(old), true)).hasValueSatisfying(b -> assertThat(b).isEqualTo(old));
        assertThat(store.get(Hash.of(fresh), true)).hasValueSatisfying(b -> assertThat(b).isEqualTo(fresh));
        assertThat(store.rawLength(Hash.of(old))).hasValue(100_000);
    }

    @Test
    void duplicatesInsideOneBatchAreStoredOnce() {
        byte[] data = random(new Random(3), 1000);
        BlockStore.PutResult put = store.putAll(List.of(Block.of(data), Block.of(data.clone()), Block.of(data)));
        assertThat(put.added()).isEqualTo(1);
        assertThat(store.stats().blocks()).isEqualTo(1);
    }

    @Test
    void compressibleDataTakesLessRoomAndRandomDataBarelyMore() {
        Random r = new Random(4);
        store.put(Block.of(compressible(r, 1 << 20)));
        BlockStore.StoreStats s = store.stats();
        assertThat(s.storedBytes()).isLessThan(s.rawBytes() / 2);

        store.put(Block.of(random(r, 1 << 20)));
        BlockStore.StoreStats s2 = store.stats();
        assertThat(s2.storedBytes() - s.storedBytes()).isEqualTo((1 << 20) + BlockCodec.HEADER);
    }

    @Test
    void absentBlocksAreReportedMissingInTheOrderAsked() {
        Random r = new Random(5);
        Block a = Block.of(random(r, 10)), b = Block.of(random(r, 10)), c = Block.of(random(r, 10));
        store.put(b);
        assertThat(store.missing(List.of(c.hash(), b.hash(), a.hash(), c.hash()))).containsExactly(c.hash(), a.hash());
        assertThat(store.get(a.hash())).isEmpty();
        assertThat(store.has(a.hash())).isFalse();
    }

    @Test
    void iterationVisitsEveryHashInAscendingOrderAcrossPages() {
        Random r = new Random(6);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < AbstractBlockStore.PAGE * 2 + 17; i++) blocks.add(Block.of(random(r, 8)));
        store.putAll(blocks);
        List<Hash> seen = new ArrayList<>();
        store.forEach(seen::add);
        assertThat(seen).isSorted().hasSize(blocks.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(new HashSet<>(blocks.stream().map(Block::hash).toList()));
    }

    @Test
    void garbageCollectionDeletesExactlyTheDeadBlocks() {
        Random r = new Random(7);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < AbstractBlockStore.PAGE + 100; i++) blocks.add(Block.of(random(r, 100)));
        store.putAll(blocks);
        Set<Hash> live = new HashSet<>();
        for (int i = 0; i < blocks.size(); i += 3) live.add(blocks.get(i).hash());
        BlockStore.GcResult gc = store.retainOnly(live::contains);
        assertThat(gc.deleted()).isEqualTo(blocks.size() - live.size());
        assertThat(gc.rawBytesFreed()).isEqualTo(100L * gc.deleted());
        for (Block b : blocks) assertThat(store.has(b.hash())).isEqualTo(live.contains(b.hash()));
        assertThat(store.stats().blocks()).isEqualTo(live.size());
        assertThat(store.stats().rawBytes()).isEqualTo(100L * live.size());
    }

    @Test
    void aFlippedByteIsReportedNamingTheHashAndNeverReturned() throws Exception {
        Random r = new Random(8);
        Block good = Block.of(random(r, 70_000));
        Block bad = Block.of(random(r, 70_000));
        Block badCompressed = Block.of(compressible(r, 70_000));
        store.putAll(List.of(good, bad, badCompressed));
        corrupt(bad.hash());
        corrupt(badCompressed.hash());
        for (Block b : List.of(bad, badCompressed)) {
            assertThatThrownBy(() -> store.get(b.hash()))
                    .isInstanceOf(CorruptBlockException.class)
                    .hasMessageContaining(b.hash().toHex())
                    .satisfies(e -> assertThat(((CorruptBlockException) e).hash()).isEqualTo(b.hash()));
        }
        assertThat(store.get(good.hash(), true)).hasValueSatisfying(d -> assertThat(d).isEqualTo(good.data()));
        BlockStore.VerifyReport report = store.verify();
        assertThat(report.checked()).isEqualTo(3);
        assertThat(report.corrupt()).containsExactlyInAnyOrder(bad.hash(), badCompressed.hash());
    }

    @Test
    void aBlockFiledUnderTheWrongHashFailsVerification() {
        byte[] data = random(new Random(9), 5000);
        Hash wrong = Hash.of(new byte[] {1, 2, 3});
        store.put(Block.withHash(wrong, data));
        assertThatThrownBy(() -> store.get(wrong, true)).isInstanceOf(CorruptBlockException.class);
        assertThat(store.verify().corrupt()).containsExactly(wrong);
    }

    @Test
    void concurrentWritersAndReadersSeeConsistentData() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Block>>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = 100 + t;
                writers.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    List<Block> mine = new ArrayList<>();
                    for (int batch = 0; batch < 20; batch++) {
                        List<Block> blocks = new ArrayList<>();
                        for (int i = 0; i < 10; i++) blocks.add(Block.of(random(r, 1 + r.nextInt(20_000))));
                        // a block shared by every writer: stored once whoever wins
                        blocks.add(Block.of(new byte[] {7, 7, 7}));
                        store.putAll(blocks);
                        mine.addAll(blocks);
                        for (Block b : mine.subList(Math.max(0, mine.size() - 30), mine.size())) {
                            assertThat(store.get(b.hash())).hasValueSatisfying(d -> assertThat(d).isEqualTo(b.data()));
                        }
                    }
                    return mine;
                }));
            }
            Set<Hash> all = new HashSet<>();
            for (Future<List<Block>> f : writers) f.get(60, TimeUnit.SECONDS).forEach(b -> all.add(b.hash()));
            assertThat(store.stats().blocks()).isEqualTo(all.size());
            assertThat(store.verify().ok()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void storedFormsTravelAsIsAndAreCheckedBeforeTheyAreAccepted() {
        Random r = new Random(7);
        BlockCodec codec = new BlockCodec(1);
        byte[] text = compressible(r, 100_000);
        byte[] noise = random(r, 70_000);
        Hash th = Hash.of(text), nh = Hash.of(noise);
        byte[] textStored = codec.encode(text).toBytes();
        byte[] noiseStored = codec.encode(noise).toBytes();

        BlockStore.PutResult put = store.putAllStored(List.of(
                new BlockStore.StoredBlock(th, BlockCodec.StoredForm.verified(th, textStored)),
                new BlockStore.StoredBlock(nh, BlockCodec.StoredForm.verified(nh, noiseStored))));
        assertThat(put.added()).isEqualTo(2);
        assertThat(put.storedBytes()).isEqualTo(textStored.length + noiseStored.length);
        assertThat(store.get(th, true)).contains(text);
        assertThat(store.getStored(th)).hasValueSatisfying(b -> assertThat(b).isEqualTo(textStored));
        assertThat(store.rawLength(th)).hasValue(100_000);
        assertThat(store.rawLength(nh)).hasValue(70_000);
        assertThat(store.rawLength(Hash.of(new byte[] {1}))).isEmpty();
        // The batch form: in order, repeats allowed, -1 for what is not stored.
        assertThat(store.rawLengths(List.of(nh, Hash.of(new byte[] {1}), th, nh))).containsExactly(70_000, -1, 100_000, 70_000);
        assertThat(store.rawLengths(List.of())).isEmpty();
        assertThat(store.storedLength(th)).hasValue(textStored.length);
        assertThat(store.storedLength(nh)).hasValue(noiseStored.length);
        assertThat(store.storedLength(Hash.of(new byte[] {1}))).isEmpty();
        assertThat(store.getStored(Hash.of(new byte[] {1}))).isEmpty();
        // Copied into a caller's buffer when it fits (whatever it held before), else into a new one.
        java.nio.ByteBuffer mine = java.nio.ByteBuffer.allocateDirect(200_000).position(123);
        java.nio.ByteBuffer copy = store.copyStored(nh, mine).orElseThrow();
        assertThat(copy).isSameAs(mine);
        byte[] got = new byte[copy.remaining()];
        copy.get(got);
        assertThat(got).isEqualTo(noiseStored);
        java.nio.ByteBuffer small = java.nio.ByteBuffer.allocate(10);
        java.nio.ByteBuffer own = store.copyStored(th, small).orElseThrow();
        assertThat(own).isNotSameAs(small);
        assertThat(java.util.Arrays.copyOfRange(own.array(), own.arrayOffset() + own.position(), own.arrayOffset() + own.limit())).isEqualTo(textStored);
        assertThat(store.copyStored(Hash.of(new byte[] {1}), mine)).isEmpty();
        assertThat(store.putAllStored(List.of(new BlockStore.StoredBlock(th, BlockCodec.StoredForm.verified(th, textStored)))).added())
                .isZero();

        // A stored form under someone else's hash, or damaged, never becomes a StoredForm.
        assertThatThrownBy(() -> BlockCodec.StoredForm.verified(nh, textStored))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining(nh.toHex());
        byte[] damaged = textStored.clone();
        damaged[damaged.length - 1] ^= 1;
        assertThatThrownBy(() -> BlockCodec.StoredForm.verified(th, damaged)).isInstanceOf(CorruptBlockException.class);
    }

    @Test
    void aCorruptValueIsNeverHandedOutInStoredFormEither() throws Exception {
        Block b = Block.of(compressible(new Random(3), 50_000));
        store.put(b);
        corrupt(b.hash());
        assertThatThrownBy(() -> store.getStored(b.hash()))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining(b.hash().toHex());
        assertThatThrownBy(() -> store.copyStored(b.hash(), java.nio.ByteBuffer.allocateDirect(100_000)))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining(b.hash().toHex());
    }

    @Test
    void aClosedStoreRefusesWork() {
        store.close();
        assertThatThrownBy(() -> store.has(Hash.of(new byte[0]))).isInstanceOf(BlockStoreException.class);
    }
}
