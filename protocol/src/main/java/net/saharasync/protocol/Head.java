package net.saharasync.protocol;

import java.util.Optional;
import net.saharasync.blockstore.Hash;

/** A volume's head: its sequence number (0 before the first commit) and commit. */
public record Head(long seq, Optional<Hash> commit) {
    public static final Head EMPTY = new Head(0, Optional.empty());
}
