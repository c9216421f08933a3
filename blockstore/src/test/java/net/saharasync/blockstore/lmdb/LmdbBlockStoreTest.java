package net.saharasync.blockstore.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.BlockStoreContract;
import net.saharasync.blockstore.Hash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbBlockStoreTest extends BlockStoreContract {
    private static final LmdbEnvironment.Options SMALL_MAP = LmdbEnvironment.Options.DEFAULT.withInitialMapSize(1 << 20);

    @TempDir
    Path dir;

    @Override
    protected BlockStore open() {
        return LmdbBlockStore.open(dir, SMALL_MAP, new BlockCodec(1));
    }

    /** Flips one byte of the value inside data.mdb itself, with the store closed, then reopens it. */
    @Override
    protected void corrupt(Hash hash) throws Exception {
        byte[] data = store.get(hash).orElseThrow();
        byte[] stored = new BlockCodec(1).encode(data).toBytes();
        byte[] needle = Arrays.copyOfRange(stored, BlockCodec.HEADER, Math.min(stored.length, BlockCodec.HEADER + 64));
        store.close();
        Path file = dir.resolve("data.mdb");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer all = ByteBuffer.allocate((int) ch.size());
            ch.read(all, 0);
            int at = indexOf(all.array(), needle);
            assertThat(at).as("stored payload found in data.mdb").isNotNegative();
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (all.get(at + 10) ^ 0x01)}), at + 10);
        }
        store = open();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void rawLengthsComeFromTheLengthsTableAndFromTheHeaderForBlocksStoredWithoutOne() {
        Random r = new Random(21);
        Block a = Block.of(random(r, 12_345)), b = Block.of(new byte[40_000]), c = Block.of(random(r, 1));
        store.putAll(List.of(a, b, c));
        LmdbEnvironment env = ((LmdbBlockStore) store).environment();
        LmdbEnvironment.Table lengths = env.table("lengths");
        ByteBuffer key = ByteBuffer.allocateDirect(Hash.BYTES);
        // Every put recorded its length (b is stored compressed: its stored form is much shorter).
        for (Block x : List.of(a, b, c)) {
            int recorded = env.read(txn -> txn.get(lengths, fill(key, x.hash())).map(v -> v.order(java.nio.ByteOrder.BIG_ENDIAN).getInt(v.position())).orElse(-1));
            assertThat(recorded).isEqualTo(x.data().length);
        }
        assertThat(store.storedLength(b.hash()).getAsInt()).isLessThan(1_000);
        // A block stored before the table existed has no entry: its header answers.
        env.write(txn -> txn.delete(lengths, fill(key, b.hash())));
        assertThat(store.rawLengths(List.of(a.hash(), b.hash(), c.hash()))).containsExactly(12_345, 40_000, 1);
        // Collecting a block removes its length too; a later put of it records it again.
        store.retainOnly(h -> !h.equals(a.hash()));
        assertThat((boolean) env.read(txn -> txn.contains(lengths, fill(key, a.hash())))).isFalse();
        assertThat(store.rawLengths(List.of(a.hash(), c.hash()))).containsExactly(-1, 1);
        store.putAll(List.of(a));
        assertThat((boolean) env.read(txn -> txn.contains(lengths, fill(key, a.hash())))).isTrue();
        assertThat(store.rawLength(a.hash())).hasValue(12_345);
    }

    private static ByteBuffer fill(ByteBuffer key, Hash h) {
        key.clear();
        h.writeTo(key);
        return key.flip();
    }

    @Test
    void closingAndReopeningKeepsEveryBlockAndTheTotals() {
        Random r = new Random(20);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < 50; i++) blocks.add(Block.of(random(r, 1 + r.nextInt(100_000))));
        store.putAll(blocks);
        BlockStore.StoreStats stats = store.stats();
        store.close();
        store = open();
        assertThat(store.stats()).isEqualTo(stats);
        for (Block b : blocks) assertThat(store.get(b.hash(), true)).hasValueSatisfying(d -> assertThat(d).isEqualTo(b.data()));
    }

    @Test
    void aWriteInsideAnotherCommitsWithItOrNotAtAll() {
        LmdbBlockStore lmdb = (LmdbBlockStore) store;
        LmdbEnvironment env = lmdb.environment();
        LmdbEnvironment.Table marks = env.table("marks");
        Random r = new Random(23);
        Block kept = Block.of(random(r, 50_000)), dropped = Block.of(random(r, 50_000));
        ByteBuffer key = ByteBuffer.allocateDirect(1).put((byte) 1).flip();
        ByteBuffer one = ByteBuffer.allocateDirect(1).put((byte) 1).flip();

        env.write(txn -> {
            store.putAll(List.of(kept));
            // The nested put is visible inside the same transaction (reads join it too).
            assertThat(store.has(kept.hash())).isTrue();
            txn.put(marks, key, one);
            return null;
        });
        try {
            env.write(txn -> {
                store.putAll(List.of(dropped));
                throw new IllegalStateException("the outer work fails after the nested put");
            });
        } catch (IllegalStateException expected) {
            // the whole transaction is aborted
        }
        store.close();
        store = open();
        LmdbEnvironment reopened = ((LmdbBlockStore) store).environment();
        LmdbEnvironment.Table marksAgain = reopened.table("marks");
        assertThat(store.has(kept.hash())).isTrue();
        assertThat(store.has(dropped.hash())).isFalse();
        assertThat(store.stats().blocks()).isEqualTo(1);
        boolean marked = reopened.read(txn -> txn.contains(marksAgain, key));
        assertThat(marked).isTrue();
    }

    @Test
    void aNestedWriteThatFillsTheMapRerunsTheOutermostWork() {
        LmdbBlockStore lmdb = (LmdbBlockStore) store;
        Random r = new Random(24);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < 40; i++) blocks.add(Block.of(random(r, 65536)));
        int[] runs = {0};
        lmdb.environment().write(txn -> {
            runs[0]++;
            store.putAll(blocks);
            return null;
        });
        assertThat(runs[0]).isGreaterThan(1);
        assertThat(store.stats().blocks()).isEqualTo(40);
        for (Block b : blocks) assertThat(store.get(b.hash())).hasValueSatisfying(d -> assertThat(d).isEqualTo(b.data()));
    }

    @Test
    void aStorePushedFarPastItsInitialMapSizeKeepsWorking() {
        LmdbBlockStore lmdb = (LmdbBlockStore) store;
        long initial = lmdb.environment().mapSize();
        Random r = new Random(21);
        List<Block> all = new ArrayList<>();
        for (int batch = 0; batch < 12; batch++) {
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < 8; i++) blocks.add(Block.of(random(r, 65536)));
            assertThat(store.putAll(blocks).added()).isEqualTo(8);
            all.addAll(blocks);
        }
        assertThat(lmdb.environment().mapSize()).isGreaterThan(6L << 20).isGreaterThan(initial);
        store.close();
        store = open();
        assertThat(store.stats().blocks()).isEqualTo(all.size());
        for (Block b : all) assertThat(store.get(b.hash())).hasValueSatisfying(d -> assertThat(d).isEqualTo(b.data()));
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void readersKeepReadingWhileTheMapGrowsUnderThem() throws Exception {
        Random r = new Random(22);
        Block first = Block.of(random(r, 30_000));
        store.put(first);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (!done.get() && reads < 1_000_000) {
                        assertThat(store.get(first.hash())).hasValueSatisfying(d -> assertThat(d).isEqualTo(first.data()));
                        reads++;
                    }
                    return reads;
                }));
            }
            for (int batch = 0; batch < 10; batch++) {
                List<Block> blocks = new ArrayList<>();
                for (int i = 0; i < 8; i++) blocks.add(Block.of(random(r, 65536)));
                store.putAll(blocks);
            }
            done.set(true);
            for (Future<Integer> f : readers) assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
            assertThat(((LmdbBlockStore) store).environment().mapSize()).isGreaterThan(4L << 20);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }
}
