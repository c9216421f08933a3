package net.saharasync.merkle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.saharasync.blockstore.Hash;

/** Builds a canonical encoding: big-endian fixed integers, minimal unsigned LEB128 varints. */
final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    Writer u8(int v) {
        out.write(v);
        return this;
    }

    Writer varint(long v) {
        if (v < 0) throw new IllegalArgumentException("negative varint " + v);
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    Writer i64(long v) {
        for (int s = 56; s >= 0; s -= 8) out.write((int) (v >>> s));
        return this;
    }

    Writer hash(Hash h) {
        out.writeBytes(h.toBytes());
        return this;
    }

    Writer string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length);
        out.writeBytes(b);
        return this;
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
