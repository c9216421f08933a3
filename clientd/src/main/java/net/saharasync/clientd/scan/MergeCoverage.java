package net.saharasync.clientd.scan;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.saharasync.merkle.Change;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.Paths;
import net.saharasync.merkle.TreeDiff;

/**
 * What a partial scan must have listed before a merge may write into the folder: the
 * applier checks every write against the stat the scan saw, so every folder a write lands in
 * must have been listed by this cycle. Pure functions over trees.
 */
public final class MergeCoverage {
    private MergeCoverage() {}

    /**
     * {@code changes} plus every path where {@code remote} differs from {@code local} (both
     * ends of a move): scanning with these lists the folders a merge with {@code remote} can
     * write in (whole subtrees where a folder differs).
     */
    public static Scanner.Changes widen(ObjectStore objects, Scanner.Changes changes, DirRef local, DirRef remote) {
        Set<String> more = new HashSet<>(changes.paths());
        for (Change c : TreeDiff.diff(objects, local, remote)) {
            more.add(c.path());
            if (c instanceof Change.Moved mv) more.add(mv.from());
        }
        return new Scanner.Changes(changes.previous(), more);
    }

    /**
     * Whether a partial scan listed every folder that applying {@code to} over {@code local}
     * writes in: the nearest existing folder above each changed path, and every folder inside
     * a folder that is removed, moved or replaced. The applier checks each write against what
     * the scan saw there; in a folder not listed it would have nothing to check against.
     */
    public static boolean listedWhereChanged(ObjectStore objects, Set<String> listed, DirRef local, DirRef to) {
        for (Change c : TreeDiff.diff(objects, local, to)) {
            List<String> paths = c instanceof Change.Moved mv ? List.of(mv.from(), mv.path()) : List.of(c.path());
            for (String p : paths) {
                String d = Paths.parent(p);
                while (!d.isEmpty() && !DirectoryTree.lookupPath(objects, local, d).map(Entry::isDirectory).orElse(false)) d = Paths.parent(d);
                if (!listed.contains(d)) return false;
            }
            Entry before = switch (c) {
                case Change.Removed r -> r.entry();
                case Change.Moved mv -> mv.before();
                case Change.KindChanged k -> k.before();
                case Change.Modified mo -> mo.before();
                case Change.Added a -> null;
            };
            String at = c instanceof Change.Moved mv ? mv.from() : c.path();
            if (before != null && before.isDirectory() && !allListed(objects, before.dir(), at, listed)) return false;
        }
        return true;
    }

    private static boolean allListed(ObjectStore objects, DirRef dir, String path, Set<String> listed) {
        if (!listed.contains(path)) return false;
        for (Entry e : DirectoryTree.entries(objects, dir)) {
            if (e.isDirectory() && !allListed(objects, e.dir(), Paths.join(path, e.name()), listed)) return false;
        }
        return true;
    }
}
