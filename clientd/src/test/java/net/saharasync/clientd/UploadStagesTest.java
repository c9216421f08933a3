package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.Paths;
import net.saharasync.merkle.TreeEditor;
import net.saharasync.merkle.TreeParams;
import org.junit.jupiter.api.Test;

/** How a large upload is split into commits: trees only, no folder or host. */
class UploadStagesTest {
    private final ObjectStore objects = new ObjectStore(new InMemoryBlockStore());
    private static final UploadStages.Limits SMALL = new UploadStages.Limits(1_000, 4_000, 10, 40, 0);
    private static final java.util.function.Function<List<Hash>, List<Hash>> NOTHING_HOSTED = hs -> hs;

    /** A tree of files whose content is named by {@code content} and sized {@code size}. */
    private DirRef tree(Map<String, String> files, long size) {
        TreeEditor ed = new TreeEditor(objects, TreeParams.DEFAULT);
        files.forEach((path, content) -> ed.put(path, file(content, size)));
        return ed.build(DirectoryTree.empty(objects));
    }

    private static Entry file(String content, long size) {
        return Entry.file("x", new FileRef(Hash.of(content.getBytes(StandardCharsets.UTF_8)), size, 0), false, 1_000L);
    }

    /** path -> content hash of every file. */
    private TreeMap<String, String> files(DirRef root) {
        TreeMap<String, String> out = new TreeMap<>();
        walk(root, "", out);
        return out;
    }

    private void walk(DirRef dir, String prefix, TreeMap<String, String> out) {
        for (Entry e : DirectoryTree.entries(objects, dir)) {
            String p = Paths.join(prefix, e.name());
            if (e.isDirectory()) walk(e.dir(), p, out);
            else out.put(p, e.content().toHex());
        }
    }

    private static Map<String, String> numbered(String prefix, int folders, int perFolder) {
        Map<String, String> m = new TreeMap<>();
        for (int d = 0; d < folders; d++) {
            for (int f = 0; f < perFolder; f++) m.put(prefix + "d" + d + "/f" + f, prefix + d + "." + f);
        }
        return m;
    }

