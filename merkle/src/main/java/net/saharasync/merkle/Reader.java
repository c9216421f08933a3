package net.saharasync.merkle;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.saharasync.blockstore.Hash;

/** Reads a canonical encoding, rejecting truncation, non-minimal varints and invalid UTF-8. */
final class Reader {
    private final ByteBuffer in;
    private CharsetDecoder utf8;

    Reader(byte[] data) {
        this.in = ByteBuffer.wrap(data);
    }

    private void need(int n, String what) {
        if (in.remaining() < n) {
            throw new MalformedObjectException("truncated: " + what + " needs " + n + " bytes at offset "
                    + in.position() + ", " + in.remaining() + " left");
        }
    }

    int u8(String what) {
        need(1, what);
        return in.get() & 0xFF;
    }

    long i64(String what) {
        need(8, what);
        return in.getLong();
    }

    Hash hash(String what) {
        need(Hash.BYTES, what);
        return Hash.read(in);
    }

    long varint(String what) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8(what);
            if (shift == 63 && b > 1) throw new MalformedObjectException(what + " overflows 64 bits");
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) throw new MalformedObjectException(what + " is not minimally encoded");
                if (v < 0) throw new MalformedObjectException(what + " is out of range");
                return v;
            }
        }
        throw new MalformedObjectException(what + " is longer than 10 bytes");
    }

    /** A count that must fit in an int and cannot exceed what the remaining bytes could hold. */
    int count(String what, int minBytesEach) {
        long n = varint(what);
        if (n > Integer.MAX_VALUE || n * minBytesEach > in.remaining()) {
            throw new MalformedObjectException(what + " " + n + " does not fit in the " + in.remaining() + " bytes left");
        }
        return (int) n;
    }

    String string(String what, int maxBytes) {
        long n = varint(what + " length");
        if (n > maxBytes) throw new MalformedObjectException(what + " of " + n + " bytes exceeds " + maxBytes);
        need((int) n, what);
        ByteBuffer slice = in.slice(in.position(), (int) n);
        in.position(in.position() + (int) n);
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            CharBuffer cb = utf8.decode(slice);
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedObjectException(what + " is not valid UTF-8");
        }
    }

    void end() {
        if (in.hasRemaining()) {
            throw new MalformedObjectException(in.remaining() + " trailing bytes after the object");
        }
    }
}
