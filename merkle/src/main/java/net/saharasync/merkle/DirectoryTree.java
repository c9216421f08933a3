package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.TreeObject.DirChild;
import net.saharasync.merkle.TreeObject.DirIndex;
import net.saharasync.merkle.TreeObject.DirLeaf;

/**
 * A directory's entries as a Merkle tree: leaves hold entries in name order, split where an
 * entry's name (hashed) says so, with index nodes above; adding one file to a 200,000-entry
 * directory rewrites one leaf and its O(log n) ancestors.
 */
public final class DirectoryTree {
    private DirectoryTree() {}

    /** An empty directory's tree. */
    public static DirRef empty(ObjectStore out) {
        return new DirRef(out.write(new DirLeaf(List.of())), 0);
    }

    /** Builds the tree over {@code entries}, which must be in canonical order without repeats. */
    public static DirRef build(List<Entry> entries, ObjectStore out, TreeParams params) {
        int bits = params.dirBits();
        List<DirChild> level = new ArrayList<>();
        if (entries.isEmpty()) return empty(out);
        for (List<Entry> group : Boundaries.split(entries, bits, e -> Boundaries.closes(e.name(), 0, bits))) {
            level.add(new DirChild(group.getFirst().name(), group.size(), out.write(new DirLeaf(group))));
        }
        int height = 0;
        while (level.size() > 1) {
            int h = height + 1;
            List<DirChild> up = new ArrayList<>();
            for (List<DirChild> group : Boundaries.split(level, bits, c -> Boundaries.closes(c.firstName(), h, bits))) {
                DirIndex node = new DirIndex(h, group);
                up.add(new DirChild(group.getFirst().firstName(), node.count(), out.write(node)));
            }
            level = up;
            height = h;
        }
        return new DirRef(level.getFirst().hash(), height);
    }

    /** Every entry, in order. */
    public static List<Entry> entries(ObjectStore in, DirRef ref) {
        List<Entry> out = new ArrayList<>();
        collect(in, ref.root(), ref.height(), out);
        for (int i = 1; i < out.size(); i++) {
            if (Names.compare(out.get(i - 1).name(), out.get(i).name()) >= 0) {
                throw new MalformedObjectException("directory " + ref.root().toHex() + " has entries out of order");
            }
        }
        return out;
    }

    private static void collect(ObjectStore in, Hash node, int height, List<Entry> out) {
        if (height == 0) {
            out.addAll(in.read(node, DirLeaf.class).entries());
            return;
        }
        DirIndex idx = readIndex(in, node, height);
        for (DirChild c : idx.children()) collect(in, c.hash(), height - 1, out);
    }

    private static DirIndex readIndex(ObjectStore in, Hash node, int height) {
        DirIndex idx = in.read(node, DirIndex.class);
        if (idx.height() != height) {
            throw new MalformedObjectException("directory node " + node.toHex() + " has height " + idx.height() + ", expected " + height);
        }
        return idx;
    }

    /** The entry called {@code name}, reading one node per level. */
    public static Optional<Entry> lookup(ObjectStore in, DirRef ref, String name) {
        Hash node = ref.root();
        for (int h = ref.height(); h > 0; h--) {
            List<DirChild> cs = readIndex(in, node, h).children();
            int lo = 0, hi = cs.size() - 1, pick = -1;
            while (lo <= hi) { // last child whose first name <= name
                int mid = (lo + hi) >>> 1;
                if (Names.compare(cs.get(mid).firstName(), name) <= 0) {
                    pick = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (pick < 0) return Optional.empty();
            node = cs.get(pick).hash();
        }
        for (Entry e : in.read(node, DirLeaf.class).entries()) {
            if (e.name().equals(name)) return Optional.of(e);
        }
        return Optional.empty();
    }

    /** The entry at a '/'-separated path under {@code root}, if there is one. */
    public static Optional<Entry> lookupPath(ObjectStore in, DirRef root, String path) {
        DirRef dir = root;
        List<String> names = Paths.split(path);
        for (int i = 0; i < names.size(); i++) {
            Optional<Entry> e = lookup(in, dir, names.get(i));
            if (e.isEmpty() || i == names.size() - 1) return e;
            if (!e.get().isDirectory()) return Optional.empty();
            dir = e.get().dir();
        }
        return Optional.empty();
    }

    public record EntryDiff(String name, Optional<Entry> a, Optional<Entry> b) {}

    /**
     * The entries that differ between {@code a} and {@code b}, in name order. Subtrees with the
     * same hash on both sides are dropped level by level without being read, so two huge
     * directories differing in one entry cost O(height) node reads per side.
     */
    public static List<EntryDiff> diff(ObjectStore in, DirRef a, DirRef b) {
        if (a.equals(b)) return List.of();
        List<Hash> as = new ArrayList<>(List.of(a.root())), bs = new ArrayList<>(List.of(b.root()));
        int ha = a.height(), hb = b.height();
        while (true) {
            Set<Hash> common = new HashSet<>(as);
            common.retainAll(bs);
            as.removeAll(common);
            bs.removeAll(common);
            if (ha == 0 && hb == 0) break;
            if (ha >= hb && ha > 0) {
                as = expand(in, as, ha--);
            }
            if (hb > ha) {
                bs = expand(in, bs, hb--);
            }
        }
        return mergeJoin(leafEntries(in, as), leafEntries(in, bs));
    }

    private static List<Hash> expand(ObjectStore in, List<Hash> nodes, int height) {
        List<Hash> out = new ArrayList<>();
        for (Hash n : nodes) for (DirChild c : readIndex(in, n, height).children()) out.add(c.hash());
        return out;
    }

    private static List<Entry> leafEntries(ObjectStore in, List<Hash> leaves) {
        List<Entry> out = new ArrayList<>();
        for (Hash l : leaves) out.addAll(in.read(l, DirLeaf.class).entries());
        return out;
    }

    private static List<EntryDiff> mergeJoin(List<Entry> as, List<Entry> bs) {
        List<EntryDiff> out = new ArrayList<>();
        int i = 0, j = 0;
        while (i < as.size() || j < bs.size()) {
            int c = i == as.size() ? 1 : j == bs.size() ? -1 : Names.compare(as.get(i).name(), bs.get(j).name());
            if (c < 0) {
                out.add(new EntryDiff(as.get(i).name(), Optional.of(as.get(i)), Optional.empty()));
                i++;
            } else if (c > 0) {
                out.add(new EntryDiff(bs.get(j).name(), Optional.empty(), Optional.of(bs.get(j))));
                j++;
            } else {
                if (!as.get(i).equals(bs.get(j))) {
                    out.add(new EntryDiff(as.get(i).name(), Optional.of(as.get(i)), Optional.of(bs.get(j))));
                }
                i++;
                j++;
            }
        }
        return out;
    }
}
