package net.saharasync.hostd.service;

import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.hostd.store.VolumeStore.Volume;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeCheck;
import net.saharasync.merkle.TreeStats;
import net.saharasync.protocol.Access;
import net.saharasync.protocol.ErrorCode;
import net.saharasync.protocol.Limits;

/**
 * Moves a volume's head. Before the compare-and-swap, every object the commit reaches must be
 * there and usable by the caller (else {@link Incomplete}, listing them), its trees must hold
 * together ({@code invalid_tree}), stay within the host's entry and depth limits
 * ({@code tree_too_large}), and its parents must include the expected head and be commits of
 * this volume ({@code bad_parent}). An accepted commit is durable before anyone hears of it.
 */
public final class CommitService {
    /** What a commit came to. */
    public sealed interface Outcome {}

    /** The new head; {@code newObjects}: the objects the commit reached that the volume had not. */
    public record Accepted(Volume volume, VolumeStore.Head head, int newObjects) implements Outcome {}

    /** Another commit came first: the head now (empty: none yet). */
    public record Moved(Optional<VolumeStore.Head> current) implements Outcome {}

    /** Objects the commit needs are not on the host for this caller: at most {@link Limits#MAX_LISTED_MISSING} listed. */
    public record Incomplete(List<Hash> missing, int missingCount) implements Outcome {}

    private final HostStore store;
    private final AccessPolicy policy;
    private final HeadEvents events;
    private final HostConfig.Limits limits;

    public CommitService(HostStore store, AccessPolicy policy, HeadEvents events, HostConfig.Limits limits) {
        this.store = store;
        this.policy = policy;
        this.events = events;
        this.limits = limits;
    }

    public Outcome commit(Principal p, String volumeId, Hash commit, Optional<Hash> expected) {
        Volume v = policy.volume(p, volumeId, Access.WRITE);
        ObjectStore objects = new ObjectStore(store.blocks());
        TreeCheck.Result check = TreeCheck.check(objects, commit, hs -> policy.known(v.id(), hs), hs -> policy.usableSet(p, hs));
        if (!check.complete()) {
            return new Incomplete(check.missing().stream().limit(Limits.MAX_LISTED_MISSING).toList(), check.missing().size());
        }
        Commit c = (Commit) objects.read(commit);
        checkParents(v, c, expected, objects);
        TreeStats sizes = new TreeStats(objects, limits.tree(), store.treeSizes()::get);
        try {
            sizes.of(c.root(), 0);
        } catch (TreeStats.LimitExceeded e) {
            throw new HostException(ErrorCode.TREE_TOO_LARGE, e.getMessage() + " (this host's limit per commit)");
        }
        store.treeSizes().record(sizes.computed());
        return switch (store.volumes().compareAndSet(v.id(), expected, commit, p.userId(), check.reached(), e -> events.published(v.id(), e))) {
            case VolumeStore.Accepted a -> new Accepted(v, a.head(), check.reached().size());
            case VolumeStore.Moved m -> new Moved(m.current());
        };
    }

    private void checkParents(Volume v, Commit c, Optional<Hash> expected, ObjectStore objects) {
        if (expected.isPresent() && !c.parents().contains(expected.get())) {
            throw new HostException(ErrorCode.BAD_PARENT, "a commit onto " + expected.get().toHex() + " must list it as a parent");
        }
        var known = policy.known(v.id(), c.parents());
        for (Hash parent : c.parents()) {
            if (!known.contains(parent) || !(objects.read(parent) instanceof Commit)) {
                throw new HostException(ErrorCode.BAD_PARENT, "parent " + parent.toHex() + " is not a commit of this volume");
            }
        }
    }
}
