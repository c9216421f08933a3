package net.saharasync.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.DirRef;
import net.saharasync.protocol.wire.BlockDelta;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The host API's contract, security rules included, run on every implementation: the HTTP
 * client against a real host on loopback, and the host's in-process API over each store. A
 * case per rule: no token, a forged or revoked token, grants, the cross-user hash oracle (a
 * hash counts for a caller only if they uploaded it or can read a commit that reaches it), and
 * commits that reference another user's hashes.
 */
public abstract class HostApiContract {
    /** A host under test: users are made out of band (as `sahara user add` does); the API is opened as a token's holder. */
    public interface Host extends AutoCloseable {
        /** A new user and a token of theirs. */
        String addUser(String name, boolean admin);

        HostApi as(String token);

        @Override
        void close();
    }

    protected abstract Host start() throws Exception;

    private Host host;
    private final List<HostApi> opened = new ArrayList<>();
    protected HostApi alice;
    protected HostApi bob;

    @BeforeEach
    void startHost() throws Exception {
        host = start();
        alice = as(host.addUser("alice", true));
        bob = as(host.addUser("bob", false));
    }

    private HostApi as(String token) {
        HostApi api = host.as(token);
        opened.add(api);
        return api;
    }

    @AfterEach
    void stopHost() {
        opened.forEach(HostApi::close);
        host.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void refused(ErrorCode code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(HostError.class, e -> {
            assertThat(e.errorCode()).as(e.getMessage()).contains(code);
            assertThat(e.status()).isEqualTo(code.httpStatus());
        });
    }

    private static List<byte[]> fetch(HostApi api, List<Hash> hashes) throws IOException {
        List<byte[]> out = new ArrayList<>();
        api.fetch(hashes, (h, data) -> out.add(data));
        return out;
    }

    @Test
    void aCommitOfUploadedTreesBecomesTheHeadAndItsBlocksComeBackExactly() throws IOException {
        Volume v = alice.createVolume("Documents");
        assertThat(v.access()).isEqualTo(Access.OWNER);
        assertThat(v.head()).isEqualTo(Head.EMPTY);
        assertThat(alice.head(v.id())).isEqualTo(Head.EMPTY);
        ClientTree t = new ClientTree();
        byte[] a = random(300_000, 1), b = "small".getBytes();
        DirRef root = t.dir(List.of(t.file("a.bin", a), t.file("b.txt", b)));
        Hash c = t.commit(root, List.of());
        assertThat(t.push(alice, v.id(), root, c, Optional.empty())).isEqualTo(new CommitResult.Accepted(new Head(1, Optional.of(c))));
        assertThat(alice.head(v.id())).isEqualTo(new Head(1, Optional.of(c)));
        assertThat(alice.volume(v.id()).entries()).isEqualTo(2);
        assertThat(alice.volumes()).extracting(Volume::id).containsExactly(v.id());
        assertThat(alice.whoAmI().user()).isEqualTo("alice");
        assertThat(fetch(alice, List.of(Hash.of(b))).getFirst()).isEqualTo(b);
        assertThat(alice.missing(List.of(Hash.of(a), Hash.of(b), c))).as("a.bin is several chunks; only whole blocks count")
                .doesNotContain(Hash.of(b), c);
        assertThat(alice.history(v.id(), Long.MAX_VALUE, 10)).extracting(HistoryEntry::commit, HistoryEntry::user).containsExactly(
                org.assertj.core.groups.Tuple.tuple(c, "alice"));
    }

    @Test
    void theHeadMovesOnlyByCompareAndSwapOntoAParentItNames() throws IOException {
        Volume v = alice.createVolume("v");
        ClientTree t = new ClientTree();
        DirRef r1 = t.dir(List.of(t.file("x", "1".getBytes())));
        Hash c1 = t.commit(r1, List.of());
        t.push(alice, v.id(), r1, c1, Optional.empty());
        DirRef r2 = t.dir(List.of(t.file("x", "2".getBytes())));
        Hash c2 = t.commit(r2, List.of(c1));
        assertThat(t.push(alice, v.id(), r2, c2, Optional.empty())).as("the head is no longer empty")
                .isEqualTo(new CommitResult.Moved(new Head(1, Optional.of(c1))));
        Hash orphan = t.commit(r2, List.of());
        t.push(alice, v.id(), r2, orphan, Optional.empty());
        refused(ErrorCode.BAD_PARENT, () -> alice.commit(v.id(), orphan, Optional.of(c1)));
        assertThat(alice.commit(v.id(), c2, Optional.of(c1))).isEqualTo(new CommitResult.Accepted(new Head(2, Optional.of(c2))));
        assertThat(alice.history(v.id(), Long.MAX_VALUE, 10)).extracting(HistoryEntry::seq).containsExactly(2L, 1L);
        assertThat(alice.history(v.id(), 2, 10)).extracting(HistoryEntry::commit).containsExactly(c1);
    }

    @Test
    void aCommitReachingObjectsTheHostLacksIsIncompleteAndListsThem() throws IOException {
        Volume v = alice.createVolume("v");
        ClientTree t = new ClientTree();
        DirRef root = t.dir(List.of(t.file("x", "content".getBytes())));
        Hash c = t.commit(root, List.of());
        alice.upload(t.uploads(List.of(c)));
        CommitResult r = alice.commit(v.id(), c, Optional.empty());
        assertThat(r).isInstanceOfSatisfying(CommitResult.Incomplete.class, i -> {
            assertThat(i.missing()).contains(root.root());
            assertThat(i.missingCount()).isEqualTo(i.missing().size());
        });
        assertThat(alice.head(v.id())).isEqualTo(Head.EMPTY);
    }

    @Test
    void withoutAValidTokenNothingIsAnsweredAndNothingChanges() throws IOException {
        Volume v = alice.createVolume("v");
        for (String token : List.of("", "sst_forged", "sst_" + "A".repeat(43), "not even a token")) {
            HostApi nobody = as(token);
            refused(ErrorCode.UNAUTHORIZED, nobody::whoAmI);
            refused(ErrorCode.UNAUTHORIZED, nobody::volumes);
            refused(ErrorCode.UNAUTHORIZED, () -> nobody.head(v.id()));
            refused(ErrorCode.UNAUTHORIZED, () -> nobody.missing(List.of(Hash.of(new byte[] {1}))));
            refused(ErrorCode.UNAUTHORIZED, () -> nobody.createVolume("theirs"));
            refused(ErrorCode.UNAUTHORIZED, () -> nobody.upload(List.of(ClientTree.upload("x".getBytes()))));
        }
        assertThat(alice.volumes()).hasSize(1);
        assertThat(alice.missing(List.of(Hash.of("x".getBytes())))).isNotEmpty();
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnceAndOnlyItsOwnerOrAnAdminMayRevokeIt() throws IOException {
        IssuedToken laptop = bob.issueDeviceToken("laptop");
        HostApi bobsLaptop = as(laptop.secret());
        assertThat(bobsLaptop.whoAmI().user()).isEqualTo("bob");
        assertThat(bobsLaptop.whoAmI().device()).isEqualTo("laptop");
        IssuedToken alicesPhone = alice.issueDeviceToken("phone");
        refused(ErrorCode.NOT_FOUND, () -> bob.revokeToken(alicesPhone.id()));
        assertThat(as(alicesPhone.secret()).whoAmI().user()).isEqualTo("alice");
        bob.revokeToken(laptop.id());
        refused(ErrorCode.UNAUTHORIZED, bobsLaptop::volumes);
        assertThat(bob.whoAmI().user()).as("the other devices stay").isEqualTo("bob");
        alice.revokeToken(bob.issueDeviceToken("tablet").id());
    }

    @Test
    void anotherUsersBlocksAreNeitherThereNorDownloadableNorUsableInACommit() throws IOException {
        byte[] secret = random(10_000, 7);
        Hash h = Hash.of(secret);
        bob.upload(List.of(ClientTree.upload(secret)));
        assertThat(bob.missing(List.of(h))).isEmpty();
        assertThat(alice.missing(List.of(h))).as("stored, but not alice's to know").containsExactly(h);
        refused(ErrorCode.NOT_FOUND, () -> alice.fetch(List.of(h), (x, d) -> {}));
        refused(ErrorCode.NOT_FOUND, () -> alice.signatures(List.of(h)));
        refused(ErrorCode.NOT_FOUND, () -> alice.fetchDelta(List.of(h), List.of(Optional.empty()), b -> Optional.empty(), (x, d) -> {}));

        // Alice commits a file with that content, relying on bob's upload: refused as missing.
        Volume v = alice.createVolume("v");
        ClientTree t = new ClientTree();
        DirRef root = t.dir(List.of(t.file("guess.bin", secret)));
        Hash c = t.commit(root, List.of());
        List<Hash> mine = new ArrayList<>(net.saharasync.merkle.Missing.missing(t.objects, root, hs -> new java.util.HashSet<>(hs)));
        mine.remove(h);
        mine.add(c);
        alice.upload(t.uploads(mine));
        assertThat(alice.commit(v.id(), c, Optional.empty())).isInstanceOfSatisfying(CommitResult.Incomplete.class,
                i -> assertThat(i.missing()).containsExactly(h));
        // Sending it herself makes it hers: then the commit goes through.
        alice.upload(t.uploads(List.of(h)));
        assertThat(alice.commit(v.id(), c, Optional.empty())).isInstanceOf(CommitResult.Accepted.class);
        assertThat(fetch(alice, List.of(h)).getFirst()).isEqualTo(secret);
    }

    @Test
    void anotherUsersBlockIsNoBaseForADelta() throws IOException {
        byte[] old = random(50_000, 3);
        Hash oldHash = Hash.of(old);
        alice.upload(List.of(ClientTree.upload(old)));
        byte[] edited = old.clone();
        edited[7] ^= 1;
        byte[] form = BlockDelta.copy(oldHash, BlockDelta.signature(old), edited);
        refused(ErrorCode.HASH_MISMATCH, () -> bob.upload(List.of(new Upload(Hash.of(edited), form))));
        assertThat(alice.missing(List.of(Hash.of(edited)))).as("nothing stored").isNotEmpty();
        // Alice's own delta against her own block is rebuilt and stored.
        alice.upload(List.of(new Upload(Hash.of(edited), BlockDelta.copy(oldHash, alice.signatures(List.of(oldHash)).getFirst(), edited))));
        assertThat(fetch(alice, List.of(Hash.of(edited))).getFirst()).isEqualTo(edited);
        // A download as a patch against a base she has rebuilds exactly.
        List<byte[]> got = new ArrayList<>();
        alice.fetchDelta(List.of(Hash.of(edited)), List.of(Optional.of(oldHash)), b -> b.equals(oldHash) ? Optional.of(old) : Optional.empty(),
                (x, d) -> got.add(d));
        assertThat(got.getFirst()).isEqualTo(edited);
        refused(ErrorCode.HASH_MISMATCH, () -> alice.upload(List.of(new Upload(Hash.of(new byte[] {9}), form))));
    }

    @Test
    void aVolumeIsInvisibleToOthersUntilSharedAndAcceptedAndItsLevelIsEnforced() throws IOException {
        Volume v = alice.createVolume("shared");
        ClientTree t = new ClientTree();
        byte[] data = random(20_000, 5);
        DirRef root = t.dir(List.of(t.file("f", data)));
        Hash c1 = t.commit(root, List.of());
        t.push(alice, v.id(), root, c1, Optional.empty());
        refused(ErrorCode.NOT_FOUND, () -> bob.volume(v.id()));
        refused(ErrorCode.NOT_FOUND, () -> bob.head(v.id()));
        refused(ErrorCode.NOT_FOUND, () -> bob.volume("0000000000000000"));
        assertThat(bob.missing(List.of(Hash.of(data)))).isNotEmpty();

        assertThat(alice.share(v.id(), "bob", Access.READ)).isEqualTo(ShareOutcome.INVITED);
        assertThat(bob.invitations()).extracting(Invitation::id, Invitation::owner, Invitation::access)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(v.id(), "alice", Access.READ));
        refused(ErrorCode.NOT_FOUND, () -> bob.head(v.id()));
        assertThat(bob.accept(v.id()).access()).isEqualTo(Access.READ);
        assertThat(bob.head(v.id()).commit()).contains(c1);
        assertThat(bob.missing(List.of(Hash.of(data)))).as("reachable from a volume he reads").isEmpty();
        assertThat(fetch(bob, List.of(Hash.of(data))).getFirst()).isEqualTo(data);
        refused(ErrorCode.FORBIDDEN, () -> bob.commit(v.id(), c1, Optional.of(c1)));
        refused(ErrorCode.FORBIDDEN, () -> bob.members(v.id()));
        refused(ErrorCode.FORBIDDEN, () -> bob.share(v.id(), "alice", Access.READ));

        assertThat(alice.share(v.id(), "bob", Access.WRITE)).isEqualTo(ShareOutcome.GRANTED);
        DirRef root2 = t.dir(List.of(t.file("f", data), t.file("g", "bob's".getBytes())));
        Hash c2 = t.commit(root2, List.of(c1));
        assertThat(t.push(bob, v.id(), root2, c2, Optional.of(c1))).isInstanceOf(CommitResult.Accepted.class);
        assertThat(alice.members(v.id())).containsExactlyInAnyOrder(new Member("alice", Access.OWNER, false), new Member("bob", Access.WRITE, false));

        assertThat(alice.share(v.id(), "bob", Access.NONE)).isEqualTo(ShareOutcome.REMOVED);
        refused(ErrorCode.NOT_FOUND, () -> bob.volume(v.id()));
        assertThat(bob.missing(List.of(Hash.of(data)))).as("gone with the share").isNotEmpty();
        refused(ErrorCode.NOT_FOUND, () -> alice.share(v.id(), "nobody", Access.READ));
    }

    @Test
    void aSubscriberHearsEveryNewHeadInOrderAndOnlyWhileItMayRead() throws Exception {
        Volume v = alice.createVolume("v");
        BlockingQueue<Head> heard = new LinkedBlockingQueue<>();
        ClientTree t = new ClientTree();
        try (AutoCloseable sub = alice.subscribe(v.id(), 0, heard::add)) {
            Optional<Hash> head = Optional.empty();
            for (int i = 1; i <= 3; i++) {
                DirRef root = t.dir(List.of(t.file("x", ("v" + i).getBytes())));
                Hash c = t.commit(root, head.map(List::of).orElse(List.of()));
                t.push(alice, v.id(), root, c, head);
                head = Optional.of(c);
            }
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Head h = heard.poll(10, TimeUnit.SECONDS);
                assertThat(h).as("head " + (i + 1)).isNotNull();
                seqs.add(h.seq());
            }
            assertThat(seqs).containsExactly(1L, 2L, 3L);
            assertThat(heard.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
        BlockingQueue<Head> bobHeard = new LinkedBlockingQueue<>();
        try (AutoCloseable sub = bob.subscribe(v.id(), 0, bobHeard::add)) {
            assertThat(bobHeard.poll(500, TimeUnit.MILLISECONDS)).as("bob may not read it").isNull();
        }
    }
}
