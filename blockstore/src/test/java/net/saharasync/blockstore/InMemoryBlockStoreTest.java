package net.saharasync.blockstore;

class InMemoryBlockStoreTest extends BlockStoreContract {
    @Override
    protected BlockStore open() {
        return new InMemoryBlockStore();
    }

    @Override
    protected void corrupt(Hash hash) {
        ((InMemoryBlockStore) store).tamper(hash, v -> v[v.length / 2] ^= 0x10);
    }
}
