package net.saharasync.merkle;

/** A tree operation failed: an object is missing, malformed, or of the wrong kind. */
public class MerkleException extends RuntimeException {
    public MerkleException(String message) {
        super(message);
    }

    public MerkleException(String message, Throwable cause) {
        super(message, cause);
    }
}
