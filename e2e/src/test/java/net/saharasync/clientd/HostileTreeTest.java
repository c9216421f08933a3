package net.saharasync.clientd;

import net.saharasync.protocol.Head;
import net.saharasync.protocol.Upload;
import net.saharasync.protocol.BlockSink;
import net.saharasync.protocol.CommitResult;
import net.saharasync.protocol.ForwardingHost;
import net.saharasync.protocol.HostApi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.protocol.HostError;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.ObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trees a hostile writer of a shared volume (or a compromised host) crafts by hand, against a
 * real host on loopback and real clients on real folders: the client's state folder, names
 * that look like the client's own, ignored names, and trees that claim billions of files.
 */
class HostileTreeTest {
    @TempDir
    Path tmp;

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static HostileWriter writer(TwoMachines m) {
        return new HostileWriter(m.url(), m.token, m.ea.config().volume());
    }

    /** The head's tree, read from a fresh client's view of the volume (C joins and syncs once). */
    private DirRef headTree(TwoMachines m, String name) throws IOException {
        Path c = tmp.resolve(name);
        Join.join(m.url(), m.token, c, "docs", name, Optional.empty());
        try (SyncEngine ec = SyncEngine.open(c)) {
            ec.cycle();
            return ec.index().base().orElseThrow().root();
        }
    }

    private static List<String> names(ObjectStore objects, DirRef root) {
        List<String> out = new ArrayList<>();
        for (Entry e : DirectoryTree.entries(objects, root)) out.add(e.name());
        return out;
    }

