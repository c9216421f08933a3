package net.saharasync.hostd.store.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.Access;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the LMDB store has: tables migrated on open, and the per-user reach that keeps negotiation cheap. */
class LmdbHostStoreTest {
    @TempDir
    Path data;

    private static List<Hash> hashes(String prefix, int n) {
        List<Hash> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Hash.of((prefix + i).getBytes()));
        return out;
    }

    private static void commit(HostStore s, VolumeStore.Volume v, long user, List<Hash> reached) {
        Optional<Hash> head = s.volumes().head(v.id()).map(VolumeStore.Head::commit);
        Hash c = Hash.of(("commit " + reached).getBytes());
        assertThat(s.volumes().compareAndSet(v.id(), head, c, user, reached)).isInstanceOf(VolumeStore.Accepted.class);
    }

    private static boolean usable(HostStore s, long user, Hash h) {
        return s.access().usable(user, List.of(h)).get(0);
    }

    /** A store from before the per-user reach existed gets it built once, on open. */
    @Test
    void aStoreWithoutThePerUserReachHasItBuiltOnOpen() {
        long alice, bob;
        Hash h = Hash.of("old".getBytes());
        try (HostStore s = LmdbHostStore.open(data)) {
            alice = s.accounts().addUser("alice", true).id();
            bob = s.accounts().addUser("bob", false).id();
            VolumeStore.Volume v = s.volumes().create(alice, "old", ChunkerParams.DEFAULT);
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
        try (HostStore s = LmdbHostStore.open(data)) {
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
        try (HostStore s = LmdbHostStore.open(data)) {
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
