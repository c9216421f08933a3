package net.saharasync.clientd;

import net.saharasync.protocol.CommitResult;
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
import java.util.concurrent.TimeUnit;
import net.saharasync.blockstore.Block;
import net.saharasync.protocol.HostError;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.ObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries no client can create — symlink targets that are empty, hold NUL, run past 4095
 * bytes or are not UTF-8 — are refused by the host; a client that meets one anyway (from a
 * compromised host, or a volume written before hosts refused them) reports it and syncs the
 * rest. On the way up, a symlink whose target is not UTF-8 and a file whose time is out of
 * range are reported as not synced, never rewritten into something else and committed.
 */
class UncreatableEntryTest {
    @TempDir
    Path tmp;

    private static final byte[] NOT_UTF8 = {'a', (byte) 0xff, (byte) 0xfe, 'b'};

    private static List<Entry> uncreatable(HostileWriter w) {
        return List.of(w.symlink("empty", new byte[0]), w.symlink("nul", "a\0b".getBytes(StandardCharsets.UTF_8)),
                w.symlink("long", "x/".repeat(2500).getBytes(StandardCharsets.UTF_8)), w.symlink("latin1", NOT_UTF8));
    }

    @Test
    void theHostRefusesSymlinkTargetsNoClientCanCreate() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = new HostileWriter(m.url(), m.token, m.ea.config().volume())) {
            for (Entry bad : uncreatable(w)) {
                assertThatThrownBy(() -> w.commit(w.root(w.file("ok.txt", "fine"), bad)))
                        .as(bad.name()).isInstanceOfSatisfying(HostError.class, e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.code()).isEqualTo("invalid_tree");
                            assertThat(e.getMessage()).contains("symlink target");
                        });
            }
            // The longest target a client can create, and any bytes short of NUL that are UTF-8, go through.
            assertThat(w.commit(w.root(w.symlink("max", "y".repeat(4095).getBytes(StandardCharsets.UTF_8)),
                    w.symlink("odd", "../ü/ -> \t".getBytes(StandardCharsets.UTF_8))))).isInstanceOf(CommitResult.Accepted.class);
        }
    }

    @Test
    void aClientMeetingSymlinksItCannotCreateReportsThemSyncsTheRestAndKeepsThemInTheVolume() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = new HostileWriter(m.url(), m.token, m.ea.config().volume())) {
            HostileTreeTest.PlantingHost evil = new HostileTreeTest.PlantingHost(m.eb.host(), w);
            List<Entry> entries = new ArrayList<>(uncreatable(w));
            entries.add(w.file("good.txt", "synced all the same"));
            evil.plant(w.root(entries.toArray(Entry[]::new)));
            try (SyncEngine b = new SyncEngine(m.b, m.eb.config(), evil)) {
                m.eb.close();
                CycleReport r = b.cycle();
                assertThat(r.agreed()).as("nothing left to retry: the cycle is done").isTrue();
                assertThat(Files.readString(m.b.resolve("good.txt"))).isEqualTo("synced all the same");
                for (String name : List.of("empty", "nul", "long", "latin1")) {
                    assertThat(Files.exists(m.b.resolve(name), LinkOption.NOFOLLOW_LINKS)).as(name).isFalse();
                }
                assertThat(r.unsyncable()).hasSize(4).anySatisfy(u -> assertThat(u).startsWith("'empty': empty symlink target"))
                        .anySatisfy(u -> assertThat(u).startsWith("'latin1': symlink target is not valid UTF-8"));

                // A local edit later is committed with the entries still there: nothing is dropped.
                Files.writeString(m.b.resolve("new.txt"), "local edit");
                CycleReport again = b.cycle();
                assertThat(again.agreed()).isTrue();
                ObjectStore objects = b.index().objects();
                DirRef root = ((net.saharasync.merkle.Commit) objects.read(evil.head(m.eb.config().volume()).commit().orElseThrow())).root();
                List<String> names = DirectoryTree.entries(objects, root).stream().map(Entry::name).toList();
                assertThat(names).containsExactlyInAnyOrder("empty", "good.txt", "latin1", "long", "new.txt", "nul");
            }
            m.eb = SyncEngine.open(m.b);
        }
    }

    @Test
    void aFileWhoseSizeDisagreesWithItsChunksIsNeverWritten() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp); HostileWriter w = new HostileWriter(m.url(), m.token, m.ea.config().volume())) {
            HostileTreeTest.PlantingHost evil = new HostileTreeTest.PlantingHost(m.eb.host(), w);
            byte[] data = "twenty bytes of text".getBytes(StandardCharsets.UTF_8);
            Block b = Block.of(data);
            w.blocks.put(b);
            // The entry claims 10 bytes; the block it names holds 20.
            Entry lying = Entry.file("lying.txt", new FileRef(b.hash(), 10, 0), false, 1_700_000_000_000_000_000L);
            evil.plant(w.root(lying));
            try (SyncEngine victim = new SyncEngine(m.b, m.eb.config(), evil)) {
                m.eb.close();
                assertThatThrownBy(victim::cycle).hasMessageContaining("size disagrees with its chunks");
                assertThat(m.b.resolve("lying.txt")).doesNotExist();
                try (var s = Files.list(m.b)) {
                    assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".sahara-tmp"))).isEmpty();
                }
            }
            m.eb = SyncEngine.open(m.b);
        }
    }

    private static void sh(String script, Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void aLocalSymlinkWhoseTargetIsNotUtf8AndAFileFromTheYear3000AreReportedNotRewritten() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            sh("ln -s $'a\\xff\\xfeb' latin1 && echo hi > future.txt && touch -d '3000-01-01' future.txt && echo ok > ok.txt", m.a);
            CycleReport r = m.ea.cycle();
            assertThat(r.unsyncable()).containsExactlyInAnyOrder("'latin1': symlink target is not valid UTF-8",
                    "'future.txt': modification time out of range (before 1677 or after 2262)");
            // A cycle that lists no folder (nothing changed) still reports them; one that lists
            // the folder after the link is gone no longer does.
            assertThat(m.ea.cycle(Optional.of(java.util.Set.of())).unsyncable()).hasSize(2);
            Files.delete(m.a.resolve("latin1"));
            assertThat(m.ea.cycle(Optional.of(java.util.Set.of("latin1"))).unsyncable())
                    .containsExactly("'future.txt': modification time out of range (before 1677 or after 2262)");
            Files.createSymbolicLink(m.a.resolve("latin1"), Path.of("ok-now"));
            m.eb.cycle();
            assertThat(Files.readString(m.b.resolve("ok.txt"))).isEqualTo("ok\n");
            assertThat(Files.exists(m.b.resolve("latin1"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(m.b.resolve("future.txt")).doesNotExist();
            // A's own copies are untouched.
            assertThat(Files.isSymbolicLink(m.a.resolve("latin1"))).isTrue();
            assertThat(Files.readString(m.a.resolve("future.txt"))).isEqualTo("hi\n");
        }
    }
}
