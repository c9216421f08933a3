package net.saharasync.hostd.store;

import net.saharasync.hostd.store.memory.MemoryHostStore;
import org.junit.jupiter.api.Nested;

/** The store contracts on the in-memory store. */
class MemoryStoresTest {
    @Nested
    class Accounts extends AccountStoreContract {
        @Override
        protected HostStore newStore() {
            return new MemoryHostStore();
        }
    }

    @Nested
    class Volumes extends VolumeStoreContract {
        @Override
        protected HostStore newStore() {
            return new MemoryHostStore();
        }
    }

    @Nested
    class BlockAccess extends BlockAccessContract {
        @Override
        protected HostStore newStore() {
            return new MemoryHostStore();
        }
    }
}
