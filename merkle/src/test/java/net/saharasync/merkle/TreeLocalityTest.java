package net.saharasync.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.TreeObject.FileChild;
import org.junit.jupiter.api.Test;

/** Small edits change O(height) nodes, in files and in directories, and diffs read O(height) nodes. */
class TreeLocalityTest {
    /** A 1 GiB file as a synthetic chunk stream: 64 KiB +- 32 KiB chunks with random hashes. */
    static List<FileChild> gibibyteOfChunks(Random r) {
        List<FileChild> cs = new ArrayList<>();
        long total = 0;
        while (total < (1L << 30)) {
            int len = 32768 + r.nextInt(65536);
            cs.add(new FileChild(Trees.randomHash(r), len));
            total += len;
        }
        return cs;
    }

    static long newBlocks(BlockStore blocks, ObjectStore s, Runnable build) {
        s.flush();
        long before = blocks.stats().blocks();
        build.run();
        s.flush();
        return blocks.stats().blocks() - before;
    }

    @Test
    void insertingBytesInTheMiddleOfAGibibyteFileRewritesAtMostTwiceTheHeightInNodes() {
        Random r = new Random(1);
        InMemoryBlockStore blocks = new InMemoryBlockStore();
        ObjectStore s = new ObjectStore(blocks);
        List<FileChild> chunks = gibibyteOfChunks(r);
        FileRef[] refs = new FileRef[2];
        long all = newBlocks(blocks, s, () -> refs[0] = FileTree.build(chunks, s, TreeParams.DEFAULT));
        assertThat(refs[0].height()).isBetween(2, 4);
        assertThat(all).isGreaterThan(chunks.size() / 128);

        // 100 bytes inserted in the middle: the chunk there is replaced by two new ones.
        List<FileChild> edited = new ArrayList<>(chunks);
        int mid = chunks.size() / 2;
        FileChild old = edited.remove(mid);
        edited.add(mid, new FileChild(Trees.randomHash(r), old.length() / 2));
        edited.add(mid + 1, new FileChild(Trees.randomHash(r), old.length() - old.length() / 2 + 100));
        long changed = newBlocks(blocks, s, () -> refs[1] = FileTree.build(edited, s, TreeParams.DEFAULT));
        assertThat(refs[1].size()).isEqualTo(refs[0].size() + 100);
        assertThat(changed).isLessThanOrEqualTo(2L * refs[1].height());
        assertThat(FileTree.chunks(s, refs[1])).isEqualTo(edited);
    }

