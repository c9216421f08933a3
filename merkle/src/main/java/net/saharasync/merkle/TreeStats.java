package net.saharasync.merkle;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import net.saharasync.blockstore.Hash;

/**
 * How big a directory tree is as a folder on disk, not as objects: the entries under it (every
 * file, symlink and folder, at every depth) and how deep it goes. A tree is a DAG, and one
 * folder object may appear at many places: 64 entries pointing at the same folder, four levels
 * down, are 12 KB of objects and 64^5 files. Each distinct folder is read once (memoized by its
 * hash), and stats already known (e.g. stored by a host for folders it accepted) are looked
 * up instead of read, so the cost is linear in the distinct new folders. Both counts stop at
 * the {@link Limits}: past them it throws {@link LimitExceeded} without reading further.
 */
public final class TreeStats {
    /** Entries under a folder (recursively) and its depth (0: empty; 1: entries but no subfolder with any). */
    public record Stats(long entries, int depth) {}

    /** The most entries a tree may hold and the deepest it may go. */
    public record Limits(long maxEntries, int maxDepth) {
        /** 50 million entries and 512 levels: far above real folders, far below what breaks a machine. */
        public static final Limits DEFAULT = new Limits(50_000_000L, 512);
    }

    /** A tree past the limits. */
    public static final class LimitExceeded extends MerkleException {
        public LimitExceeded(String message) {
            super(message);
        }
    }

    private final ObjectStore store;
    private final Limits limits;
    private final Function<Hash, Optional<Stats>> known;
    private final Map<Hash, Stats> computed = new HashMap<>();

    /** {@code known}: stats recorded earlier for a folder's root hash, if any (they are trusted). */
    public TreeStats(ObjectStore store, Limits limits, Function<Hash, Optional<Stats>> known) {
        this.store = store;
        this.limits = limits;
        this.known = known;
    }

    /** Stats of folders this instance read (not those it looked up): what a caller may record. */
    public Map<Hash, Stats> computed() {
        return computed;
    }

    /** The stats of the folder {@code dir}, which lies {@code depth} levels below the top (0: it is the top). */
    public Stats of(DirRef dir, int depth) {
        Stats s = stats(dir, depth, "/");
        check(s, depth, "/");
        return s;
    }

    private Stats stats(DirRef dir, int depth, String path) {
        Stats s = computed.get(dir.root());
        if (s == null) {
            s = known.apply(dir.root()).orElse(null);
        }
        if (s != null) {
            check(s, depth, path);
            return s;
        }
        if (depth >= limits.maxDepth()) {
            throw new LimitExceeded("the tree is deeper than " + limits.maxDepth() + " levels at " + Names.printable(path));
        }
        long entries = 0;
        int deepest = 0;
        for (Entry e : DirectoryTree.entries(store, dir)) {
            entries++;
            if (e.isDirectory()) {
                Stats c = stats(e.dir(), depth + 1, path.equals("/") ? "/" + e.name() : path + "/" + e.name());
                entries += c.entries();
                deepest = Math.max(deepest, c.depth());
            }
            if (entries > limits.maxEntries()) {
                throw new LimitExceeded("the tree holds more than " + limits.maxEntries() + " entries (at " + Names.printable(path) + ")");
            }
        }
        s = new Stats(entries, entries == 0 ? 0 : deepest + 1);
        computed.put(dir.root(), s);
        return s;
    }

    private void check(Stats s, int depth, String path) {
        if (s.entries() > limits.maxEntries()) {
            throw new LimitExceeded("the tree holds " + s.entries() + " entries under " + Names.printable(path) + ", more than " + limits.maxEntries());
        }
        if ((long) depth + s.depth() > limits.maxDepth()) {
            throw new LimitExceeded("the tree is " + (depth + s.depth()) + " levels deep at " + Names.printable(path) + ", more than " + limits.maxDepth());
        }
    }
}
