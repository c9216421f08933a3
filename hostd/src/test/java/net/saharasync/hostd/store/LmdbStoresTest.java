package net.saharasync.hostd.store;

import net.saharasync.hostd.store.lmdb.LmdbHostStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The store contracts on the LMDB store, in a fresh environment per test. */
class LmdbStoresTest {
    @TempDir
    Path dir;

    private int opened;

    private HostStore fresh() {
        return LmdbHostStore.open(dir.resolve("data" + opened++));
    }

    @Nested
    class Accounts extends AccountStoreContract {
        @Override
        protected HostStore newStore() {
            return LmdbStoresTest.this.fresh();
        }
    }

    @Nested
    class Volumes extends VolumeStoreContract {
        @Override
        protected HostStore newStore() {
            return LmdbStoresTest.this.fresh();
        }
    }

    @Nested
    class BlockAccess extends BlockAccessContract {
        @Override
        protected HostStore newStore() {
            return LmdbStoresTest.this.fresh();
        }
    }
}
