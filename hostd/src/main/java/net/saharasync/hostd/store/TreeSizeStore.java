package net.saharasync.hostd.store;

import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.TreeStats;

/**
 * How big each accepted folder object is as a folder ({@link TreeStats.Stats}: entries under
 * it at every depth, and its depth), so a commit's size is checked in time linear in its new
 * folders. Derived data: a folder without a record is walked once and recorded then.
 */
public interface TreeSizeStore {
    Optional<TreeStats.Stats> get(Hash folder);

    /** Records what a check computed (the figures are facts of the objects, whether or not the commit was accepted). */
    void record(Map<Hash, TreeStats.Stats> sizes);
}
