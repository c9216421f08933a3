package net.saharasync.hostd.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What the store contract suites share: a fresh store per test and small helpers. */
public abstract class StoreContract {
    protected HostStore s;

    /** A new, empty store of the implementation under test. */
    protected abstract HostStore newStore();

    @BeforeEach
    void open() {
        s = newStore();
    }

    @AfterEach
    void close() {
        s.close();
    }

    protected static Hash hash(String text) {
        return Hash.of(text.getBytes());
    }

    /** Commits {@code reached} onto the volume's head (must be accepted). */
    protected VolumeStore.Head commit(VolumeStore.Volume v, long user, List<Hash> reached) {
        Optional<Hash> head = s.volumes().head(v.id()).map(VolumeStore.Head::commit);
        Hash c = hash("commit " + head + reached);
        VolumeStore.CasResult r = s.volumes().compareAndSet(v.id(), head, c, user, reached);
        assertThat(r).isInstanceOf(VolumeStore.Accepted.class);
        return ((VolumeStore.Accepted) r).head();
    }

    protected boolean usable(long user, Hash h) {
        return s.access().usable(user, List.of(h)).get(0);
    }
}
