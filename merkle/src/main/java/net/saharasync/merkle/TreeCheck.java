package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.TreeObject.DirChild;
import net.saharasync.merkle.TreeObject.DirIndex;
import net.saharasync.merkle.TreeObject.DirLeaf;
import net.saharasync.merkle.TreeObject.FileChild;
import net.saharasync.merkle.TreeObject.FileIndex;

/**
 * Checks a commit before a host accepts it: that everything it references is there and that
 * its trees hold together. Walks top-down one level at a time (one batch lookup per level) and
 * checks every object against what its parent says of it: kind, height, entry count, first
 * name and the bound set by the next sibling (so the whole listing stays sorted), byte
 * lengths adding up, and chunk lengths matching the stored blocks.
 *
 * <p>Objects the caller already {@code known} (already part of the volume, and so already
 * checked with their whole subtree) are checked against their parent's claims but not
 * descended into; that is what makes a commit of a small edit cost O(changed nodes).
 */
public final class TreeCheck {
    private TreeCheck() {}

    /** What the walk found: hashes newly reached (parents before children), hashes missing, and how many claims it checked (its cost). */
    public record Result(List<Hash> reached, List<Hash> missing, long claimsChecked) {
        public Result {
            reached = List.copyOf(reached);
            missing = List.copyOf(missing);
        }

        public boolean complete() {
            return missing.isEmpty();
        }
    }

    /** What a parent claims of a child. {@code first}/{@code upper} are null where no claim is made. */
    private sealed interface Claim permits CommitClaim, DirClaim, FileClaim, LeafClaim {
        Hash hash();
    }

    private record CommitClaim(Hash hash) implements Claim {}

    private record DirClaim(Hash hash, int height, long count, String first, String upper, String path) implements Claim {}

    private record FileClaim(Hash hash, int height, long length, String path) implements Claim {}

    private record LeafClaim(Hash hash, long length, String path, boolean symlink) implements Claim {}

    /**
     * Checks the commit {@code commit} and everything under it.
     *
     * @param known given a batch of hashes, those already accepted with their whole subtree
     * @param available given a batch of hashes not known, those the caller may use (present and permitted)
     * @throws MalformedObjectException naming the object and path when a tree does not hold together
     */
    public static Result check(ObjectStore store, Hash commit,
                               Function<List<Hash>, Set<Hash>> known,
                               Function<List<Hash>, Set<Hash>> available) {
        List<Hash> reached = new ArrayList<>();
        Set<Hash> missing = new LinkedHashSet<>();
        Set<Hash> seen = new java.util.HashSet<>();
        // Each object's children are claimed once, however many parents name it: a folder
        // object reused at every level of a tree is one object, not 64^depth claims.
        Set<Hash> expanded = new java.util.HashSet<>();
        long claimsChecked = 0;
        List<Claim> level = List.of(new CommitClaim(commit));
        for (int depth = 0; !level.isEmpty(); depth++) {
            Map<Claim, Boolean> claims = new LinkedHashMap<>();
            for (Claim c : level) claims.put(c, Boolean.TRUE);
            claimsChecked += claims.size();
            List<Hash> hashes = claims.keySet().stream().map(Claim::hash).distinct().toList();
            Set<Hash> isKnown = known.apply(hashes);
            List<Hash> unknown = hashes.stream().filter(h -> !isKnown.contains(h)).toList();
            Set<Hash> usable = unknown.isEmpty() ? Set.of() : available.apply(unknown);
            List<Claim> next = new ArrayList<>();
            List<Leaf> leaves = new ArrayList<>();
            for (Claim c : claims.keySet()) {
                Hash h = c.hash();
                boolean k = isKnown.contains(h);
                if (!k && !usable.contains(h)) {
                    missing.add(h);
                    continue;
                }
                if (!k && seen.add(h)) reached.add(h);
                Leaf leaf = asLeaf(c);
                if (leaf != null) {
                    // A symlink target already in the volume was accepted before (a volume from
                    // before targets were checked must not be refused every commit after).
                    leaves.add(k && leaf.symlink() ? new Leaf(leaf.hash(), leaf.length(), leaf.path(), false) : leaf);
                } else {
                    check(store, c, k || !expanded.add(h) ? null : next);
                }
            }
            leaves(store, leaves);
            level = next;
        }
        return new Result(reached, new ArrayList<>(missing), claimsChecked);
    }

