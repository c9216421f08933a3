package net.saharasync.hostd.service;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.hostd.store.VolumeStore.Volume;
import net.saharasync.protocol.Access;
import net.saharasync.protocol.ErrorCode;
import net.saharasync.protocol.Limits;

/**
 * What a caller may learn, read and commit. A volume the caller cannot read is "not found",
 * whether or not it exists. A block counts as there for a caller only if they uploaded it or
 * can read a volume that reaches it (the anti-oracle: storage dedups across users, answers
 * never do), so nobody learns what others store.
 */
public final class AccessPolicy {
    private final HostStore store;

    public AccessPolicy(HostStore store) {
        this.store = store;
    }

    /** The volume named {@code idText} if the caller has at least {@code need} on it. */
    public Volume volume(Principal p, String idText, Access need) {
        HostException none = HostException.notFound("no volume " + idText);
        long id = VolumeStore.parseId(idText).orElseThrow(() -> none);
        Access a = store.volumes().access(p.userId(), id);
        if (a == Access.NONE) throw none;
        if (!a.atLeast(need)) throw HostException.forbidden("volume " + idText + " needs " + need.wireName() + " access");
        return store.volumes().get(id).orElseThrow(() -> none);
    }

    /** Bit i set: the caller may use hashes[i]. */
    public BitSet usable(Principal p, List<Hash> hashes) {
        return store.access().usable(p.userId(), hashes);
    }

    public Set<Hash> usableSet(Principal p, List<Hash> hashes) {
        return hashes.isEmpty() ? Set.of() : store.access().usableSet(p.userId(), hashes);
    }

    /** Refuses ({@code not_found}, listing them) unless the caller may use every one of {@code asked}. */
    public void requireUsable(Principal p, List<Hash> asked) {
        BitSet usable = usable(p, asked);
        List<String> absent = new ArrayList<>();
        for (int i = usable.nextClearBit(0); i < asked.size(); i = usable.nextClearBit(i + 1)) absent.add(asked.get(i).toHex());
        if (!absent.isEmpty()) {
            throw new HostException(ErrorCode.NOT_FOUND, absent.size() + " of the blocks asked for are not available",
                    Map.of("missing", absent.subList(0, Math.min(absent.size(), Limits.MAX_LISTED_MISSING))));
        }
    }

    /** Those of {@code hashes} a commit of {@code volume} already reached (a commit may rely on them whoever uploaded them). */
    public Set<Hash> known(long volume, List<Hash> hashes) {
        return store.access().known(volume, hashes);
    }

    /** Administrators only. */
    public void requireAdmin(Principal p) {
        if (!p.user().admin()) throw HostException.forbidden("this needs an administrator's token");
    }
}
