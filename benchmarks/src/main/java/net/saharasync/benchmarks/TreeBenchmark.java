package net.saharasync.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.Change;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.Merge;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeDiff;
import net.saharasync.merkle.TreeEditor;
import net.saharasync.merkle.TreeParams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merkle tree operations on 1,000,000 files: 1,000 folders of 1,000 files (the realistic
 * shape) with an in-memory block store. Diffs and merges start from a cold object cache, so
 * every node they need is read and decoded from the store.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class TreeBenchmark {
    static final int DIRS = 1000;
    static final int FILES = 1000;

    InMemoryBlockStore blocks;
    List<List<Entry>> folders;
    DirRef a;
    DirRef b;
    DirRef local;
    DirRef remote;

    static Entry file(Random r, String name) {
        byte[] h = new byte[32];
        r.nextBytes(h);
        return Entry.file(name, new FileRef(Hash.fromBytes(h), 1 + r.nextInt(1 << 20), 0), false, r.nextLong(1L << 60));
    }

    @Setup
    public void setup() {
        Random r = new Random(1);
        blocks = new InMemoryBlockStore();
        folders = new ArrayList<>();
        for (int d = 0; d < DIRS; d++) {
            List<Entry> es = new ArrayList<>();
            for (int f = 0; f < FILES; f++) es.add(file(r, String.format("file-%04d.dat", f)));
            folders.add(es);
        }
        ObjectStore s = new ObjectStore(blocks);
        a = build(s);
        b = new TreeEditor(s, TreeParams.DEFAULT).put("dir-0500/file-0500.dat", file(r, "x")).build(a);
        TreeEditor l = new TreeEditor(s, TreeParams.DEFAULT), rm = new TreeEditor(s, TreeParams.DEFAULT);
        for (int i = 0; i < 1000; i++) {
            l.put(String.format("dir-%04d/file-%04d.dat", r.nextInt(DIRS), r.nextInt(FILES)), file(r, "x"));
            rm.put(String.format("dir-%04d/file-%04d.dat", r.nextInt(DIRS), r.nextInt(FILES)), file(r, "x"));
        }
        local = l.build(a);
        remote = rm.build(a);
        s.flush();
    }

    DirRef build(ObjectStore s) {
        List<Entry> top = new ArrayList<>();
        for (int d = 0; d < DIRS; d++) {
            top.add(Entry.directory(String.format("dir-%04d", d), DirectoryTree.build(folders.get(d), s, TreeParams.DEFAULT)));
        }
        return DirectoryTree.build(top, s, TreeParams.DEFAULT);
    }

    /** Target: under 1 ms. */
    @Benchmark
    public List<Change> diffOneChangeIn1MFiles() {
        return TreeDiff.diff(new ObjectStore(blocks), a, b);
    }

    /** Encoding and hashing every node of a 1,000,000-file tree (and storing them in memory). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public DirRef build1MFiles() {
        return build(new ObjectStore(new InMemoryBlockStore()));
    }

    /** Three-way merge with 1,000 changed files on each side. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Merge.Result merge1000ChangesEachSide() {
        return Merge.merge(new ObjectStore(blocks), TreeParams.DEFAULT, Optional.of(a), local, remote, "L", "R", Instant.EPOCH);
    }
}
