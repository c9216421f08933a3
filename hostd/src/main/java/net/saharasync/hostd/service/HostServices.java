package net.saharasync.hostd.service;

import java.util.List;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.store.HostStore;

/**
 * The host's use cases over one store, wired once: what the HTTP routes, {@link LocalHost}
 * and (later) the web page call. {@code events} hears of every new head; in-process
 * subscribers ({@link #localHeads}) always do too.
 */
public record HostServices(HostStore store, HostConfig.Limits limits, AccessPolicy policy, AccountService accounts, VolumeService volumes,
                           CommitService commits, BlockService blocks, LocalHeads localHeads) {
    public static HostServices over(HostStore store, HostConfig.Limits limits, HeadEvents events) {
        LocalHeads local = new LocalHeads(store.volumes());
        HeadEvents all = HeadEvents.all(List.of(events, local));
        AccessPolicy policy = new AccessPolicy(store);
        return new HostServices(store, limits, policy, new AccountService(store, all), new VolumeService(store, policy, all, limits),
                new CommitService(store, policy, all, limits), new BlockService(store, policy), local);
    }
}
