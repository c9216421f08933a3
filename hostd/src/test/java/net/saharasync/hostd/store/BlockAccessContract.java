package net.saharasync.hostd.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.protocol.Access;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockAccessStore}'s contract (the records behind the anti-oracle), run on every
 * implementation: what a user's volumes reach, as shares are accepted, changed and left, and
 * what they uploaded themselves, always.
 */
public abstract class BlockAccessContract extends StoreContract {
    @Test
    void aUserMayUseWhatTheirAcceptedVolumesReachAndWhatTheyUploadedAndNothingElse() {
        long alice = s.accounts().addUser("alice", true).id();
        long bob = s.accounts().addUser("bob", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "shared", ChunkerParams.DEFAULT);
        Hash first = hash("first"), second = hash("second"), bobs = hash("bob's");
        commit(v, alice, List.of(first));
        assertThat(usable(alice, first)).isTrue();

        s.volumes().grant(v.id(), bob, Access.READ);
        assertThat(usable(bob, first)).as("an invitation gives nothing").isFalse();
        assertThat(s.volumes().accept(bob, v.id())).isTrue();
        assertThat(usable(bob, first)).as("accepted: what the volume reached before").isTrue();
        commit(v, alice, List.of(second));
        assertThat(usable(bob, second)).as("and what it reaches after").isTrue();
        s.volumes().grant(v.id(), bob, Access.WRITE);
        assertThat(usable(bob, second)).as("a level change keeps it").isTrue();

        s.access().recordUploads(bob, List.of(bobs));
        assertThat(usable(alice, bobs)).as("another's upload is not yours").isFalse();
        assertThat(s.volumes().leave(bob, v.id())).isTrue();
        assertThat(usable(bob, first)).as("left: gone").isFalse();
        assertThat(usable(bob, second)).isFalse();
        assertThat(usable(bob, bobs)).as("what he uploaded stays his").isTrue();
        assertThat(usable(alice, second)).as("the owner keeps it").isTrue();

        // Unshared by the owner: the same.
        s.volumes().grant(v.id(), bob, Access.READ);
        s.volumes().accept(bob, v.id());
        assertThat(usable(bob, first)).isTrue();
        s.volumes().grant(v.id(), bob, Access.NONE);
        assertThat(usable(bob, first)).isFalse();

        // Reach through a second volume survives losing the first.
        VolumeStore.Volume w = s.volumes().create(bob, "bob's own", ChunkerParams.DEFAULT);
        commit(w, bob, List.of(first));
        s.volumes().grant(v.id(), bob, Access.READ);
        s.volumes().accept(bob, v.id());
        s.volumes().leave(bob, v.id());
        assertThat(usable(bob, first)).as("still reached from his own volume").isTrue();
        assertThat(usable(bob, second)).isFalse();
    }

    @Test
    void knownIsPerVolumeAndTheEmptyBlockIsEverybodys() {
        long alice = s.accounts().addUser("alice", false).id();
        long carol = s.accounts().addUser("carol", false).id();
        VolumeStore.Volume v = s.volumes().create(alice, "a", ChunkerParams.DEFAULT);
        VolumeStore.Volume w = s.volumes().create(alice, "b", ChunkerParams.DEFAULT);
        Hash x = hash("x");
        commit(v, alice, List.of(x));
        assertThat(s.access().known(v.id(), List.of(x, hash("y")))).containsExactly(x);
        assertThat(s.access().known(w.id(), List.of(x))).isEmpty();
        assertThat(usable(carol, BlockAccessStore.EMPTY)).isTrue();
        assertThat(usable(carol, x)).isFalse();
        assertThat(s.access().usable(alice, List.of(hash("y"), x, BlockAccessStore.EMPTY)).stream().boxed().toList()).containsExactly(1, 2);
        assertThat(s.access().usableSet(alice, List.of(hash("y"), x))).containsExactly(x);
    }

    @Test
    void storingAnUploadRecordsItsUploaderWithTheBlocks() {
        long bob = s.accounts().addUser("bob", false).id();
        byte[] data = "bob's block".getBytes();
        Hash h = Hash.of(data);
        s.storeUploaded(bob, List.of(new BlockStore.StoredBlock(h, new BlockCodec(1).encode(data))));
        assertThat(s.blocks().get(h)).hasValue(data);
        assertThat(usable(bob, h)).isTrue();
        assertThat(s.blocks().get(BlockAccessStore.EMPTY)).as("every store holds the empty block").hasValue(new byte[0]);
    }
}
