package net.saharasync.hostd.service;

import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.AccountStore.User;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.hostd.store.VolumeStore.Head;
import net.saharasync.hostd.store.VolumeStore.Volume;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeStats;
import net.saharasync.protocol.Access;

/** Volumes as callers see them: listing, creating, heads and history, and sharing. */
public final class VolumeService {
    /** A volume with the caller's access, its owner's name, its head and how many entries its head holds. */
    public record View(Volume volume, Access access, String ownerName, Optional<Head> head, long entries) {}

    /** A commit of the history with its committer's name. */
    public record Entry(long seq, Hash commit, long acceptedMillis, String user) {}

    /** A page of history, newest first; {@code next}: the {@code before} of the next page, if any. */
    public record HistoryPage(List<Entry> commits, Optional<Long> next) {}

    public record Invitation(Volume volume, String ownerName, Access access) {}

    public record Member(String user, Access access, boolean invited) {}

    public record Shared(Volume volume, String user, Access access, VolumeStore.GrantOutcome outcome) {}

    /** Commits per history page at most. */
    public static final int MAX_HISTORY_PAGE = 1000;

    private final HostStore store;
    private final AccessPolicy policy;
    private final HeadEvents events;
    private final HostConfig.Limits limits;

    public VolumeService(HostStore store, AccessPolicy policy, HeadEvents events, HostConfig.Limits limits) {
        this.store = store;
        this.policy = policy;
        this.events = events;
        this.limits = limits;
    }

    private String name(long user) {
        return store.accounts().user(user).map(User::name).orElse("?");
    }

    public View describe(Volume v, Access a) {
        Optional<Head> h = store.volumes().head(v.id());
        return new View(v, a, name(v.owner()), h, h.map(x -> entries(x.commit())).orElse(0L));
    }

    /** Files, symlinks and folders in a commit's tree (recorded sizes; a folder accepted before they were recorded is walked once). */
    private long entries(Hash commit) {
        ObjectStore objects = new ObjectStore(store.blocks());
        Commit c = (Commit) objects.read(commit);
        TreeStats sizes = new TreeStats(objects, limits.tree(), store.treeSizes()::get);
        long n = sizes.of(c.root(), 0).entries();
        store.treeSizes().record(sizes.computed());
        return n;
    }

    public List<View> list(Principal p) {
        return store.volumes().visibleTo(p.userId()).stream().map(va -> describe(va.volume(), va.access())).toList();
    }

    public View create(Principal p, String name, Optional<ChunkerParams> chunking) {
        if (name == null) throw HostException.badRequest("name is required");
        return describe(store.volumes().create(p.userId(), name, chunking.orElse(ChunkerParams.DEFAULT)), Access.OWNER);
    }

    public View get(Principal p, String volumeId) {
        Volume v = policy.volume(p, volumeId, Access.READ);
        return describe(v, store.volumes().access(p.userId(), v.id()));
    }

    public Optional<Head> head(Principal p, String volumeId) {
        return store.volumes().head(policy.volume(p, volumeId, Access.READ).id());
    }

    /** Commits newest first below {@code before} (default, or beyond the head: from the head), at most {@code limit}. */
    public HistoryPage history(Principal p, String volumeId, Optional<Long> before, int limit) {
        if (before.isPresent() && before.get() < 1) throw HostException.badRequest("before must be in 1.." + Long.MAX_VALUE);
        if (limit < 1 || limit > MAX_HISTORY_PAGE) throw HostException.badRequest("limit must be in 1.." + MAX_HISTORY_PAGE);
        Volume v = policy.volume(p, volumeId, Access.READ);
        long headSeq = store.volumes().head(v.id()).map(Head::seq).orElse(0L);
        List<Entry> commits = store.volumes().newestFirst(v.id(), Math.min(before.orElse(headSeq + 1), headSeq + 1), limit).stream()
                .map(e -> new Entry(e.seq(), e.commit(), e.acceptedMillis(), name(e.user()))).toList();
        long oldest = commits.isEmpty() ? 1 : commits.getLast().seq();
        return new HistoryPage(commits, oldest > 1 ? Optional.of(oldest) : Optional.empty());
    }

    /** Shares a volume the caller owns with {@code userName} (an invitation until they accept), changes or removes their access. */
    public Shared share(Principal p, String volumeId, String userName, Access level) {
        Volume v = policy.volume(p, volumeId, Access.OWNER);
        User u = store.accounts().user(userName).orElseThrow(() -> HostException.notFound("no user " + userName));
        VolumeStore.GrantOutcome outcome = store.volumes().grant(v.id(), u.id(), level);
        if (outcome != VolumeStore.GrantOutcome.GRANTED || level == Access.NONE) events.accessChanged();
        return new Shared(v, u.name(), level, outcome);
    }

    public List<Invitation> invitations(Principal p) {
        return store.volumes().invitations(p.userId()).stream().map(va -> new Invitation(va.volume(), name(va.volume().owner()), va.access())).toList();
    }

    /** Takes an invitation; the volume is then the caller's to sync. */
    public View accept(Principal p, String volumeId) {
        long id = VolumeStore.parseId(volumeId).orElseThrow(() -> HostException.notFound("no invitation to volume " + volumeId));
        if (!store.volumes().accept(p.userId(), id)) throw HostException.notFound("no invitation to volume " + volumeId);
        Volume v = store.volumes().get(id).orElseThrow(() -> HostException.notFound("no volume " + volumeId));
        return describe(v, store.volumes().access(p.userId(), id));
    }

    /** Declines an invitation or leaves a shared volume. */
    public void leave(Principal p, String volumeId) {
        long id = VolumeStore.parseId(volumeId).orElseThrow(() -> HostException.notFound("no volume " + volumeId));
        if (!store.volumes().leave(p.userId(), id)) throw HostException.notFound("no invitation to or share of volume " + volumeId);
        events.accessChanged();
    }

    /** Who has access and who is invited (owner only). */
    public List<Member> members(Principal p, String volumeId) {
        Volume v = policy.volume(p, volumeId, Access.OWNER);
        return store.volumes().members(v.id()).stream().map(m -> new Member(name(m.user()), m.access(), m.invited())).toList();
    }
}
