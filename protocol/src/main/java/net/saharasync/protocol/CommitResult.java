package net.saharasync.protocol;

import java.util.List;
import net.saharasync.blockstore.Hash;

/** The outcome of a compare-and-swap commit. */
public sealed interface CommitResult {
    /** The commit is the new head. */
    record Accepted(Head head) implements CommitResult {}

    /** Another commit came first: {@code current} is the head now; merge onto it and try again. */
    record Moved(Head current) implements CommitResult {}

    /**
     * The commit reaches objects the host lacks for this caller: {@code missing} lists at most
     * {@link Limits#MAX_LISTED_MISSING} of them, {@code missingCount} says how many there are;
     * send them and commit again.
     */
    record Incomplete(List<Hash> missing, long missingCount) implements CommitResult {
        public Incomplete {
            missing = List.copyOf(missing);
        }
    }
}