    @Test
    void aLargeInitialUploadGoesInGrowingNestedStagesThatEndBeforeTheWholeTree() {
        DirRef local = tree(numbered("", 10, 20), 100); // 200 files, 20,000 bytes
        UploadStages.Plan plan = UploadStages.plan(objects, TreeParams.DEFAULT, Optional.empty(), local, SMALL, NOTHING_HOSTED);

        assertThat(plan.stages()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(plan.bytes()).isEqualTo(20_000);
        TreeMap<String, String> all = files(local);
        TreeMap<String, String> previous = new TreeMap<>();
        List<Integer> sizes = new ArrayList<>();
        for (DirRef stage : plan.stages()) {
            TreeMap<String, String> here = files(stage);
            assertThat(here).containsAllEntriesOf(previous); // each stage holds the one before
            assertThat(all).containsAllEntriesOf(here); // and only what the folder has, as it has it
            assertThat(here.size()).isGreaterThan(previous.size());
            sizes.add(here.size() - previous.size());
            previous = here;
        }
        assertThat(previous.size()).isLessThan(all.size()); // the last slice is the final commit's
        // 10 files (1,000 bytes) first, then twice as many, up to 40.
        assertThat(sizes.getFirst()).isEqualTo(10);
        assertThat(sizes.get(1)).isEqualTo(20);
        assertThat(sizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(40));
    }

    @Test
    void aChangeBelowTwoFirstStagesIsOneCommit() {
        DirRef base = tree(numbered("", 5, 100), 10_000);
        // 19 new files of 10 bytes: under two first stages (20 files, 2,000 bytes); base's big files do not count.
        TreeEditor ed = new TreeEditor(objects, TreeParams.DEFAULT);
        for (int i = 0; i < 19; i++) ed.put("new/n" + i, file("n" + i, 10));
        DirRef local = ed.build(base);

        assertThat(UploadStages.plan(objects, TreeParams.DEFAULT, Optional.of(base), local, SMALL, NOTHING_HOSTED).stages()).isEmpty();
    }

    @Test
    void stagesNeverRemoveOrMoveWhatBaseHas() {
        Map<String, String> baseFiles = numbered("old/", 4, 50);
        DirRef base = tree(baseFiles, 100);
        TreeEditor ed = new TreeEditor(objects, TreeParams.DEFAULT);
        // Moves and copies of base's content, a removal, and 100 files of new content. (A
        // copy may come in a stage: the other machine copies it from its own file either way.)
        for (int f = 0; f < 50; f++) {
            ed.delete("old/d0/f" + f);
            ed.put("old/d1/moved" + f, file("old/0." + f, 100)); // into a folder base has: the diff pairs it as a move
            ed.put("copied/f" + f, file("old/1." + f, 100));
        }
        ed.delete("old/d2");
        for (int f = 0; f < 100; f++) ed.put("fresh/f" + String.format("%03d", f), file("fresh" + f, 100));
        DirRef local = ed.build(base);

        UploadStages.Plan plan = UploadStages.plan(objects, TreeParams.DEFAULT, Optional.of(base), local, SMALL, NOTHING_HOSTED);

        assertThat(plan.stages()).isNotEmpty();
        assertThat(plan.bytes()).as("fresh and copied content").isEqualTo(150 * 100);
        TreeMap<String, String> inBase = files(base);
        for (DirRef stage : plan.stages()) {
            TreeMap<String, String> here = files(stage);
            assertThat(here).containsAllEntriesOf(inBase); // nothing removed or moved away
            assertThat(here.keySet()).noneMatch(p -> p.startsWith("old/d1/moved")); // moves wait for the final commit
        }
    }

    @Test
    void contentTheHostHasWaitsForTheFinalCommit() {
        DirRef base = tree(numbered("photos/", 4, 50), 100_000); // 200 files, 20 MB
        // The folder moved into a new one (the diff sees a new folder, not a move) and 25 new files.
        TreeEditor ed = new TreeEditor(objects, TreeParams.DEFAULT);
        ed.delete("photos");
        numbered("photos/", 4, 50).forEach((path, content) -> ed.put("2026/" + path, file(content, 100_000)));
        for (int i = 0; i < 25; i++) ed.put("2026/new" + i, file("new" + i, 10));
        DirRef local = ed.build(base);
        java.util.Set<Hash> hosted = new java.util.HashSet<>();
        numbered("photos/", 4, 50).values().forEach(c -> hosted.add(Hash.of(c.getBytes(StandardCharsets.UTF_8))));

        UploadStages.Plan plan = UploadStages.plan(objects, TreeParams.DEFAULT, Optional.of(base), local, SMALL,
                hs -> hs.stream().filter(h -> !hosted.contains(h)).toList());

        assertThat(plan.bytes()).isEqualTo(25 * 10);
        assertThat(plan.stages()).isNotEmpty();
        for (DirRef stage : plan.stages()) {
            assertThat(files(stage).keySet()).noneMatch(p -> p.startsWith("2026/photos/"));
        }
        // Were the host not known to have them, they would be staged.
        assertThat(UploadStages.plan(objects, TreeParams.DEFAULT, Optional.of(base), local, SMALL, NOTHING_HOSTED).bytes())
                .isEqualTo(200 * 100_000 + 25 * 10);
    }

    @Test
    void aFileWhoseContentChangedIsStagedAndOneThatOnlyTouchedIsNot() {
        Map<String, String> baseFiles = numbered("", 2, 30);
        DirRef base = tree(baseFiles, 100);
        TreeEditor ed = new TreeEditor(objects, TreeParams.DEFAULT);
        for (int f = 0; f < 30; f++) ed.put("d0/f" + f, file("edited" + f, 100)); // new content
        for (int f = 0; f < 30; f++) ed.put("d1/f" + f, Entry.file("x", new FileRef(Hash.of(("1." + f).getBytes(StandardCharsets.UTF_8)), 100, 0), true, 5L)); // mode and time only
        DirRef local = ed.build(base);

        UploadStages.Plan plan = UploadStages.plan(objects, TreeParams.DEFAULT, Optional.of(base), local, SMALL, NOTHING_HOSTED);

        assertThat(plan.bytes()).isEqualTo(30 * 100);
        TreeMap<String, String> first = files(plan.stages().getFirst());
        assertThat(first.get("d0/f0")).isEqualTo(Hash.of("edited0".getBytes(StandardCharsets.UTF_8)).toHex());
        for (DirRef stage : plan.stages()) {
            for (Entry e : DirectoryTree.entries(objects, DirectoryTree.lookupPath(objects, stage, "d1").orElseThrow().dir())) {
                assertThat(e.executable()).as(e.name()).isFalse(); // d1 as base had it
            }
        }
    }
}
