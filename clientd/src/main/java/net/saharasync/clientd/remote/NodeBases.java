package net.saharasync.clientd.remote;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeObject.FileChild;
import net.saharasync.merkle.TreeObject.FileIndex;

/**
 * Bases for deltas of a file's tree nodes: a changed index node is sent against the node of
 * the same height covering most of the same bytes in the version both sides know (only a
 * child hash or two differ, so the patch is a few dozen bytes instead of ~2.6 KB).
 */
final class NodeBases {
    private NodeBases() {}

    /** A node of a file tree: its height and the bytes [start, end) of the file under it. */
    record Span(Hash hash, int height, long start, long end) {}

    /** Every index node (height >= 1) of the file's tree, with its byte range. */
    static List<Span> layout(ObjectStore objects, FileRef ref) {
        List<Span> out = new ArrayList<>();
        if (ref.height() > 0) walk(objects, ref.root(), ref.height(), 0, ref.size(), out);
        return out;
    }

    private static void walk(ObjectStore objects, Hash h, int height, long start, long end, List<Span> out) {
        out.add(new Span(h, height, start, end));
        if (height == 1) return;
        long at = start;
        FileIndex node = (FileIndex) objects.read(h);
        for (FileChild c : node.children()) {
            walk(objects, c.hash(), height - 1, at, at + c.length(), out);
            at += c.length();
        }
    }

    /**
     * For each node of {@code now} not in {@code was}: the node of {@code was} at the same height
     * overlapping it most (the first of equals). The nodes of one height of a layout are in file
     * order and do not overlap, so each is found by binary search: a 100 GiB file has tens of
     * thousands of index nodes, and comparing every changed node with all of them was quadratic.
     */
    static Map<Hash, Hash> match(List<Span> now, List<Span> was) {
        Map<Hash, Hash> out = new HashMap<>();
        java.util.Set<Hash> old = new java.util.HashSet<>();
        Map<Integer, List<Span>> levels = new HashMap<>();
        for (Span s : was) {
            old.add(s.hash());
            levels.computeIfAbsent(s.height(), h -> new ArrayList<>()).add(s);
        }
        for (Span n : now) {
            if (old.contains(n.hash())) continue;
            List<Span> level = levels.getOrDefault(n.height(), List.of());
            int lo = 0, hi = level.size();
            while (lo < hi) { // the first node ending after n starts
                int mid = (lo + hi) >>> 1;
                if (level.get(mid).end() <= n.start()) lo = mid + 1;
                else hi = mid;
            }
            Optional<Span> best = Optional.empty();
            long bestOverlap = 0;
            for (int i = lo; i < level.size() && level.get(i).start() < n.end(); i++) {
                Span o = level.get(i);
                long overlap = Math.min(n.end(), o.end()) - Math.max(n.start(), o.start());
                if (overlap > bestOverlap) {
                    bestOverlap = overlap;
                    best = Optional.of(o);
                }
            }
            best.ifPresent(o -> out.put(n.hash(), o.hash()));
        }
        return out;
    }
}
