package net.saharasync.clientd.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeEditor;
import net.saharasync.merkle.TreeParams;
import org.junit.jupiter.api.Test;

class MergeCoverageTest {
    final ObjectStore objects = new ObjectStore(new InMemoryBlockStore());

    Entry file(String name, String content) {
        return Entry.file(name, new FileRef(Hash.of(content.getBytes()), content.length(), 0), false, 1);
    }

    DirRef tree(Map<String, String> files) {
        TreeEditor ed = new TreeEditor(objects, TreeParams.DEFAULT);
        new TreeMap<>(files).forEach((p, c) -> ed.put(p, file(p.substring(p.lastIndexOf('/') + 1), c)));
        return ed.build(DirectoryTree.empty(objects));
    }

    final DirRef local = tree(Map.of("a/b/x.txt", "x", "a/y.txt", "y", "c/d/z.txt", "z", "top.txt", "t"));

    @Test
    void anEditNeedsItsFolderListed() {
        DirRef to = tree(Map.of("a/b/x.txt", "x2", "a/y.txt", "y", "c/d/z.txt", "z", "top.txt", "t"));
        assertThat(MergeCoverage.listedWhereChanged(objects, Set.of("a/b"), local, to)).isTrue();
        assertThat(MergeCoverage.listedWhereChanged(objects, Set.of("a", ""), local, to)).isFalse();
    }

    @Test
    void aNewFolderNeedsItsNearestExistingParentListed() {
        DirRef to = tree(Map.of("a/b/x.txt", "x", "a/y.txt", "y", "c/d/z.txt", "z", "top.txt", "t", "a/new/deep/n.txt", "n"));
        assertThat(MergeCoverage.listedWhereChanged(objects, Set.of("a"), local, to)).isTrue();
        assertThat(MergeCoverage.listedWhereChanged(objects, Set.of("a/b", ""), local, to)).isFalse();
    }

    @Test
    void aRemovedFolderNeedsEveryFolderInsideListed() {
        DirRef to = tree(Map.of("a/b/x.txt", "x", "a/y.txt", "y", "top.txt", "t"));
        assertThat(MergeCoverage.listedWhereChanged(objects, Set.of("", "c", "c/d"), local, to)).isTrue();
        assertThat(MergeCoverage.listedWhereChanged(objects, Set.of("", "c"), local, to)).isFalse();
    }

    @Test
    void wideningAddsBothEndsOfAMoveAndEveryDifference() {
        // top.txt moved into c/, a/y.txt into a new folder, c/d/z.txt edited.
        DirRef remote = tree(Map.of("a/b/x.txt", "x", "fresh/y.txt", "y", "c/d/z.txt", "z2", "c/top.txt", "t"));
        Scanner.Changes wider = MergeCoverage.widen(objects, new Scanner.Changes(local, Set.of("reported.txt")), local, remote);
        assertThat(wider.previous()).isEqualTo(local);
        assertThat(wider.paths()).contains("reported.txt", "top.txt", "c/top.txt", "c/d/z.txt", "a/y.txt", "fresh");
    }
}
