package net.saharasync.merkle;

/** Bytes that are not the canonical encoding of any object: rejected, never half-read. */
public final class MalformedObjectException extends MerkleException {
    public MalformedObjectException(String message) {
        super("malformed object: " + message);
    }
}
