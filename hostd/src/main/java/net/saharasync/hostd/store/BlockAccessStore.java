package net.saharasync.hostd.store;

import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.saharasync.blockstore.Hash;

/**
 * Who may use which block: the records behind the defence against a cross-user hash oracle
 * (the Dropship attack on Dropbox). Storage dedups across all users, but a user may "have" or
 * download a block only if it is reachable from a volume they can read, or if they uploaded it
 * themselves; the empty block is everybody's.
 */
public interface BlockAccessStore {
    Hash EMPTY = Hash.of(new byte[0]);

    /** Records that {@code user} uploaded these blocks (after they were stored). */
    void recordUploads(long user, Collection<Hash> hashes);

    /** Those of {@code hashes} already reachable from a commit of {@code volume}. */
    Set<Hash> known(long volume, List<Hash> hashes);

    /** Bit i is set when hashes[i] was uploaded by {@code user} or is reachable from a volume the user can read. */
    BitSet usable(long user, List<Hash> hashes);

    /** {@link #usable} as a set. */
    default Set<Hash> usableSet(long user, List<Hash> hashes) {
        BitSet bits = usable(user, hashes);
        Set<Hash> out = new HashSet<>();
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) out.add(hashes.get(i));
        return out;
    }
}
