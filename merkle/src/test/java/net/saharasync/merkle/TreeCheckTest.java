package net.saharasync.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.Chunk;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.GearTable;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.TreeObject.DirChild;
import net.saharasync.merkle.TreeObject.DirIndex;
import net.saharasync.merkle.TreeObject.DirLeaf;
import org.junit.jupiter.api.Test;

class TreeCheckTest {
    private final InMemoryBlockStore blocks = new InMemoryBlockStore();
    private final ObjectStore store = new ObjectStore(blocks);
    private final Chunker chunker = new Chunker(new ChunkerParams(64, 256, 1024), GearTable.defaultTable());

    private static final Function<List<Hash>, Set<Hash>> NOTHING_KNOWN = hs -> Set.of();

    private Function<List<Hash>, Set<Hash>> stored() {
        return hs -> {
            Set<Hash> out = new HashSet<>(hs);
            out.removeAll(blocks.missing(hs));
            return out;
        };
    }

    /** A real file: chunked, its chunks stored, its tree written. */
    private Entry file(String name, byte[] data) throws Exception {
        List<Chunk> chunks = chunker.chunkAndHash(new ByteArrayInputStream(data));
        List<Block> bs = new ArrayList<>();
        for (Chunk c : chunks) bs.add(Block.of(java.util.Arrays.copyOfRange(data, (int) c.offset(), (int) c.end())));
        if (data.length == 0) bs.add(Block.of(data));
        blocks.putAll(bs);
        return Entry.file(name, FileTree.fromChunks(chunks, store, TreeParams.DEFAULT), false, 1);
    }

    private Hash commit(DirRef root) {
        Hash h = store.write(new Commit(root, List.of(), "test", 1));
        store.flush();
        return h;
    }

    @Test
    void aCompleteTreeReachesEveryObjectOnceAndAnEditReachesOnlyItsPath() throws Exception {
        Random r = new Random(1);
        List<Entry> entries = new ArrayList<>();
        byte[] big = new byte[200_000];
        r.nextBytes(big);
        entries.add(file("big.bin", big));
        entries.add(file("empty", new byte[0]));
        for (int i = 0; i < 500; i++) entries.add(file(String.format("f%04d", i), ("file " + i).getBytes()));
        entries.sort((a, b) -> Names.compare(a.name(), b.name()));
        DirRef root = DirectoryTree.build(entries, store, TreeParams.DEFAULT);
        assertThat(root.height()).isPositive();
        assertThat(entries.getFirst().height()).as("big.bin has index nodes").isPositive();
        Hash c1 = commit(root);

        TreeCheck.Result all = TreeCheck.check(store, c1, NOTHING_KNOWN, stored());
        assertThat(all.complete()).isTrue();
        assertThat(all.reached()).doesNotHaveDuplicates().startsWith(c1).contains(root.root(), entries.getFirst().content());
        Set<Hash> everything = new HashSet<>();
        blocks.forEach(everything::add);
        assertThat(new HashSet<>(all.reached())).isEqualTo(everything);

        // One more file: only the new commit, the path of nodes to it and the file are new.
        List<Entry> more = new ArrayList<>(entries);
        more.add(file("g-new", "new".getBytes()));
        more.sort((a, b) -> Names.compare(a.name(), b.name()));
        Hash c2 = commit(DirectoryTree.build(more, store, TreeParams.DEFAULT));
        Set<Hash> known = new HashSet<>(all.reached());
        TreeCheck.Result delta = TreeCheck.check(store, c2, hs -> { Set<Hash> k = new HashSet<>(hs); k.retainAll(known); return k; }, stored());
        assertThat(delta.complete()).isTrue();
        assertThat(delta.reached()).hasSizeLessThanOrEqualTo(2 + 2 * (root.height() + 1)).contains(c2);
    }

    @Test
    void unavailableObjectsAreListedAndNotDescendedInto() throws Exception {
        Entry a = file("a", "aaaa".getBytes());
        Entry b = file("b", "bbbb".getBytes());
        Hash c = commit(DirectoryTree.build(List.of(a, b), store, TreeParams.DEFAULT));
        TreeCheck.Result res = TreeCheck.check(store, c, NOTHING_KNOWN, hs -> {
            Set<Hash> ok = new HashSet<>(hs);
            ok.remove(b.content());
            return ok;
        });
        assertThat(res.complete()).isFalse();
        assertThat(res.missing()).containsExactly(b.content());
    }

