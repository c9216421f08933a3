package net.saharasync.hostd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;
import net.saharasync.protocol.Access;
import net.saharasync.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/** {@link VolumeStore}'s contract, run on every implementation. */
public abstract class VolumeStoreContract extends StoreContract {
    @Test
    void aVolumeBelongsToItsCreatorAndItsNameIsChecked() {
        long alice = s.accounts().addUser("alice", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "Documents", ChunkerParams.DEFAULT);
        assertThat(s.volumes().get(v.id())).contains(v);
        assertThat(VolumeStore.parseId(v.idHex())).contains(v.id());
        assertThat(s.volumes().access(alice, v.id())).isEqualTo(Access.OWNER);
        assertThat(s.volumes().visibleTo(alice)).containsExactly(new VolumeStore.VolumeAccess(v, Access.OWNER));
        assertThat(s.volumes().head(v.id())).isEmpty();
        for (String bad : new String[] {"", " ", "x".repeat(101), "a\nb"}) {
            assertThatThrownBy(() -> s.volumes().create(alice, bad, ChunkerParams.DEFAULT)).as(bad)
                    .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    @Test
    void aShareIsAnInvitationUntilAcceptedThenALevelThatCanChangeOrGo() {
        long alice = s.accounts().addUser("alice", false).id();
        long bob = s.accounts().addUser("bob", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "shared", ChunkerParams.DEFAULT);
        assertThat(s.volumes().grant(v.id(), bob, Access.READ)).isEqualTo(VolumeStore.GrantOutcome.INVITED);
        assertThat(s.volumes().access(bob, v.id())).isEqualTo(Access.NONE);
        assertThat(s.volumes().invitations(bob)).containsExactly(new VolumeStore.VolumeAccess(v, Access.READ));
        assertThat(s.volumes().visibleTo(bob)).isEmpty();
        assertThat(s.volumes().members(v.id())).containsExactlyInAnyOrder(
                new VolumeStore.Member(alice, Access.OWNER, false), new VolumeStore.Member(bob, Access.READ, true));

        assertThat(s.volumes().accept(bob, v.id())).isTrue();
        assertThat(s.volumes().accept(bob, v.id())).as("once").isFalse();
        assertThat(s.volumes().access(bob, v.id())).isEqualTo(Access.READ);
        assertThat(s.volumes().invitations(bob)).isEmpty();
        assertThat(s.volumes().grant(v.id(), bob, Access.WRITE)).isEqualTo(VolumeStore.GrantOutcome.GRANTED);
        assertThat(s.volumes().access(bob, v.id())).isEqualTo(Access.WRITE);
        assertThat(s.volumes().grant(v.id(), bob, Access.NONE)).isEqualTo(VolumeStore.GrantOutcome.REMOVED);
        assertThat(s.volumes().access(bob, v.id())).isEqualTo(Access.NONE);
        assertThat(s.volumes().leave(bob, v.id())).as("nothing left to leave").isFalse();

        s.volumes().grant(v.id(), bob, Access.READ);
        assertThat(s.volumes().leave(bob, v.id())).as("declined").isTrue();
        assertThat(s.volumes().invitations(bob)).isEmpty();
    }

    @Test
    void ownershipCannotBeGrantedChangedOrLeft() {
        long alice = s.accounts().addUser("alice", false).id();
        long bob = s.accounts().addUser("bob", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "mine", ChunkerParams.DEFAULT);
        for (Runnable r : List.<Runnable>of(() -> s.volumes().grant(v.id(), bob, Access.OWNER), () -> s.volumes().grant(v.id(), alice, Access.READ),
                () -> s.volumes().leave(alice, v.id()))) {
            assertThatThrownBy(r::run).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThat(s.volumes().access(alice, v.id())).isEqualTo(Access.OWNER);
    }

    @Test
    void theHeadMovesOnlyFromTheExpectedOneAndHistoryKeepsEveryStep() {
        long alice = s.accounts().addUser("alice", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "v", ChunkerParams.DEFAULT);
        Hash c1 = hash("c1"), c2 = hash("c2"), c3 = hash("c3");
        assertThat(s.volumes().compareAndSet(v.id(), Optional.of(c1), c2, alice, List.of())).isEqualTo(new VolumeStore.Moved(Optional.empty()));
        assertThat(s.volumes().compareAndSet(v.id(), Optional.empty(), c1, alice, List.of())).isEqualTo(new VolumeStore.Accepted(new VolumeStore.Head(1, c1)));
        assertThat(s.volumes().compareAndSet(v.id(), Optional.empty(), c2, alice, List.of()))
                .isEqualTo(new VolumeStore.Moved(Optional.of(new VolumeStore.Head(1, c1))));
        s.volumes().compareAndSet(v.id(), Optional.of(c1), c2, alice, List.of());
        s.volumes().compareAndSet(v.id(), Optional.of(c2), c3, alice, List.of());
        assertThat(s.volumes().head(v.id())).contains(new VolumeStore.Head(3, c3));
        assertThat(s.volumes().after(v.id(), 0, 10)).extracting(VolumeStore.HistoryEntry::commit).containsExactly(c1, c2, c3);
        assertThat(s.volumes().after(v.id(), 1, 1)).extracting(VolumeStore.HistoryEntry::seq).containsExactly(2L);
        assertThat(s.volumes().after(v.id(), 3, 10)).isEmpty();
        assertThat(s.volumes().newestFirst(v.id(), 4, 2)).extracting(VolumeStore.HistoryEntry::commit).containsExactly(c3, c2);
        assertThat(s.volumes().newestFirst(v.id(), 2, 100)).extracting(VolumeStore.HistoryEntry::commit).containsExactly(c1);
        assertThat(s.volumes().after(v.id(), 0, 10)).allSatisfy(e -> assertThat(e.user()).isEqualTo(alice));
    }

    /** Racing commits: exactly one wins each step, and listeners hear the winners in sequence order, once each. */
    @Test
    void racingCommitsAreSerialisedAndHeardInOrder() throws Exception {
        long alice = s.accounts().addUser("alice", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "v", ChunkerParams.DEFAULT);
        List<Long> heard = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                workers.add(pool.submit(() -> {
                    int won = 0;
                    for (int i = 0; i < 50; i++) {
                        Optional<Hash> head = s.volumes().head(v.id()).map(VolumeStore.Head::commit);
                        if (s.volumes().compareAndSet(v.id(), head, hash(id + " " + i), alice, List.of(), e -> heard.add(e.seq()))
                                instanceof VolumeStore.Accepted) won++;
                    }
                    return won;
                }));
            }
            int won = 0;
            for (Future<Integer> f : workers) won += f.get(60, TimeUnit.SECONDS);
            assertThat(s.volumes().head(v.id()).orElseThrow().seq()).isEqualTo(won);
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= won; i++) expected.add(i);
            assertThat(heard).containsExactlyElementsOf(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
