package net.saharasync.blockstore;

/** A stored value failed its checksum, did not decode, or does not hash to its address. Never returned as data. */
public final class CorruptBlockException extends BlockStoreException {
    private final Hash hash;

    public CorruptBlockException(Hash hash, String what) {
        super("block " + hash.toHex() + " is corrupt: " + what);
        this.hash = hash;
    }

    /** The address of the corrupt block. */
    public Hash hash() {
        return hash;
    }
}
