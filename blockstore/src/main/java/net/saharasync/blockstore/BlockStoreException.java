package net.saharasync.blockstore;

/** Any failure of a block store: I/O, a full disk, a closed store, a malformed or corrupt value. */
public class BlockStoreException extends RuntimeException {
    public BlockStoreException(String message) {
        super(message);
    }

    public BlockStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
