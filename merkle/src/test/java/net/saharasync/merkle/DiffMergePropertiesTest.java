package net.saharasync.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.saharasync.blockstore.Hash;
import org.junit.jupiter.api.Test;

/** Seeded random trees and edits; a failing seed is in the assertion message and reruns exactly. */
class DiffMergePropertiesTest {
    private static final int SEEDS = 300;
    private static final Instant T = Instant.parse("2026-11-24T18:15:00Z");

    @Test
    void applyingDiffOfAToBToAYieldsB() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            ObjectStore s = Trees.store();
            TreeMap<String, Entry> a = Trees.randomPaths(r, 1 + r.nextInt(40));
            TreeMap<String, Entry> b = Trees.edit(r, a, 1 + r.nextInt(8));
            DirRef ra = Trees.build(s, a), rb = Trees.build(s, b);
            List<Change> diff = TreeDiff.diff(s, ra, rb);
            DirRef applied = new TreeEditor(s, TreeParams.DEFAULT).apply(diff).build(ra);
            assertThat(applied).as("seed %d, diff %s", seed, diff).isEqualTo(rb);
            assertThat(diff.isEmpty()).as("seed %d", seed).isEqualTo(ra.equals(rb));
        }
    }

    @Test
    void aFolderMoveIsOneMoveNotManyFiles() {
        Random r = new Random(1);
        ObjectStore s = Trees.store();
        TreeMap<String, Entry> a = new TreeMap<>();
        for (int i = 0; i < 1000; i++) a.put("photos/img" + i + ".jpg", Trees.randomFile(r, "img" + i + ".jpg"));
        a.put("archive/notes.txt", Trees.randomFile(r, "notes.txt"));
        TreeMap<String, Entry> b = new TreeMap<>();
        a.forEach((p, e) -> b.put(p.startsWith("photos/") ? "archive/2026/" + p.substring(7) : p, e));
        DirRef ra = Trees.build(s, a);
        List<Change> diff = TreeDiff.diff(s, ra, Trees.build(s, b));
        assertThat(diff).hasSize(1);
        assertThat(diff.getFirst()).isInstanceOfSatisfying(Change.Moved.class, m -> {
            assertThat(m.from()).isEqualTo("photos");
            assertThat(m.path()).isEqualTo("archive/2026");
        });
        // and what the other side lacks after the move: a few directory nodes, no file data
        List<Hash> lacking = Missing.missing(s, Trees.build(s, b), hashes -> {
            java.util.Set<Hash> have = new java.util.HashSet<>();
            Trees.flatten(s, ra).values().forEach(e -> have.add(e.content()));
            collectNodes(s, ra, have);
            java.util.Set<Hash> out = new java.util.HashSet<>(hashes);
            out.removeAll(have);
            return out;
        });
        assertThat(lacking).hasSizeBetween(2, 6);

    }

    @Test
    void mergeWithOneSideUnchangedTakesTheOtherSide() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            ObjectStore s = Trees.store();
            TreeMap<String, Entry> base = Trees.randomPaths(r, 1 + r.nextInt(40));
            DirRef b = Trees.build(s, base), x = Trees.build(s, Trees.edit(r, base, 1 + r.nextInt(8)));
            assertThat(Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), x, b, "L", "R", T).root()).as("seed %d", seed).isEqualTo(x);
            assertThat(Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), b, x, "L", "R", T).root()).as("seed %d", seed).isEqualTo(x);
            assertThat(Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), x, x, "L", "R", T).conflicts()).isEmpty();
        }
    }

    @Test
    void mergeKeepsEveryVersionSymmetricallyAndCopiesOnlyRealConflicts() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            ObjectStore s = Trees.store();
            TreeMap<String, Entry> base = Trees.randomPaths(r, 1 + r.nextInt(40));
            TreeMap<String, Entry> local = Trees.edit(r, base, 1 + r.nextInt(8));
            TreeMap<String, Entry> remote = Trees.edit(r, base, 1 + r.nextInt(8));
            DirRef b = Trees.build(s, base), l = Trees.build(s, local), rr = Trees.build(s, remote);
            Merge.Result m = Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), l, rr, "laptop", "desktop", T);
            Merge.Result mirror = Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), rr, l, "desktop", "laptop", T);
            TreeMap<String, Entry> merged = Trees.flatten(s, m.root());
            String ctx = "seed " + seed + "\nbase " + base.keySet() + "\nlocal " + local.keySet() + "\nremote " + remote.keySet()
                    + "\nmerged " + merged.keySet();

            // No version dropped, unless it was an untouched base version (also one only moved) the other side changed or deleted.
            Map<Hash, Integer> contents = contentCounts(merged);
            for (Map<String, Entry> side : List.of(local, remote)) {
                side.forEach((p, e) -> {
                    boolean untouchedBase = base.values().stream().anyMatch(was -> was.sameContent(e));
                    assertThat(contents.containsKey(e.content()) || untouchedBase).as("%s\nlost %s", ctx, p).isTrue();
                });
            }
            // Symmetric up to which side is named the conflict copy.
            assertThat(contentCounts(Trees.flatten(s, mirror.root()))).as(ctx).isEqualTo(contents);
            assertThat(mirror.conflicts()).hasSameSizeAs(m.conflicts());
            // A conflict copy only where both sides changed the same path differently.
            for (Merge.Conflict c : m.conflicts()) {
                assertThat(c.path()).as(ctx).doesNotContain("(conflict");
                assertThat(merged).as(ctx).containsKey(c.copyPath());
            }
            long copies = merged.keySet().stream().filter(p -> p.contains("(conflict ")).count();
            assertThat(copies).as(ctx).isEqualTo(m.conflicts().size());
        }
    }

    private static void collectNodes(ObjectStore s, DirRef dir, java.util.Set<Hash> out) {
        out.add(dir.root());
        if (dir.height() > 0) {
            for (TreeObject.DirChild c : s.read(dir.root(), TreeObject.DirIndex.class).children()) {
                collectNodes(s, new DirRef(c.hash(), dir.height() - 1), out);
            }
            return;
        }
        for (Entry e : DirectoryTree.entries(s, dir)) if (e.isDirectory()) collectNodes(s, e.dir(), out);
    }

    private static Map<Hash, Integer> contentCounts(Map<String, Entry> files) {
        Map<Hash, Integer> m = new HashMap<>();
        files.values().forEach(e -> m.merge(e.content(), 1, Integer::sum));
        return m;
    }

    @Test
    void concurrentEditsOfOneFileKeepBothWithTheOlderOneAsTheConflictCopy() {
        Random r = new Random(5);
        ObjectStore s = Trees.store();
        Entry orig = Trees.randomFile(r, "report.txt"), mine = older(Trees.randomFile(r, "report.txt"), 10), theirs = older(Trees.randomFile(r, "report.txt"), 5);
        DirRef b = Trees.build(s, Map.of("docs/report.txt", orig));
        DirRef l = Trees.build(s, Map.of("docs/report.txt", mine));
        DirRef rr = Trees.build(s, Map.of("docs/report.txt", theirs));
        Merge.Result m = Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), l, rr, "laptop", "desktop", T);
        TreeMap<String, Entry> merged = Trees.flatten(s, m.root());
        String copy = "docs/report (conflict laptop 2026-11-24 181500).txt";
        assertThat(merged.keySet()).containsExactly("docs/report (conflict laptop 2026-11-24 181500).txt", "docs/report.txt");
        assertThat(merged.get("docs/report.txt").content()).isEqualTo(theirs.content());
        assertThat(merged.get(copy).content()).isEqualTo(mine.content());
        assertThat(m.conflicts()).containsExactly(new Merge.Conflict("docs/report.txt", Merge.Reason.BOTH_CHANGED, copy, "laptop"));

        // The newer write keeps the name, whichever side made it: here local's.
        Entry mineLater = older(mine, -1_000_000_000L * 3600);
        DirRef l2 = Trees.build(s, Map.of("docs/report.txt", mineLater));
        Merge.Result m2 = Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), l2, rr, "laptop", "desktop", T);
        TreeMap<String, Entry> merged2 = Trees.flatten(s, m2.root());
        String copy2 = "docs/report (conflict desktop 2026-11-24 181500).txt";
        assertThat(merged2.get("docs/report.txt").content()).isEqualTo(mine.content());
        assertThat(merged2.get(copy2).content()).isEqualTo(theirs.content());
        assertThat(m2.conflicts()).containsExactly(new Merge.Conflict("docs/report.txt", Merge.Reason.BOTH_CHANGED, copy2, "desktop"));
    }

    /** {@code e} with an mtime {@code by} nanoseconds earlier (a fixed base time, so tests can order writes). */
    private static Entry older(Entry e, long by) {
        return new Entry(e.name(), e.kind(), e.executable(), 1_800_000_000_000_000_000L - by, e.size(), e.content(), e.height(), e.ownerOnly());
    }

    @Test
    void oneFileOrFolderRenamedToTwoNamesAtOnceEndsAsOneAtRemotesName() {
        Random r = new Random(9);
        ObjectStore s = Trees.store();
        Entry thesis = Trees.randomFile(r, "thesis.txt"), photo = Trees.randomFile(r, "a.jpg"), other = Trees.randomFile(r, "x.txt");
        DirRef b = Trees.build(s, Map.of("thesis.txt", thesis, "photos/a.jpg", photo, "keep/x.txt", other));
        // Local: thesis.txt -> final.txt, photos/ -> pics/; remote: thesis.txt -> docs/thesis-v1.txt, photos/ -> album/.
        DirRef l = Trees.build(s, Map.of("final.txt", thesis, "pics/a.jpg", photo, "keep/x.txt", other));
        DirRef rr = Trees.build(s, Map.of("docs/thesis-v1.txt", thesis, "album/a.jpg", photo, "keep/x.txt", other));
        Merge.Result m = Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), l, rr, "laptop", "desktop", T);
        TreeMap<String, Entry> merged = Trees.flatten(s, m.root());
        assertThat(merged.keySet()).containsExactly("album/a.jpg", "docs/thesis-v1.txt", "keep/x.txt");
        assertThat(m.conflicts()).isEmpty();

        // Renamed and changed on one side is not the same rename: both stay.
        Entry edited = Trees.randomFile(r, "final.txt");
        DirRef l2 = Trees.build(s, Map.of("final.txt", edited, "photos/a.jpg", photo, "keep/x.txt", other));
        TreeMap<String, Entry> both = Trees.flatten(s, Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), l2, rr, "laptop", "desktop", T).root());
        assertThat(both.keySet()).contains("final.txt", "docs/thesis-v1.txt");
    }

    @Test
    void anEditBeatsADeleteAndANewFileSurvivesItsDeletedFolder() {
        Random r = new Random(6);
        ObjectStore s = Trees.store();
        Entry a = Trees.randomFile(r, "a"), a2 = Trees.randomFile(r, "a"), keep = Trees.randomFile(r, "b"), added = Trees.randomFile(r, "new");
        DirRef b = Trees.build(s, Map.of("x/a", a, "x/b", keep));
        DirRef deletedFolder = Trees.build(s, Map.of());
        DirRef editedInside = Trees.build(s, Map.of("x/a", a2, "x/b", keep, "x/new", added));
        for (boolean swap : new boolean[] {false, true}) {
            Merge.Result m = swap
                    ? Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), editedInside, deletedFolder, "L", "R", T)
                    : Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), deletedFolder, editedInside, "L", "R", T);
            TreeMap<String, Entry> merged = Trees.flatten(s, m.root());
            // x/b was unchanged on the editing side, so the delete takes it; the edit and the new file stay.
            assertThat(merged.keySet()).containsExactly("x/a", "x/new");
            assertThat(merged.get("x/a").content()).isEqualTo(a2.content());
            assertThat(m.conflicts()).isEmpty();
        }
    }

    @Test
    void aFileAndAFolderAtOnePathAreBothKept() {
        Random r = new Random(7);
        ObjectStore s = Trees.store();
        Entry file = Trees.randomFile(r, "thing"), inner = Trees.randomFile(r, "inner");
        DirRef b = Trees.build(s, Map.of());
        DirRef l = Trees.build(s, Map.of("thing", file));
        DirRef rr = Trees.build(s, Map.of("thing/inner", inner));
        Merge.Result m = Merge.merge(s, TreeParams.DEFAULT, Optional.of(b), l, rr, "laptop", "desktop", T);
        assertThat(Trees.flatten(s, m.root()).keySet()).containsExactly("thing (conflict laptop 2026-11-24 181500)", "thing/inner");
        assertThat(m.conflicts().getFirst().reason()).isEqualTo(Merge.Reason.FILE_VERSUS_DIRECTORY);
    }

    @Test
    void sameContentWithDifferentMetadataIsNotAConflict() {
        Random r = new Random(8);
        ObjectStore s = Trees.store();
        Entry f = Trees.randomFile(r, "f");
        Entry touched = new Entry("f", f.kind(), f.executable(), f.mtimeNanos() + 5, f.size(), f.content(), f.height());
        Entry chmod = new Entry("f", f.kind(), !f.executable(), f.mtimeNanos(), f.size(), f.content(), f.height());
        Merge.Result m = Merge.merge(s, TreeParams.DEFAULT, Optional.of(Trees.build(s, Map.of("f", f))),
                Trees.build(s, Map.of("f", touched)), Trees.build(s, Map.of("f", chmod)), "L", "R", T);
        assertThat(m.conflicts()).isEmpty();
        Entry merged = Trees.flatten(s, m.root()).get("f");
        assertThat(merged.mtimeNanos()).isEqualTo(touched.mtimeNanos());
        assertThat(merged.executable()).isEqualTo(chmod.executable());
    }

    @Test
    void conflictNamesStayUniqueAndWithinTheNameLimit() {
        Merge m = mergeForNames();
        java.util.Set<String> taken = new java.util.HashSet<>();
        String first = m.conflictName("a.txt", "dev/1", taken);
        assertThat(first).isEqualTo("a (conflict dev_1 2026-11-24 181500).txt");
        taken.add(first);
        assertThat(m.conflictName("a.txt", "dev/1", taken)).isEqualTo("a (conflict dev_1 2026-11-24 181500 2).txt");
        String longName = "x".repeat(250) + ".md";
        String c = m.conflictName(longName, "d", new java.util.HashSet<>());
        assertThat(c.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(c).endsWith(" (conflict d 2026-11-24 181500).md");
        assertThat(m.conflictName(".bashrc", "d", new java.util.HashSet<>())).isEqualTo(".bashrc (conflict d 2026-11-24 181500)");
    }

    private static Merge mergeForNames() {
        try {
            var ctor = Merge.class.getDeclaredConstructor(ObjectStore.class, TreeParams.class, String.class, String.class, Instant.class);
            ctor.setAccessible(true);
            return ctor.newInstance(Trees.store(), TreeParams.DEFAULT, "L", "R", T);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEditFollowsAMoveMadeAtTheSameTimeOnTheOtherSide() {
        Random r = new Random(11);
        ObjectStore s = Trees.store();
        Entry a = Trees.randomFile(r, "a.txt"), b1 = Trees.randomFile(r, "b.txt"), a2 = Trees.randomFile(r, "a.txt"),
                added = Trees.randomFile(r, "new.txt"), notes = Trees.randomFile(r, "notes.txt"), notes2 = Trees.randomFile(r, "notes.txt");
        DirRef base = Trees.build(s, Map.of("docs/a.txt", a, "docs/b.txt", b1, "notes.txt", notes));
        // One side moves docs/ into archive/ and renames notes.txt; the other edits inside docs/, adds, deletes, and edits notes.txt.
        DirRef mover = Trees.build(s, Map.of("archive/2026/docs/a.txt", a, "archive/2026/docs/b.txt", b1, "old-notes.txt", notes));
        DirRef editor = Trees.build(s, Map.of("docs/a.txt", a2, "docs/new.txt", added, "notes.txt", notes2));
        for (boolean moverIsRemote : new boolean[] {true, false}) {
            Merge.Result m = moverIsRemote
                    ? Merge.merge(s, TreeParams.DEFAULT, Optional.of(base), editor, mover, "L", "R", T)
                    : Merge.merge(s, TreeParams.DEFAULT, Optional.of(base), mover, editor, "L", "R", T);
            TreeMap<String, Entry> merged = Trees.flatten(s, m.root());
            assertThat(merged.keySet()).as("mover is remote: %s", moverIsRemote)
                    .containsExactly("archive/2026/docs/a.txt", "archive/2026/docs/new.txt", "old-notes.txt");
            assertThat(merged.get("archive/2026/docs/a.txt").content()).isEqualTo(a2.content());
            assertThat(merged.get("old-notes.txt").content()).isEqualTo(notes2.content());
            assertThat(m.conflicts()).isEmpty();
        }
        // A moved-and-edited folder on one side and an edit on the other is no plain move: both stay.
        DirRef movedAndEdited = Trees.build(s, Map.of("archive/docs/a.txt", a, "archive/docs/b.txt", Trees.randomFile(r, "b.txt"), "notes.txt", notes));
        TreeMap<String, Entry> both = Trees.flatten(s, Merge.merge(s, TreeParams.DEFAULT, Optional.of(base), editor, movedAndEdited, "L", "R", T).root());
        assertThat(both.keySet()).contains("docs/a.txt", "archive/docs/a.txt");
    }

    @Test
    void firstSyncWithoutABaseMergesBothSides() {
        Random r = new Random(9);
        ObjectStore s = Trees.store();
        TreeMap<String, Entry> l = Trees.randomPaths(r, 20), rr = Trees.randomPaths(new Random(99), 20);
        Merge.Result m = Merge.merge(s, TreeParams.DEFAULT, Optional.empty(), Trees.build(s, l), Trees.build(s, rr), "L", "R", T);
        Map<Hash, Integer> contents = contentCounts(Trees.flatten(s, m.root()));
        List<Entry> all = new ArrayList<>(l.values());
        all.addAll(rr.values());
        for (Entry e : all) assertThat(contents).containsKey(e.content());
    }
}