    @Test
    void theHostRefusesAVolumeRootNamedLikeTheClientsStateFolder() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = writer(m)) {
            DirRef root = w.root(w.file("a.txt", "hello"),
                    w.dir(".sahara", w.symlink("trash", outside.toString().getBytes(StandardCharsets.UTF_8)), w.file("status.json", "{}")));
            assertThatThrownBy(() -> w.commit(root)).isInstanceOfSatisfying(HostError.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("invalid_tree");
                assertThat(e.getMessage()).contains("reserved");
            });
            // A .sahara deeper down is an ordinary folder.
            assertThat(w.commit(w.root(w.dir("project", w.dir(".sahara", w.file("x", "y"))))))
                    .isInstanceOf(CommitResult.Accepted.class);
        }
    }

    /** A host that serves a planted head (a compromised host, or a volume written before hosts refused such trees). */
    static final class PlantingHost extends ForwardingHost {
        private final HostileWriter planted;
        private Optional<Head> head = Optional.empty();

        PlantingHost(HostApi real, HostileWriter planted) {
            super(real);
            this.planted = planted;
        }

        void plant(DirRef root) throws IOException {
            Hash c = planted.objects.write(new net.saharasync.merkle.Commit(root, List.of(), "mallory", System.currentTimeMillis()));
            planted.objects.flush();
            head = Optional.of(new Head(1_000, Optional.of(c)));
        }

        @Override
        public Head head(String volume) throws IOException {
            return head.isPresent() ? head.get() : real.head(volume);
        }

        @Override
        public void fetch(List<Hash> hashes, BlockSink sink) throws IOException {
            for (Hash h : hashes) {
                Optional<byte[]> b = planted.blocks.get(h);
                if (b.isPresent()) sink.accept(h, b.get());
                else real.fetch(List.of(h), sink);
            }
        }

        /** Planted blocks go whole, as a hostile host would send them. */
        @Override
        public void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, java.util.function.Function<Hash, Optional<byte[]>> localBase,
                               BlockSink sink) throws IOException {
            fetch(hashes, sink);
        }

        @Override
        public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) {
            Head now = new Head(head.orElseThrow().seq() + 1, Optional.of(commit));
            head = Optional.of(now);
            return new CommitResult.Accepted(now);
        }

        @Override
        public java.util.Set<Hash> missing(List<Hash> hashes) {
            return java.util.Set.of(); // "I have everything": nothing goes up
        }

        @Override
        public void upload(List<Upload> blocks) {}
    }

    @Test
    void aPlantedStateFolderIsNeverWrittenAndTheTrashNeverLeavesTheFolder() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = writer(m)) {
            Files.writeString(m.b.resolve("victim.txt"), "my thesis");
            Files.writeString(m.b.resolve("kept.txt"), "kept");
            m.eb.cycle();
            String config = read(m.b.resolve(".sahara/config.json"));
            PlantingHost evil = new PlantingHost(m.eb.host(), w);
            // victim.txt is gone from the planted tree: B must move it to its own trash.
            evil.plant(w.root(w.file("kept.txt", "kept"),
                    w.dir(".sahara", w.symlink("trash", outside.toString().getBytes(StandardCharsets.UTF_8)),
                            w.file("status.json", "{\"lastError\":\"pay 1 BTC to unlock\"}"), w.file("config.json", "{}"))));
            try (SyncEngine victim = new SyncEngine(m.b, m.eb.config(), evil)) {
                m.eb.close();
                victim.cycle();
                assertThat(m.b.resolve("victim.txt")).doesNotExist();
                try (var s = Files.list(outside)) {
                    assertThat(s.toList()).as("nothing went through the planted link").isEmpty();
                }
                Path trash = m.b.resolve(".sahara/trash");
                assertThat(Files.isSymbolicLink(trash)).isFalse();
                try (var s = Files.walk(trash)) {
                    assertThat(s.filter(p -> p.getFileName().toString().equals("victim.txt")).count()).isEqualTo(1);
                }
                assertThat(read(m.b.resolve(".sahara/config.json"))).isEqualTo(config);
                assertThat(Files.exists(m.b.resolve(".sahara/status.json")) ? read(m.b.resolve(".sahara/status.json")) : "")
                        .doesNotContain("BTC");
                // The merge B committed onto the planted head drops the reserved folder.
                Head head = evil.head(m.eb.config().volume());
                ObjectStore objects = victim.index().objects();
                DirRef root = ((net.saharasync.merkle.Commit) objects.read(head.commit().orElseThrow())).root();
                assertThat(names(objects, root)).containsExactly("kept.txt");
            }
            m.eb = SyncEngine.open(m.b);
        }
    }

    @Test
    void theTrashIsReachedWithoutFollowingALinkPutInItsPlace() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("doc.txt"), "precious");
            m.settle();
            Path trash = m.b.resolve(".sahara/trash");
            if (Files.exists(trash, LinkOption.NOFOLLOW_LINKS)) Files.delete(trash);
            Files.createSymbolicLink(trash, outside);
            Files.delete(m.a.resolve("doc.txt"));
            m.ea.cycle();
            assertThatThrownBy(() -> m.eb.cycle()).hasMessageContaining("symlink is never followed");
            assertThat(read(m.b.resolve("doc.txt"))).isEqualTo("precious");
            try (var s = Files.list(outside)) {
                assertThat(s.toList()).isEmpty();
            }
        }
    }

    @Test
    void aStateFolderThatIsALinkIsRefused() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        try (TwoMachines m = new TwoMachines(tmp)) {
            m.eb.close();
            Path state = m.b.resolve(".sahara");
            Files.move(state, elsewhere.resolve("moved"));
            Files.createSymbolicLink(state, elsewhere.resolve("moved"));
            assertThatThrownBy(() -> SyncEngine.open(m.b)).hasMessageContaining("symlink is never followed");
            Files.delete(state);
            Files.move(elsewhere.resolve("moved"), state);
            m.eb = SyncEngine.open(m.b);
        }
    }

    @Test
    void aRemoteRenameToATempLikeNameKeepsTheFileEverywhere() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("thesis.txt"), "four years of work");
            m.settle();
            Files.move(m.a.resolve("thesis.txt"), m.a.resolve(".sahara-tmp-0"));
            m.settle();
            assertThat(read(m.b.resolve(".sahara-tmp-0"))).isEqualTo("four years of work");
            assertThat(read(m.a.resolve(".sahara-tmp-0"))).isEqualTo("four years of work");
            m.settle(); // and no later cycle takes it for a leftover
            assertThat(read(m.b.resolve(".sahara-tmp-0"))).isEqualTo("four years of work");
            m.assertSame();
        }
    }

    @Test
    void ignoredNamesFromAnotherMachineAreNeitherWrittenNorDroppedFromTheVolume() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = writer(m)) {
            Files.writeString(m.b.resolve("notes.txt.swp"), "B's own swap file");
            assertThat(w.commit(w.root(w.file("notes.txt.swp", "the writer's"), w.file("keep.txt", "v1"))))
                    .isInstanceOf(CommitResult.Accepted.class);
            m.eb.cycle();
            assertThat(read(m.b.resolve("keep.txt"))).isEqualTo("v1");
            assertThat(read(m.b.resolve("notes.txt.swp"))).isEqualTo("B's own swap file");
            Files.writeString(m.b.resolve("keep.txt"), "v2 from B");
            assertThat(m.eb.cycle().agreed()).isTrue();
            ObjectStore objects = m.eb.index().objects();
            DirRef head = headTree(m, "C");
            try (SyncEngine ec = SyncEngine.open(tmp.resolve("C"))) {
                ObjectStore co = ec.index().objects();
                assertThat(names(co, head)).containsExactly("keep.txt", "notes.txt.swp");
                Entry swp = DirectoryTree.lookupPath(co, head, "notes.txt.swp").orElseThrow();
                assertThat(swp.size()).isEqualTo("the writer's".length());
            }
            assertThat(objects).isNotNull();
        }
    }

    @Test
    void ignoringAFolderStopsSyncingItAndNeverDeletesIt() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.createDirectories(m.a.resolve("videos"));
            Files.writeString(m.a.resolve("videos/holiday.mp4"), "frames");
            m.settle();
            Files.writeString(m.a.resolve(".saharaignore"), "videos/\n");
            m.settle();
            assertThat(read(m.b.resolve("videos/holiday.mp4"))).isEqualTo("frames");
            assertThat(read(m.a.resolve("videos/holiday.mp4"))).isEqualTo("frames");
            // A new file in the ignored folder stays where it is made.
            Files.writeString(m.b.resolve("videos/new.mp4"), "more frames");
            m.settle();
            assertThat(m.a.resolve("videos/new.mp4")).doesNotExist();
            // Deleting one here, while ignored, deletes it nowhere else either.
            Files.delete(m.b.resolve("videos/holiday.mp4"));
            m.settle();
            assertThat(read(m.a.resolve("videos/holiday.mp4"))).isEqualTo("frames");
            // Once no longer ignored, what the volume holds comes back to B (not deleted from the volume).
            Files.delete(m.a.resolve(".saharaignore"));
            m.settle();
            assertThat(read(m.b.resolve("videos/holiday.mp4"))).isEqualTo("frames");
            assertThat(read(m.a.resolve("videos/new.mp4"))).isEqualTo("more frames");
            m.assertSame();
        }
    }

    @Test
    void aTreeClaimingBillionsOfFilesIsRefusedByTheHostAndByTheClient() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = writer(m)) {
            // One folder object at every level: 64 entries each, five levels: 64^5 (10^9) files in a few KB.
            Entry level = w.file("f", "x");
            for (int depth = 0; depth < 5; depth++) {
                Entry[] sixtyFour = new Entry[64];
                for (int i = 0; i < 64; i++) sixtyFour[i] = depth == 0 ? w.file("f" + i, "x") : level.withName("d" + i);
                level = w.dir("d", sixtyFour);
            }
            DirRef bomb = w.root(level.withName("bomb"));
            assertThatThrownBy(() -> w.commit(bomb)).isInstanceOfSatisfying(HostError.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("tree_too_large");
            });
            // Served by a hostile host instead, the client refuses it before writing anything.
            Files.writeString(m.b.resolve("mine.txt"), "mine");
            m.eb.cycle();
            PlantingHost evil = new PlantingHost(m.eb.host(), w);
            evil.plant(bomb);
            m.eb.close();
            try (SyncEngine victim = new SyncEngine(m.b, m.eb.config(), evil)) {
                assertThatThrownBy(victim::cycle).hasMessageContaining("refusing the volume's new tree, nothing written");
            }
            try (var s = Files.list(m.b)) {
                assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(".sahara", "mine.txt");
            }
            m.eb = SyncEngine.open(m.b);
        }
    }
}
