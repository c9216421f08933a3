package net.saharasync.protocol;

import java.io.IOException;
import java.util.Arrays;
import net.saharasync.blockstore.Hash;

/** Where downloaded blocks go, each already checked against its hash. */
@FunctionalInterface
public interface BlockSink {
    void accept(Hash hash, byte[] data) throws IOException;

    /**
     * The block as {@code buf[off, off + len)}, valid only during the call (a sink that
     * writes it at once need not copy it); by default a copy goes to {@link #accept(Hash, byte[])}.
     */
    default void accept(Hash hash, byte[] buf, int off, int len) throws IOException {
        accept(hash, Arrays.copyOfRange(buf, off, off + len));
    }
}