    /** Checks one object against its parent's claim; adds its children's claims to {@code next} unless null. */
    private static void check(ObjectStore store, Claim claim, List<Claim> next) {
        switch (claim) {
            case CommitClaim c -> {
                Commit commit = store.read(c.hash(), Commit.class);
                if (next != null) {
                    next.add(new DirClaim(commit.root().root(), commit.root().height(), -1, null, null, "/"));
                }
            }
            case LeafClaim l -> leaves(store, List.of(asLeaf(l)));
            case FileClaim f when f.height() == 0 -> leaves(store, List.of(asLeaf(f)));
            case FileClaim f -> {
                FileIndex node = store.read(f.hash(), FileIndex.class);
                if (node.height() != f.height()) fail(f.hash(), f.path(), "file node of height " + node.height() + ", parent says " + f.height());
                if (node.length() != f.length()) fail(f.hash(), f.path(), "file node of " + node.length() + " bytes, parent says " + f.length());
                if (next != null) {
                    for (FileChild ch : node.children()) next.add(new FileClaim(ch.hash(), f.height() - 1, ch.length(), f.path()));
                }
            }
            case DirClaim d when d.height() == 0 -> {
                List<Entry> entries = store.read(d.hash(), DirLeaf.class).entries();
                if (d.path().equals("/")) {
                    for (Entry e : entries) {
                        if (e.name().equals(Names.RESERVED_AT_ROOT)) {
                            fail(d.hash(), "/" + e.name(), "the name " + Names.printable(e.name()) + " is reserved at the root of a volume (every client keeps its state there)");
                        }
                    }
                }
                bounds(d, entries.size(), entries.isEmpty() ? null : entries.getFirst().name(),
                        entries.isEmpty() ? null : entries.getLast().name());
                if (next != null) {
                    for (Entry e : entries) next.add(claimOf(e, join(d.path(), e.name())));
                }
            }
            case DirClaim d -> {
                DirIndex node = store.read(d.hash(), DirIndex.class);
                if (node.height() != d.height()) fail(d.hash(), d.path(), "directory node of height " + node.height() + ", parent says " + d.height());
                List<DirChild> cs = node.children();
                bounds(d, node.count(), cs.getFirst().firstName(), null);
                if (next != null) {
                    for (int i = 0; i < cs.size(); i++) {
                        String upper = i + 1 < cs.size() ? cs.get(i + 1).firstName() : d.upper();
                        DirChild ch = cs.get(i);
                        next.add(new DirClaim(ch.hash(), d.height() - 1, ch.count(), ch.firstName(), upper, d.path()));
                    }
                }
            }
        }
    }

    private static Claim claimOf(Entry e, String path) {
        return switch (e.kind()) {
            case DIRECTORY -> new DirClaim(e.content(), e.height(), -1, null, null, path);
            case FILE -> new FileClaim(e.content(), e.height(), e.size(), path);
            case SYMLINK -> new LeafClaim(e.content(), e.size(), path, true);
        };
    }

    /** Count, first name and upper bound of a directory node against its parent's claims. */
    private static void bounds(DirClaim d, long count, String first, String last) {
        if (d.count() >= 0 && count != d.count()) fail(d.hash(), d.path(), "directory node of " + count + " entries, parent says " + d.count());
        if (d.first() != null && !d.first().equals(first)) {
            fail(d.hash(), d.path(), "directory node starts at " + Names.printable(String.valueOf(first))
                    + ", parent says " + Names.printable(d.first()));
        }
        // A leaf's last name (or, for an index, each child's bound in turn) must stay below the next sibling's first.
        if (d.upper() != null && last != null && Names.compare(last, d.upper()) >= 0) {
            fail(d.hash(), d.path(), "directory node reaches " + Names.printable(last) + ", past its sibling "
                    + Names.printable(d.upper()));
        }
    }

    /** A block and the length its entry claims; a symlink's target is checked too. */
    private record Leaf(Hash hash, long length, String path, boolean symlink) {}

    /** The claim as a block to check, or null when it names a tree object. */
    private static Leaf asLeaf(Claim c) {
        return switch (c) {
            case LeafClaim l -> new Leaf(l.hash(), l.length(), l.path(), l.symlink());
            case FileClaim f when f.height() == 0 -> new Leaf(f.hash(), f.length(), f.path(), false);
            default -> null;
        };
    }

    /** Checks blocks against their entries' lengths, in one lookup. */
    private static void leaves(ObjectStore store, List<Leaf> leaves) {
        if (leaves.isEmpty()) return;
        int[] n = store.blocks().rawLengths(leaves.stream().map(Leaf::hash).toList());
        for (int i = 0; i < n.length; i++) {
            Leaf l = leaves.get(i);
            if (n[i] < 0) throw new MerkleException("block " + l.hash().toHex() + " at " + l.path() + " is missing");
            if (n[i] != l.length()) fail(l.hash(), l.path(), "block of " + n[i] + " bytes, its entry says " + l.length());
            if (l.symlink()) {
                // Small (at most 4095 bytes once the length passed), so read only past that check.
                if (l.length() > Names.MAX_SYMLINK_TARGET_BYTES || l.length() == 0) {
                    fail(l.hash(), l.path(), l.length() == 0 ? "empty symlink target" : "symlink target of " + l.length() + " bytes exceeds " + Names.MAX_SYMLINK_TARGET_BYTES);
                }
                byte[] target = store.blocks().get(l.hash()).orElseThrow(() -> new MerkleException("block " + l.hash().toHex() + " is missing"));
                Names.symlinkTargetProblem(target).ifPresent(why -> fail(l.hash(), l.path(), why + " (no client could create it)"));
            }
        }
    }

    private static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    private static void fail(Hash h, String path, String what) {
        throw new MalformedObjectException("object " + h.toHex() + " at " + Names.printable(path) + ": " + what);
    }
}
