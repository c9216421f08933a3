package net.saharasync.clientd.remote;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;

/**
 * The host as the sync engine sees it (docs/PROTOCOL.md, "Host API"). The real one is
 * {@link HttpHost}; a simulated one can drop connections or lose answers for tests.
 */
public interface HostConnection extends AutoCloseable {
    /** A volume's head: its sequence number (0 before the first commit) and commit. */
    record Head(long seq, Optional<Hash> commit) {}

    /**
     * A volume as the host lists it: {@code owner} is the owner's user name, {@code access} the
     * caller's (owner, write, read), {@code entries} the files, symlinks and folders at its head.
     */
    record Volume(String id, String name, ChunkerParams chunking, Head head, String owner, String access, long entries) {
        public Volume(String id, String name, ChunkerParams chunking, Head head) {
            this(id, name, chunking, head, "", "owner", 0);
        }
    }

    /** The outcome of a compare-and-swap commit. */
    sealed interface CommitResult permits Accepted, Moved {}

    record Accepted(Head head) implements CommitResult {}

    record Moved(Head current) implements CommitResult {}

    /** A block received, already checked against its hash. */
    @FunctionalInterface
    interface BlockSink {
        void accept(Hash hash, byte[] data) throws IOException;

        /**
         * The block as {@code buf[off, off + len)}, valid only during the call (a sink that
         * writes it at once need not copy it); by default a copy goes to {@link #accept(Hash, byte[])}.
         */
        default void accept(Hash hash, byte[] buf, int off, int len) throws IOException {
            accept(hash, java.util.Arrays.copyOfRange(buf, off, off + len));
        }
    }

    Volume volume(String id) throws IOException;

    List<Volume> volumes() throws IOException;

    Volume createVolume(String name) throws IOException;

    Head head(String volume) throws IOException;

    /** Of {@code hashes}, those the host lacks (for this caller). */
    Set<Hash> missing(List<Hash> hashes) throws IOException;

    /** Uploads blocks in their stored form ({@code BlockCodec}); one durable batch. */
    void upload(List<Upload> blocks) throws IOException;

    /**
     * A block to upload: its stored form as the buffers that hold it (a header and the payload
     * where it already lies), so a batch goes on the wire without being copied together first.
     */
    record Upload(Hash hash, java.nio.ByteBuffer... parts) {
        public Upload(Hash hash, byte[] stored) {
            this(hash, java.nio.ByteBuffer.wrap(stored));
        }

        /** Bytes of the stored form. */
        public int length() {
            int n = 0;
            for (java.nio.ByteBuffer b : parts) n += b.remaining();
            return n;
        }

        /** The stored form as one array (a copy). */
        public byte[] stored() {
            java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate(length());
            for (java.nio.ByteBuffer b : parts) all.put(b.duplicate());
            return all.array();
        }
    }

    /**
     * Whether requests may be made from several threads at once (a real host: yes; the
     * simulated one: no, its faults follow the order of requests).
     */
    default boolean concurrentRequests() {
        return false;
    }

    /** How many {@link #upload} calls may run at once (a simulated host: one). */
    default int concurrentUploads() {
        return 1;
    }

    CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException;

    /** Downloads blocks, each checked against its hash, handed to {@code sink} in the order asked. */
    void fetch(List<Hash> hashes, BlockSink sink) throws IOException;

    /**
     * The {@code BlockDelta} signatures of blocks the host has, in order; empty when the host
     * cannot give them (then blocks go whole).
     */
    default List<byte[]> signatures(List<Hash> hashes) throws IOException {
        return List.of();
    }

    /**
     * Like {@link #fetch}, but block i may come as a patch against {@code bases.get(i)}, which
     * {@code localBase} must then supply; every block is still checked against its hash.
     */
    default void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, java.util.function.Function<Hash, Optional<byte[]>> localBase,
                            BlockSink sink) throws IOException {
        fetch(hashes, sink);
    }

    /** Calls {@code onHead} with every new head after {@code afterSeq} until closed; reconnects by itself. */
    AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead);

    /** Body bytes sent and received so far. */
    long bytesSent();

    long bytesReceived();

    @Override
    void close();
}
