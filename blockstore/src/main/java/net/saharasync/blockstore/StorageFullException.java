package net.saharasync.blockstore;

/**
 * The disk holding a store is full (or the user's quota spent): the write was not made, and
 * nothing of it is stored. The store stays usable; the same write succeeds once there is room.
 */
public final class StorageFullException extends BlockStoreException {
    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
