package net.saharasync.hostd.service;

import net.saharasync.blockstore.StorageFullException;
import net.saharasync.hostd.HostException;
import net.saharasync.merkle.MalformedObjectException;
import net.saharasync.protocol.ErrorCode;
import net.saharasync.protocol.wire.BlockFrames;

/** What a failure inside a service means to the caller, whichever edge (HTTP, in-process) it reaches. */
public final class Refusals {
    private Refusals() {}

    /** The refusal {@code t} stands for, or empty when it is none of the known kinds (a bug, or the edge's own failure). */
    public static java.util.Optional<HostException> of(Throwable t) {
        return java.util.Optional.ofNullable(switch (t) {
            case HostException h -> h;
            case StorageFullException full -> new HostException(ErrorCode.INSUFFICIENT_STORAGE,
                    "the host is out of disk space; nothing of this request was stored");
            case BlockFrames.MalformedFrameException m -> new HostException(ErrorCode.MALFORMED_FRAME, m.getMessage());
            case MalformedObjectException m -> new HostException(ErrorCode.INVALID_TREE, m.getMessage());
            default -> null;
        });
    }
}
