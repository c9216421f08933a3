package net.saharasync.merkle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Path-level differences between two directory trees, descending only into directories whose
 * hashes differ. A removal and an addition of the same content (file, symlink or whole
 * directory) pair up as a {@link Change.Moved}, so a rename costs nothing to sync.
 */
public final class TreeDiff {
    private TreeDiff() {}

    public static List<Change> diff(ObjectStore in, DirRef a, DirRef b) {
        List<Change> raw = new ArrayList<>();
        walk(in, "", a, b, raw);
        return pairMoves(raw);
    }

    private static void walk(ObjectStore in, String prefix, DirRef a, DirRef b, List<Change> out) {
        for (DirectoryTree.EntryDiff d : DirectoryTree.diff(in, a, b)) {
            String path = Paths.join(prefix, d.name());
            Optional<Entry> x = d.a(), y = d.b();
            if (x.isEmpty()) {
                out.add(new Change.Added(path, y.get()));
            } else if (y.isEmpty()) {
                out.add(new Change.Removed(path, x.get()));
            } else if (x.get().kind() != y.get().kind()) {
                out.add(new Change.KindChanged(path, x.get(), y.get()));
            } else if (x.get().isDirectory()) {
                walk(in, path, x.get().dir(), y.get().dir(), out);
            } else {
                out.add(new Change.Modified(path, x.get(), y.get()));
            }
        }
    }

    /** Pairs removals with additions of identical content, first by path order; empty files are never paired. */
    private static List<Change> pairMoves(List<Change> raw) {
        Map<String, ArrayDeque<Change.Removed>> removedByContent = new HashMap<>();
        for (Change c : raw) {
            if (c instanceof Change.Removed r && movable(r.entry())) {
                removedByContent.computeIfAbsent(key(r.entry()), k -> new ArrayDeque<>()).add(r);
            }
        }
        if (removedByContent.isEmpty()) return raw;
        Map<Change.Removed, Change.Moved> moves = new HashMap<>();
        for (Change c : raw) {
            if (c instanceof Change.Added add && movable(add.entry())) {
                ArrayDeque<Change.Removed> q = removedByContent.get(key(add.entry()));
                if (q != null && !q.isEmpty()) {
                    Change.Removed r = q.poll();
                    moves.put(r, new Change.Moved(r.path(), add.path(), r.entry(), add.entry()));
                }
            }
        }
        java.util.Set<String> movedTo = new java.util.HashSet<>();
        moves.values().forEach(m -> movedTo.add(m.path()));
        List<Change> out = new ArrayList<>();
        for (Change c : raw) {
            if (c instanceof Change.Removed r && moves.containsKey(r)) {
                out.add(moves.get(r));
            } else if (!(c instanceof Change.Added add && movedTo.contains(add.path()))) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparing(Change::path));
        return out;
    }

    private static boolean movable(Entry e) {
        return e.isDirectory() || e.size() > 0;
    }

    private static String key(Entry e) {
        return e.kind() + ":" + e.height() + ":" + e.size() + ":" + e.content().toHex();
    }
}
