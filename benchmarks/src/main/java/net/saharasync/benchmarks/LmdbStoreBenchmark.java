package net.saharasync.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbBlockStore;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * LMDB block store put and get of 64 KiB blocks, random (stored raw) or compressible (stored
 * as zstd, about 2:1), on a real environment in a temp directory (override with
 * -Dsahara.bench.dir). A put is a batch of 256 new blocks in one durable transaction (16 MiB);
 * a get reads and decodes 256 stored blocks. One "op" is one MiB, so ops/s reads as MiB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class LmdbStoreBenchmark {
    static final int BLOCK = 64 << 10;
    static final int BATCH = 256;
    static final int MIB_PER_BATCH = BATCH * BLOCK >> 20;

    @Param({"random", "compressible"})
    public String data;

    Path dir;
    LmdbBlockStore store;
    byte[][] templates;
    long counter;
    List<Hash> stored;
    int next;

    @Setup(Level.Iteration)
    public void open() throws IOException {
        Path base = Path.of(System.getProperty("sahara.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(base, "sahara-bench-lmdb");
        store = LmdbBlockStore.open(dir, LmdbEnvironment.Options.DEFAULT, new BlockCodec(1));
        Random r = new Random(7);
        templates = new byte[BATCH][BLOCK];
        for (byte[] t : templates) {
            if (data.equals("random")) {
                r.nextBytes(t);
            } else {
                for (int i = 0; i < BLOCK; i++) t[i] = (byte) ('a' + r.nextInt(16));
            }
        }
        // Blocks for the get benchmark: 1024 of them (64 MiB).
        stored = new ArrayList<>();
        for (int i = 0; i < 1024 / BATCH; i++) stored.addAll(putBatch());
        next = 0;
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private List<Hash> putBatch() {
        List<Block> blocks = new ArrayList<>(BATCH);
        for (byte[] t : templates) {
            byte[] b = t.clone();
            long id = counter++;
            ByteBuffer.wrap(b).putLong(id); // a new block every time: no dedup hits
            // The store trusts the caller's hash (chunking computes it; its cost is in
            // ChunkingBenchmark). A cheap unique address keeps SHA-256 out of this figure.
            blocks.add(Block.withHash(Hash.of(ByteBuffer.allocate(8).putLong(0, id).array()), b));
        }
        store.putAll(blocks);
        return blocks.stream().map(Block::hash).toList();
    }

    @Benchmark
    @OperationsPerInvocation(MIB_PER_BATCH)
    public List<Hash> put() {
        return putBatch();
    }

    @Benchmark
    @OperationsPerInvocation(MIB_PER_BATCH)
    public long get() {
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += store.get(stored.get(next++ & 1023)).orElseThrow().length;
        }
        return sum;
    }
}
