package net.saharasync.hostd.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.store.Volumes.Access;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use which block (the anti-oracle), kept per user: what a user's volumes reach, as
 * shares are accepted, changed and left, and what they uploaded themselves, always.
 */
class BlockAccessTest {
    @TempDir
    Path data;

    private static List<Hash> hashes(String prefix, int n) {
        List<Hash> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Hash.of((prefix + i).getBytes()));
        return out;
    }

    private static void commit(HostStore s, Volumes.Volume v, long user, List<Hash> reached) {
        Optional<Hash> head = s.volumes().head(v.id()).map(Volumes.Head::commit);
        Hash c = Hash.of(("commit " + reached).getBytes());
        assertThat(s.volumes().compareAndSet(v.id(), head, c, user, reached)).isInstanceOf(Volumes.Accepted.class);
    }

    private static boolean usable(HostStore s, long user, Hash h) {
        return s.access().usable(user, List.of(h)).get(0);
    }

    @Test
    void aUserMayUseWhatTheirAcceptedVolumesReachAndWhatTheyUploadedAndNothingElse() {
        try (HostStore s = HostStore.open(data)) {
            long alice = s.accounts().addUser("alice", true).id();
            long bob = s.accounts().addUser("bob", false).id();
            Volumes.Volume v = s.volumes().create(alice, "shared", ChunkerParams.DEFAULT);
            Hash first = Hash.of("first".getBytes()), second = Hash.of("second".getBytes()), bobs = Hash.of("bob's".getBytes());
            commit(s, v, alice, List.of(first));
            assertThat(usable(s, alice, first)).isTrue();

            s.volumes().grant(v.id(), bob, Access.READ);
            assertThat(usable(s, bob, first)).as("an invitation gives nothing").isFalse();
            assertThat(s.volumes().accept(bob, v.id())).isTrue();
            assertThat(usable(s, bob, first)).as("accepted: what the volume reached before").isTrue();
            commit(s, v, alice, List.of(second));
            assertThat(usable(s, bob, second)).as("and what it reaches after").isTrue();
            s.volumes().grant(v.id(), bob, Access.WRITE);
            assertThat(usable(s, bob, second)).as("a level change keeps it").isTrue();

            s.storeUploaded(bob, List.of());
            s.access().recordUploads(bob, List.of(bobs));
            assertThat(s.volumes().leave(bob, v.id())).isTrue();
            assertThat(usable(s, bob, first)).as("left: gone").isFalse();
            assertThat(usable(s, bob, second)).isFalse();
            assertThat(usable(s, bob, bobs)).as("what he uploaded stays his").isTrue();
            assertThat(usable(s, alice, second)).as("the owner keeps it").isTrue();

            // Unshared by the owner: the same.
            s.volumes().grant(v.id(), bob, Access.READ);
            s.volumes().accept(bob, v.id());
            assertThat(usable(s, bob, first)).isTrue();
            s.volumes().grant(v.id(), bob, Access.NONE);
            assertThat(usable(s, bob, first)).isFalse();

            // Reach through a second volume survives losing the first.
            Volumes.Volume w = s.volumes().create(bob, "bob's own", ChunkerParams.DEFAULT);
            commit(s, w, bob, List.of(first));
            s.volumes().grant(v.id(), bob, Access.READ);
            s.volumes().accept(bob, v.id());
            s.volumes().leave(bob, v.id());
            assertThat(usable(s, bob, first)).as("still reached from his own volume").isTrue();
            assertThat(usable(s, bob, second)).isFalse();
        }
    }

    /** A store from before the per-user reach existed gets it built once, on open. */
    @Test
    void aStoreWithoutThePerUserReachHasItBuiltOnOpen() {
        long alice, bob;
        Hash h = Hash.of("old".getBytes());
        try (HostStore s = HostStore.open(data)) {
            alice = s.accounts().addUser("alice", true).id();
            bob = s.accounts().addUser("bob", false).id();
            Volumes.Volume v = s.volumes().create(alice, "old", ChunkerParams.DEFAULT);
            commit(s, v, alice, List.of(h));
            s.volumes().grant(v.id(), bob, Access.READ);
            s.volumes().accept(bob, v.id());
        }
        // As a store written before: no per-user reach, no by-volume index, no marker.
        try (LmdbEnvironment env = LmdbEnvironment.open(data.resolve("db"), LmdbEnvironment.Options.DEFAULT)) {
            for (String name : List.of("user_reach", "volume_members")) {
                LmdbEnvironment.Table t = env.table(name);
                env.write(txn -> {
                    List<ByteBuffer> keys = new ArrayList<>();
                    txn.scan(t, Optional.empty(), (k, v) -> keys.add(Keys.of(Keys.bytes(k.duplicate()))));
                    for (ByteBuffer k : keys) txn.delete(t, k);
                    return null;
                });
            }
            LmdbEnvironment.Table meta = env.table("volumes_meta");
            env.write(txn -> txn.delete(meta, Keys.of("user-reach-built")));
        }
        try (HostStore s = HostStore.open(data)) {
            assertThat(usable(s, alice, h)).isTrue();
            assertThat(usable(s, bob, h)).isTrue();
            assertThat(s.census().get("user_reach")).isEqualTo(2);
        }
    }

    /**
     * "May this caller use these hashes" costs the same with 400 readable volumes as with one
     * (it was a lookup per readable volume per hash: 400 volumes, 25 times slower for a million
     * hashes). Timed with a wide margin: the old cost was ~100 times, the bound is 4.
     */
    @Test
    void negotiationCostDoesNotGrowWithTheVolumesACallerCanRead() {
        try (HostStore s = HostStore.open(data)) {
            long few = s.accounts().addUser("few", false).id();
            long many = s.accounts().addUser("many", false).id();
            s.volumes().create(few, "only", ChunkerParams.DEFAULT);
            for (int i = 0; i < 400; i++) s.volumes().create(many, "v" + i, ChunkerParams.DEFAULT);
            List<Hash> asked = hashes("asked ", 50_000);
            long bestFew = Long.MAX_VALUE, bestMany = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long t0 = System.nanoTime();
                s.access().usable(few, asked);
                long t1 = System.nanoTime();
                s.access().usable(many, asked);
                long t2 = System.nanoTime();
                bestFew = Math.min(bestFew, t1 - t0);
                bestMany = Math.min(bestMany, t2 - t1);
            }
            System.out.printf("usable(): 50,000 hashes, 1 volume %.1f ms, 400 volumes %.1f ms%n", bestFew / 1e6, bestMany / 1e6);
            assertThat((double) bestMany / bestFew).isLessThan(4.0);
        }
    }
}
