package net.saharasync.protocol;

import java.nio.ByteBuffer;
import net.saharasync.blockstore.Hash;

/**
 * A block to upload: its stored form as the buffers that hold it (a header and the payload
 * where it already lies), so a batch goes on the wire without being copied together first.
 */
public record Upload(Hash hash, ByteBuffer... parts) {
    public Upload(Hash hash, byte[] stored) {
        this(hash, ByteBuffer.wrap(stored));
    }

    /** Bytes of the stored form. */
    public int length() {
        int n = 0;
        for (ByteBuffer b : parts) n += b.remaining();
        return n;
    }

    /** The stored form as one array (a copy). */
    public byte[] stored() {
        ByteBuffer all = ByteBuffer.allocate(length());
        for (ByteBuffer b : parts) all.put(b.duplicate());
        return all.array();
    }
}
