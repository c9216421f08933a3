package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * What another side lacks of a tree: walks top-down one level at a time, asks the other side
 * about a whole level in one batch, and descends only into what it lacks. The other side is
 * assumed to hold the whole subtree of any object it has (a host only accepts complete trees).
 */
public final class Missing {
    private Missing() {}

    /** How to expand a hash: a directory node, a file node of some height, or a leaf block (chunk, symlink target). */
    private sealed interface Ref permits DirNode, FileNode, Leaf {
        Hash hash();
    }

    private record DirNode(Hash hash, int height) implements Ref {}

    private record FileNode(Hash hash, int height) implements Ref {}

    private record Leaf(Hash hash) implements Ref {}

    /**
     * The hashes (objects and chunks) reachable from {@code root} that {@code lacks} reports
     * missing, parents before children. {@code lacks} gets one batch per tree level and returns
     * the subset the other side does not have.
     */
    public static List<Hash> missing(ObjectStore local, DirRef root, Function<List<Hash>, Set<Hash>> lacks) {
        List<Hash> out = new ArrayList<>();
        List<Ref> level = List.of(new DirNode(root.root(), root.height()));
        while (!level.isEmpty()) {
            Map<Hash, Ref> unique = new LinkedHashMap<>();
            for (Ref r : level) unique.putIfAbsent(r.hash(), r);
            Set<Hash> absent = lacks.apply(new ArrayList<>(unique.keySet()));
            List<Ref> next = new ArrayList<>();
            for (Ref r : unique.values()) {
                if (!absent.contains(r.hash())) continue;
                out.add(r.hash());
                expand(local, r, next);
            }
            level = next;
        }
        return out;
    }

    private static void expand(ObjectStore local, Ref r, List<Ref> next) {
        switch (r) {
            case Leaf leaf -> {}
            case FileNode f when f.height() == 0 -> {}
            case FileNode f -> {
                for (FileChild c : local.read(f.hash(), FileIndex.class).children()) next.add(new FileNode(c.hash(), f.height() - 1));
            }
            case DirNode d when d.height() == 0 -> {
                for (Entry e : local.read(d.hash(), DirLeaf.class).entries()) {
                    next.add(switch (e.kind()) {
                        case DIRECTORY -> new DirNode(e.content(), e.height());
                        case FILE -> e.size() == 0 ? new Leaf(e.content()) : new FileNode(e.content(), e.height());
                        case SYMLINK -> new Leaf(e.content());
                    });
                }
            }
            case DirNode d -> {
                for (DirChild c : local.read(d.hash(), DirIndex.class).children()) next.add(new DirNode(c.hash(), d.height() - 1));
            }
        }
    }
}
