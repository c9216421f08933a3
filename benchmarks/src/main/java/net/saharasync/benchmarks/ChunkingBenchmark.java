package net.saharasync.benchmarks;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.Hash;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Chunking and hashing of 64 MiB of random bytes held in memory, one thread.
 * One "op" is one MiB, so JMH's ops/s reads directly as MiB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ChunkingBenchmark {
    static final int MIB = 64;
    static final int SIZE = MIB << 20;

    byte[] data;
    Chunker chunker;

    @Setup
    public void setup() {
        data = new byte[SIZE];
        new Random(1).nextBytes(data);
        chunker = Chunker.defaults();
    }

    /** FastCDC boundaries only: the cut loop over the buffer. */
    @Benchmark
    @OperationsPerInvocation(MIB)
    public int chunk() {
        int n = 0;
        for (int pos = 0; pos < SIZE; ) {
            pos += chunker.cut(data, pos, SIZE);
            n++;
        }
        return n;
    }

    /** SHA-256 (JDK MessageDigest) over the whole buffer, in 64 KiB pieces as chunks would be. */
    @Benchmark
    @OperationsPerInvocation(MIB)
    public void sha256(Blackhole bh) {
        MessageDigest md = Hash.newDigest();
        for (int pos = 0; pos < SIZE; pos += 65536) {
            md.update(data, pos, 65536);
            bh.consume(md.digest());
        }
    }

    /** Boundaries plus the SHA-256 of every chunk: what ingesting a file costs in CPU. */
    @Benchmark
    @OperationsPerInvocation(MIB)
    public void chunkAndHash(Blackhole bh) {
        MessageDigest md = Hash.newDigest();
        for (int pos = 0; pos < SIZE; ) {
            int len = chunker.cut(data, pos, SIZE);
            md.update(data, pos, len);
            bh.consume(md.digest());
            pos += len;
        }
    }

    /** The same through {@code Chunker.chunkAndHash} (streamed in 4 MiB buffers), hashing alone... */
    @Benchmark
    @OperationsPerInvocation(MIB)
    public void streamChunkAndHash(Blackhole bh) throws java.io.IOException {
        bh.consume(chunker.chunkAndHash(new java.io.ByteArrayInputStream(data)));
    }

    /** ...and with a second core hashing the chunks of one buffer while the next is read and cut, as the scanner does. */
    @Benchmark
    @OperationsPerInvocation(MIB)
    public void streamChunkAndHashTwoCores(Blackhole bh) throws java.io.IOException {
        bh.consume(chunker.chunkAndHash(new java.io.ByteArrayInputStream(data), java.util.Optional.of(java.util.concurrent.ForkJoinPool.commonPool())));
    }
}
