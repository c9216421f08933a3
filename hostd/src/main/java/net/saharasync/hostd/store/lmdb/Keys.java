package net.saharasync.hostd.store.lmdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.saharasync.blockstore.Hash;

/** Direct buffers for LMDB keys and values (lmdbjava needs direct memory). Keys sort as unsigned bytes, so ids are big-endian. */
final class Keys {
    private Keys() {}

    static ByteBuffer of(long id) {
        return ByteBuffer.allocateDirect(8).putLong(id).flip();
    }

    static ByteBuffer of(long a, long b) {
        return ByteBuffer.allocateDirect(16).putLong(a).putLong(b).flip();
    }

    static ByteBuffer of(long id, Hash h) {
        ByteBuffer b = ByteBuffer.allocateDirect(8 + Hash.BYTES).putLong(id);
        h.writeTo(b);
        return b.flip();
    }

    static ByteBuffer of(Hash h) {
        ByteBuffer b = ByteBuffer.allocateDirect(Hash.BYTES);
        h.writeTo(b);
        return b.flip();
    }

    static ByteBuffer of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuffer of(byte[] bytes) {
        return ByteBuffer.allocateDirect(Math.max(1, bytes.length)).put(bytes).flip();
    }

    /** A one-byte value, for set-like tables. */
    static ByteBuffer flag(int value) {
        return ByteBuffer.allocateDirect(1).put((byte) value).flip();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Overwrites a reusable key buffer with {@code id || h}. */
    static ByteBuffer fill(ByteBuffer key, long id, Hash h) {
        key.clear();
        key.putLong(id);
        h.writeTo(key);
        return key.flip();
    }
}
