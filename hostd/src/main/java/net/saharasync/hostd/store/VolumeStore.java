package net.saharasync.hostd.store;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.protocol.Access;

/**
 * Volumes (one synced folder tree each), who may use them, their heads and their history, and
 * each volume's reach (every object any of its commits reached) with each reader's share of it.
 * A head moves only by {@link #compareAndSet}, which also appends the history entry and the
 * reach in one durable step, and runs one at a time per volume.
 */
public interface VolumeStore {
    /** A volume; the chunking parameters are fixed at creation (they decide dedup). */
    record Volume(long id, String name, long owner, long created, ChunkerParams chunking) {
        public String idHex() {
            return hex(id);
        }
    }

    /** A volume's current commit and its sequence number (1 for the first commit, +1 per commit). */
    record Head(long seq, Hash commit) {}

    /** One accepted commit. */
    record HistoryEntry(long seq, Hash commit, long acceptedMillis, long user) {}

    /** The outcome of a compare-and-swap. */
    sealed interface CasResult permits Accepted, Moved {}

    record Accepted(Head head) implements CasResult {}

    record Moved(Optional<Head> current) implements CasResult {}

    /** What {@link #grant} did: access changed for a user who had accepted the volume, or an invitation left for them. */
    enum GrantOutcome { GRANTED, INVITED, REMOVED }

    /** A user's part in a volume. */
    record Member(long user, Access access, boolean invited) {}

    /** A volume with the caller's access to it. */
    record VolumeAccess(Volume volume, Access access) {}

    static String hex(long id) {
        return HexFormat.of().toHexDigits(id);
    }

    /** Parses a volume id as written by {@link Volume#idHex()}; empty if it is not one. */
    static Optional<Long> parseId(String text) {
        if (text == null || !text.matches("[0-9a-f]{16}")) return Optional.empty();
        return Optional.of(HexFormat.fromHexDigitsToLong(text));
    }

    /** A new volume owned by {@code owner} (a name {@link StoreRules#checkVolumeName} refuses: {@code bad_request}). */
    Volume create(long owner, String name, ChunkerParams chunking);

    Optional<Volume> get(long id);

    Access access(long user, long volume);

    /**
     * Shares {@code volume} with {@code user}: a user who has no access yet gets an invitation,
     * which gives no access until they accept it ({@link #accept}); one who accepted earlier has
     * the level changed at once. NONE removes access and any invitation. Ownership cannot be
     * granted and the owner's access cannot change ({@code bad_request}).
     */
    GrantOutcome grant(long volume, long user, Access level);

    /** Accepts the invitation to {@code volume}: from now on {@code user} has the level it offered. False if there is none. */
    boolean accept(long user, long volume);

    /** Declines an invitation, or leaves a volume shared with {@code user} (never one they own: {@code bad_request}). False if there was neither. */
    boolean leave(long user, long volume);

    /** The invitations waiting for {@code user}, with the access each offers. */
    List<VolumeAccess> invitations(long user);

    /** Everyone with access to {@code volume} (owner included) and everyone invited. */
    List<Member> members(long volume);

    /** The volumes {@code user} may read, with the access of each. */
    List<VolumeAccess> visibleTo(long user);

    Optional<Head> head(long volume);

    /**
     * Moves the head from {@code expected} to {@code commit} if it is still at {@code expected},
     * appending to the history and adding {@code reached} to the volume's reach (and to that of
     * every user who may read it), durably. Calls for one volume run one at a time, and
     * {@code onAccepted} runs inside that turn, after the change is durable: listeners hear of
     * heads in sequence order.
     */
    CasResult compareAndSet(long volume, Optional<Hash> expected, Hash commit, long user, List<Hash> reached, Consumer<HistoryEntry> onAccepted);

    default CasResult compareAndSet(long volume, Optional<Hash> expected, Hash commit, long user, List<Hash> reached) {
        return compareAndSet(volume, expected, commit, user, reached, e -> {});
    }

    /** History entries with {@code seq > after}, oldest first, at most {@code limit}. */
    List<HistoryEntry> after(long volume, long after, int limit);

    /** History entries newest first, starting below {@code before} (exclusive), at most {@code limit}. */
    default List<HistoryEntry> newestFirst(long volume, long before, int limit) {
        // Sequence numbers are contiguous from 1, so the page is [before - limit, before - 1].
        long from = Math.max(0, before - 1 - limit);
        List<HistoryEntry> out = new java.util.ArrayList<>(after(volume, from, limit).stream().filter(e -> e.seq() < before).toList());
        java.util.Collections.reverse(out);
        return out;
    }
}