    @Test
    void aZeroFilledFileStillFormsAShallowTree() {
        ObjectStore s = Trees.store();
        Hash zeros = Hash.of(new byte[262144]);
        List<FileChild> same = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) same.add(new FileChild(zeros, 262144));
        FileRef ref = FileTree.build(same, s, TreeParams.DEFAULT);
        assertThat(ref.height()).isBetween(2, 17);
        assertThat(FileTree.chunks(s, ref)).hasSize(100_000);
    }

    static List<Entry> entries(Random r, int n) {
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < n; i++) es.add(Trees.randomFile(r, String.format("file-%07d.dat", i)));
        return es;
    }

    @Test
    void addingOneEntryToA200000EntryDirectoryRewritesAtMostTwiceTheHeightInNodes() {
        Random r = new Random(2);
        InMemoryBlockStore blocks = new InMemoryBlockStore();
        ObjectStore s = new ObjectStore(blocks);
        List<Entry> es = entries(r, 200_000);
        DirRef[] refs = new DirRef[2];
        newBlocks(blocks, s, () -> refs[0] = DirectoryTree.build(es, s, TreeParams.DEFAULT));
        assertThat(refs[0].height()).isBetween(2, 4);
        long changed = newBlocks(blocks, s, () -> refs[1] = new TreeEditor(s, TreeParams.DEFAULT)
                .put("file-0100000.dat-new", Trees.randomFile(r, "x")).build(refs[0]));
        assertThat(changed).isLessThanOrEqualTo(2L * (refs[1].height() + 1));
        assertThat(DirectoryTree.lookup(s, refs[1], "file-0100000.dat-new")).isPresent();
        assertThat(DirectoryTree.lookup(s, refs[1], "file-0123456.dat")).contains(es.get(123456));
        assertThat(DirectoryTree.lookup(s, refs[1], "nope")).isEmpty();
        assertThat(DirectoryTree.entries(s, refs[1])).hasSize(200_001);
    }

    @Test
    void diffingTwoHugeDirectoriesThatDifferInOneFileReadsOnlyAFewNodes() {
        Random r = new Random(3);
        InMemoryBlockStore blocks = new InMemoryBlockStore();
        ObjectStore writer = new ObjectStore(blocks);
        List<Entry> es = entries(r, 200_000);
        DirRef a = DirectoryTree.build(es, writer, TreeParams.DEFAULT);
        Entry changed = Trees.randomFile(r, es.get(77_777).name());
        DirRef b = new TreeEditor(writer, TreeParams.DEFAULT).put(changed.name(), changed).build(a);
        writer.flush();

        ObjectStore cold = new ObjectStore(blocks); // nothing cached
        List<Change> diff = TreeDiff.diff(cold, a, b);
        assertThat(diff).containsExactly(new Change.Modified(changed.name(), es.get(77_777), changed));
        assertThat(cold.reads()).isLessThanOrEqualTo(2L * (Math.max(a.height(), b.height()) + 1) * 2);
    }

    @Test
    void missingListsExactlyWhatTheOtherSideLacksTopDownInOneBatchPerLevel() {
        Random r = new Random(4);
        ObjectStore here = Trees.store();
        var files = Trees.randomPaths(r, 60);
        // single-chunk files: their roots are chunks, which the walk lists but does not open
        files.replaceAll((p, e) -> new Entry(e.name(), e.kind(), e.executable(), e.mtimeNanos(), e.size(), e.content(), 0));
        DirRef root = Trees.build(here, files);
        here.flush();
        // The other side has nothing: it lacks every node and every file root.
        List<List<Hash>> batches = new ArrayList<>();
        List<Hash> all = Missing.missing(here, root, hs -> {
            batches.add(hs);
            return new java.util.HashSet<>(hs);
        });
        assertThat(all.getFirst()).isEqualTo(root.root());
        assertThat(all).doesNotHaveDuplicates();
        files.values().forEach(e -> assertThat(all).contains(e.content()));
        assertThat(batches.size()).isLessThanOrEqualTo(8);

        // After an edit, a side that has the old tree lacks only the new path to the change.
        var edited = new java.util.TreeMap<>(files);
        String some = edited.firstKey();
        Entry f0 = Trees.randomFile(r, Trees.last(some));
        Entry fresh = new Entry(f0.name(), f0.kind(), false, 1, f0.size(), f0.content(), 0);
        edited.put(some, fresh);
        DirRef root2 = Trees.build(here, edited);
        java.util.Set<Hash> have = new java.util.HashSet<>(all);
        List<Hash> lack = Missing.missing(here, root2, hs -> {
            java.util.Set<Hash> out = new java.util.HashSet<>(hs);
            out.removeAll(have);
            return out;
        });
        assertThat(lack).contains(root2.root(), fresh.content());
        assertThat(lack.size()).isLessThanOrEqualTo(2 + some.split("/").length + 1);
    }

    @Test
    void mergeOnlyReadsDirectoriesChangedOnBothSides() {
        Random r = new Random(5);
        InMemoryBlockStore blocks = new InMemoryBlockStore();
        ObjectStore w = new ObjectStore(blocks);
        var base = new java.util.TreeMap<String, Entry>();
        for (int d = 0; d < 100; d++) for (int f = 0; f < 100; f++) base.put("d" + d + "/f" + f, Trees.randomFile(r, "f" + f));
        var local = new java.util.TreeMap<>(base);
        var remote = new java.util.TreeMap<>(base);
        local.put("d1/f1", Trees.randomFile(r, "f1"));
        remote.put("d2/f2", Trees.randomFile(r, "f2"));
        DirRef b = Trees.build(w, base), l = Trees.build(w, local), rr = Trees.build(w, remote);
        w.flush();
        ObjectStore cold = new ObjectStore(blocks);
        Merge.Result m = Merge.merge(cold, TreeParams.DEFAULT, Optional.of(b), l, rr, "L", "R", java.time.Instant.EPOCH);
        assertThat(m.conflicts()).isEmpty();
        assertThat(cold.reads()).isLessThan(20);
        var merged = Trees.flatten(cold, m.root());
        assertThat(merged.get("d1/f1")).isEqualTo(local.get("d1/f1"));
        assertThat(merged.get("d2/f2")).isEqualTo(remote.get("d2/f2"));
        assertThat(merged).hasSize(10_000);
        assertThat(Block.of(new byte[0]).length()).isZero();
    }
}