    @Test
    void anEntryThatLiesAboutItsChunkLengthIsRejectedNamingThePath() throws Exception {
        Entry a = file("a.txt", "hello".getBytes());
        Entry lying = new Entry("a.txt", EntryKind.FILE, false, 1, 6, a.content(), 0);
        DirRef sub = DirectoryTree.build(List.of(lying), store, TreeParams.DEFAULT);
        Hash c = commit(DirectoryTree.build(List.of(Entry.directory("docs", sub)), store, TreeParams.DEFAULT));
        assertThatThrownBy(() -> TreeCheck.check(store, c, NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class)
                .hasMessageContaining("/docs/a.txt").hasMessageContaining("5 bytes, its entry says 6");
    }

    @Test
    void aKnownObjectIsStillCheckedAgainstWhatANewParentClaims() throws Exception {
        Entry a = file("a", "hello".getBytes());
        Entry lying = new Entry("a", EntryKind.FILE, false, 1, 4, a.content(), 0);
        Hash c = commit(DirectoryTree.build(List.of(lying), store, TreeParams.DEFAULT));
        assertThatThrownBy(() -> TreeCheck.check(store, c, hs -> hs.contains(a.content()) ? Set.of(a.content()) : Set.of(), stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("its entry says 4");
    }

    @Test
    void wrongHeightsAndKindsAreRejected() throws Exception {
        Entry a = file("a", "hello".getBytes());
        DirRef leaf = DirectoryTree.build(List.of(a), store, TreeParams.DEFAULT);
        // The root claims height 1 but is a leaf.
        Hash c1 = commit(new DirRef(leaf.root(), 1));
        assertThatThrownBy(() -> TreeCheck.check(store, c1, NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("expected a DirIndex");
        // A "commit" that is a directory.
        assertThatThrownBy(() -> TreeCheck.check(store, leaf.root(), NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("expected a Commit");
        // A directory entry pointing at a chunk.
        Entry dirOnChunk = new Entry("d", EntryKind.DIRECTORY, false, 0, 0, a.content(), 0);
        Hash c2 = commit(DirectoryTree.build(List.of(dirOnChunk), store, TreeParams.DEFAULT));
        assertThatThrownBy(() -> TreeCheck.check(store, c2, NOTHING_KNOWN, stored())).isInstanceOf(MalformedObjectException.class);
    }

    @Test
    void indexNodesWhoseChildrenOverlapOrMiscountAreRejected() throws Exception {
        Entry a = file("a", "1".getBytes()), b = file("b", "2".getBytes()), c = file("c", "3".getBytes());
        Hash ab = store.write(new DirLeaf(List.of(a, b)));
        Hash bc = store.write(new DirLeaf(List.of(b.withName("b"), c)));
        Hash cOnly = store.write(new DirLeaf(List.of(c)));
        // Children "a..b" and then "b..c": the listing would repeat b.
        Hash overlap = store.write(new DirIndex(1, List.of(new DirChild("a", 2, ab), new DirChild("b", 2, bc))));
        assertThatThrownBy(() -> TreeCheck.check(store, commit(new DirRef(overlap, 1)), NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("past its sibling");
        Hash miscount = store.write(new DirIndex(1, List.of(new DirChild("a", 3, ab), new DirChild("c", 1, cOnly))));
        assertThatThrownBy(() -> TreeCheck.check(store, commit(new DirRef(miscount, 1)), NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("2 entries, parent says 3");
        Hash wrongFirst = store.write(new DirIndex(1, List.of(new DirChild("a", 2, ab), new DirChild("ca", 1, cOnly))));
        assertThatThrownBy(() -> TreeCheck.check(store, commit(new DirRef(wrongFirst, 1)), NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("parent says 'ca'");
        Hash fine = store.write(new DirIndex(1, List.of(new DirChild("a", 2, ab), new DirChild("c", 1, cOnly))));
        assertThat(TreeCheck.check(store, commit(new DirRef(fine, 1)), NOTHING_KNOWN, stored()).complete()).isTrue();
    }

    /** One folder object reused at every level: 64 entries, four levels deep (16 million paths in a few KB). */
    private DirRef reusedAtEveryLevel(int levels) throws Exception {
        Entry f = file("f", "x".getBytes());
        List<Entry> files = new ArrayList<>();
        for (int i = 0; i < 64; i++) files.add(f.withName(String.format("f%02d", i)));
        DirRef level = DirectoryTree.build(files, store, TreeParams.DEFAULT);
        for (int d = 1; d < levels; d++) {
            List<Entry> dirs = new ArrayList<>();
            for (int i = 0; i < 64; i++) dirs.add(Entry.directory(String.format("d%02d", i), level));
            level = DirectoryTree.build(dirs, store, TreeParams.DEFAULT);
        }
        store.flush();
        return level;
    }

    @Test
    void eachObjectIsCheckedOnceHoweverManyParentsNameIt() throws Exception {
        DirRef root = reusedAtEveryLevel(3);
        Hash c = commit(root);
        TreeCheck.Result r = TreeCheck.check(store, c, NOTHING_KNOWN, stored());
        assertThat(r.complete()).isTrue();
        assertThat(r.reached().size()).isLessThan(20);
        // Each distinct object's children claimed once (3 x 64 and a few), not 64 + 64^2 + 64^3 claims walked.
        assertThat(r.claimsChecked()).isLessThan(500);
    }

    @Test
    void treeStatsCountEveryPathOfADagReadingEachFolderOnceAndStopAtTheLimits() throws Exception {
        DirRef root = reusedAtEveryLevel(4);
        ObjectStore fresh = new ObjectStore(blocks);
        TreeStats.Stats s = new TreeStats(fresh, TreeStats.Limits.DEFAULT, h -> java.util.Optional.empty()).of(root, 0);
        assertThat(s.entries()).isEqualTo(64L + 64 * 64 + 64L * 64 * 64 + 64L * 64 * 64 * 64);
        assertThat(s.depth()).isEqualTo(4);
        assertThat(fresh.reads()).isLessThan(40);
        assertThatThrownBy(() -> new TreeStats(store, new TreeStats.Limits(1_000_000, 512), h -> java.util.Optional.empty()).of(root, 0))
                .isInstanceOf(TreeStats.LimitExceeded.class).hasMessageContaining("1000000");
        assertThatThrownBy(() -> new TreeStats(store, new TreeStats.Limits(100_000_000, 3), h -> java.util.Optional.empty()).of(root, 0))
                .isInstanceOf(TreeStats.LimitExceeded.class).hasMessageContaining("deep");
        // Stats known for the top folder are used as they are, without reading it.
        ObjectStore untouched = new ObjectStore(blocks);
        TreeStats.Stats known = new TreeStats(untouched, TreeStats.Limits.DEFAULT, h -> java.util.Optional.of(new TreeStats.Stats(7, 2))).of(root, 0);
        assertThat(known).isEqualTo(new TreeStats.Stats(7, 2));
        assertThat(untouched.reads()).isZero();
    }

    @Test
    void aVolumeRootMayNotHoldTheClientsStateFolder() throws Exception {
        Entry f = file("status.json", "{}".getBytes());
        DirRef state = DirectoryTree.build(List.of(f), store, TreeParams.DEFAULT);
        DirRef root = DirectoryTree.build(List.of(Entry.directory(".sahara", state)), store, TreeParams.DEFAULT);
        DirRef deeper = DirectoryTree.build(List.of(Entry.directory("p", root)), store, TreeParams.DEFAULT);
        store.flush();
        assertThatThrownBy(() -> TreeCheck.check(store, commit(root), NOTHING_KNOWN, stored()))
                .isInstanceOf(MalformedObjectException.class).hasMessageContaining("reserved");
        assertThat(TreeCheck.check(store, commit(deeper), NOTHING_KNOWN, stored()).complete()).isTrue();
    }
}
