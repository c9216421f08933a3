package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;

/** Test helpers: random file refs, trees built from path maps, and trees flattened back to path maps. */
final class Trees {
    private Trees() {}

    static ObjectStore store() {
        return new ObjectStore(new InMemoryBlockStore());
    }

    static Hash randomHash(Random r) {
        byte[] b = new byte[32];
        r.nextBytes(b);
        return Hash.fromBytes(b);
    }

    static Entry randomFile(Random r, String name) {
        long size = 1 + r.nextInt(1 << 20);
        return Entry.file(name, new FileRef(randomHash(r), size, r.nextInt(3)), r.nextInt(5) == 0, r.nextLong(1L << 60));
    }

    /** Builds a tree holding exactly these paths (entries are renamed to their last component). */
    static DirRef build(ObjectStore s, Map<String, Entry> files) {
        TreeEditor ed = new TreeEditor(s, TreeParams.DEFAULT);
        files.forEach(ed::put);
        return ed.build(DirectoryTree.empty(s));
    }

    /** Every non-directory entry, and every empty directory, by path. */
    static TreeMap<String, Entry> flatten(ObjectStore s, DirRef root) {
        TreeMap<String, Entry> out = new TreeMap<>();
        walk(s, root, "", out);
        return out;
    }

    private static void walk(ObjectStore s, DirRef dir, String prefix, Map<String, Entry> out) {
        for (Entry e : DirectoryTree.entries(s, dir)) {
            String p = Paths.join(prefix, e.name());
            if (e.isDirectory() && !DirectoryTree.entries(s, e.dir()).isEmpty()) walk(s, e.dir(), p, out);
            else out.put(p, e);
        }
    }

    /** A random tree: up to {@code files} files in nested folders, names from a small alphabet so edits collide. */
    static TreeMap<String, Entry> randomPaths(Random r, int files) {
        TreeMap<String, Entry> m = new TreeMap<>();
        for (int i = 0; i < files; i++) {
            String p = randomPath(r);
            if (!conflictsWithExisting(m, p)) m.put(p, randomFile(r, last(p)));
        }
        return m;
    }

    static String randomPath(Random r) {
        int depth = r.nextInt(3);
        List<String> parts = new ArrayList<>();
        for (int d = 0; d < depth; d++) parts.add("d" + r.nextInt(4));
        parts.add("f" + r.nextInt(12) + (r.nextBoolean() ? ".txt" : ""));
        return String.join("/", parts);
    }

    static String last(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** Whether {@code p} would need an existing file to be a folder, or an existing folder to be a file. */
    static boolean conflictsWithExisting(Map<String, Entry> m, String p) {
        for (String k : m.keySet()) {
            if (k.startsWith(p + "/") || p.startsWith(k + "/")) return true;
        }
        return false;
    }

    /** Applies a few random edits to a copy of {@code m}: add, delete, modify content, touch, rename, move a folder. */
    static TreeMap<String, Entry> edit(Random r, Map<String, Entry> m, int edits) {
        TreeMap<String, Entry> out = new TreeMap<>(m);
        for (int i = 0; i < edits; i++) {
            List<String> keys = new ArrayList<>(out.keySet());
            int op = r.nextInt(6);
            if (keys.isEmpty() || op == 0) {
                String p = randomPath(r);
                if (!conflictsWithExisting(out, p)) out.put(p, randomFile(r, last(p)));
                continue;
            }
            String k = keys.get(r.nextInt(keys.size()));
            Entry e = out.get(k);
            switch (op) {
                case 1 -> out.remove(k);
                case 2 -> out.put(k, randomFile(r, last(k)));
                case 3 -> out.put(k, new Entry(e.name(), e.kind(), e.executable(), e.mtimeNanos() + 1, e.size(), e.content(), e.height()));
                case 4 -> {
                    String to = randomPath(r);
                    out.remove(k);
                    if (!out.containsKey(to) && !conflictsWithExisting(out, to)) out.put(to, e.withName(last(to)));
                    else out.put(k, e);
                }
                default -> {
                    if (!k.contains("/")) break;
                    String dir = k.substring(0, k.indexOf('/'));
                    String to = "moved" + r.nextInt(3);
                    if (out.keySet().stream().anyMatch(x -> x.equals(to) || x.startsWith(to + "/"))) break;
                    for (String x : keys) {
                        if (x.startsWith(dir + "/")) out.put(to + x.substring(dir.length()), out.remove(x));
                    }
                }
            }
        }
        return out;
    }
}
