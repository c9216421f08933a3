package net.saharasync.protocol.wire;

import net.saharasync.blockstore.*;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The wire framing of block batches, shared by host and client: a body is a sequence of
 * frames {@code hash[32] | u32 length | stored[length]}, where {@code stored} is the block's
 * {@link BlockCodec} form (zstd frame or raw, with its CRC). Sender and receiver store and
 * send that form as is, so nobody compresses a block twice; the receiver still checks every
 * frame against its hash before using it ({@link BlockCodec.StoredForm#verified}).
 */
public final class BlockFrames {
    /** Bytes of framing before each stored form. */
    public static final int FRAME_HEADER = Hash.BYTES + 4;
    /** The largest stored form a frame may carry: a maximal block, its header and zstd's worst-case overhead. */
    public static final int MAX_STORED = BlockStore.MAX_BLOCK_BYTES + BlockCodec.HEADER + (64 << 10);

    private BlockFrames() {}

    /**
     * A frame as read: the claimed hash and the stored form, not yet verified, as
     * {@code array[offset, offset + length)} (a {@link Reader} with an arena packs many frames
     * into one array).
     */
    public record Frame(Hash hash, byte[] array, int offset, int length) {
        /** The stored form as an array of its own (a copy when the frame shares an arena). */
        public byte[] stored() {
            return offset == 0 && length == array.length ? array : java.util.Arrays.copyOfRange(array, offset, offset + length);
        }

        /** Whether the form is a delta against another block ({@link BlockDelta}) rather than a stored form. */
        public boolean isDelta() {
            return BlockDelta.isDelta(array[offset]);
        }
    }

    /** A frame that is cut short, too long or otherwise not a frame. */
    public static final class MalformedFrameException extends BlockStoreException {
        public MalformedFrameException(String message) {
            super(message);
        }
    }

    /** Writes one frame. */
    public static void write(OutputStream out, Hash hash, byte[] stored) throws IOException {
        byte[] head = new byte[FRAME_HEADER];
        ByteBuffer.wrap(head).put(hash.toBytes()).putInt(stored.length);
        out.write(head);
        out.write(stored);
    }

    /** The bytes one frame takes on the wire. */
    public static long frameLength(byte[] stored) {
        return FRAME_HEADER + (long) stored.length;
    }

    /** Reads frames one at a time from a stream (a request or response body). */
    public static final class Reader {
        private final DataInputStream in;
        private final byte[] head = new byte[FRAME_HEADER];
        private final byte[] arena;
        private int used;
        private long frames;

        /** Each frame in an array of its own. */
        public Reader(InputStream in) {
            this(in, null);
        }

        /**
         * Frames laid one after another in {@code arena} while they fit (then each in an array
         * of its own): no array per frame. A frame in the arena stays valid until
         * {@link #release}; a caller that keeps frames (a host storing a batch) never releases.
         */
        public Reader(InputStream in, byte[] arena) {
            this.in = new DataInputStream(in);
            this.arena = arena;
        }

        /** The frames read so far are no longer needed: later ones may reuse the arena from its start. */
        public void release() {
            used = 0;
        }

        /**
         * The next frame, or empty at a clean end of the body (between frames).
         *
         * @throws MalformedFrameException if the body ends inside a frame or a length is out of range
         * @throws IOException if reading fails (including a read timeout)
         */
        public Optional<Frame> next() throws IOException {
            int first = in.read();
            if (first < 0) return Optional.empty();
            head[0] = (byte) first;
            readFully(head, 1, FRAME_HEADER - 1, "frame header");
            ByteBuffer b = ByteBuffer.wrap(head);
            Hash hash = Hash.read(b);
            int length = b.getInt();
            if (length < BlockCodec.HEADER || length > MAX_STORED) {
                throw new MalformedFrameException("frame " + frames + " claims a stored length of "
                        + Integer.toUnsignedString(length) + " bytes (allowed " + BlockCodec.HEADER + ".." + MAX_STORED + ")");
            }
            byte[] into;
            int at;
            if (arena != null && length <= arena.length - used) {
                into = arena;
                at = used;
                used += length;
            } else {
                into = new byte[length];
                at = 0;
            }
            readFully(into, at, length, "frame body");
            frames++;
            return Optional.of(new Frame(hash, into, at, length));
        }

        private void readFully(byte[] buf, int off, int len, String what) throws IOException {
            try {
                in.readFully(buf, off, len);
            } catch (EOFException e) {
                throw new MalformedFrameException("body ends inside the " + what + " of frame " + frames);
            }
        }
    }
}
