package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Applies path-level edits to a directory tree and returns the new root. Only directories on
 * the edited paths are read and rebuilt; unchanged nodes come out with the same hashes, so
 * nothing else is written.
 */
public final class TreeEditor {
    private final ObjectStore store;
    private final TreeParams params;
    /** Edits grouped by directory: name -> put (present) or delete (empty); children by first component. */
    private final Node top = new Node();

    private static final class Node {
        final Map<String, Optional<Entry>> here = new TreeMap<>(Names::compare);
        final Map<String, Node> below = new TreeMap<>(Names::compare);
    }

    public TreeEditor(ObjectStore store, TreeParams params) {
        this.store = store;
        this.params = params;
    }

    /** Puts {@code entry} at {@code path} (its last component is replaced by the entry's name). Missing parents are created. */
    public TreeEditor put(String path, Entry entry) {
        List<String> parts = Paths.split(path);
        String name = parts.getLast();
        nodeFor(parts).here.put(name, Optional.of(entry.withName(name)));
        return this;
    }

    /** Deletes whatever is at {@code path} (nothing if absent). */
    public TreeEditor delete(String path) {
        List<String> parts = Paths.split(path);
        nodeFor(parts).here.put(parts.getLast(), Optional.empty());
        return this;
    }

    /** Records every change of a diff (as if replaying it). */
    public TreeEditor apply(List<Change> changes) {
        for (Change c : changes) {
            switch (c) {
                case Change.Added a -> put(a.path(), a.entry());
                case Change.Removed r -> delete(r.path());
                case Change.Modified m -> put(m.path(), m.after());
                case Change.KindChanged k -> put(k.path(), k.after());
                case Change.Moved m -> {
                    delete(m.from());
                    put(m.path(), m.after());
                }
            }
        }
        return this;
    }

    private Node nodeFor(List<String> parts) {
        Node n = top;
        for (String p : parts.subList(0, parts.size() - 1)) n = n.below.computeIfAbsent(p, k -> new Node());
        return n;
    }

    /** Writes the edited tree (buffered in the store) and returns its root. */
    public DirRef build(DirRef root) {
        return rebuild(Optional.of(root), top, "");
    }

    private DirRef rebuild(Optional<DirRef> dir, Node edits, String prefix) {
        // The edits of this folder, in name order: puts/deletes here, then rebuilt subfolders.
        TreeMap<String, Optional<Entry>> changes = new TreeMap<>(Names::compare);
        changes.putAll(edits.here);
        List<Entry> existing = dir.map(d -> DirectoryTree.entries(store, d)).orElse(List.of());
        for (Map.Entry<String, Node> sub : edits.below.entrySet()) {
            String name = sub.getKey();
            Optional<Entry> current = changes.containsKey(name) ? changes.get(name) : find(existing, name);
            if (current.isPresent() && !current.get().isDirectory()) {
                throw new MerkleException("cannot edit inside " + Paths.join(prefix, name) + ": it is a " + current.get().kind());
            }
            DirRef child = rebuild(current.map(Entry::dir), sub.getValue(), Paths.join(prefix, name));
            changes.put(name, Optional.of(Entry.directory(name, child)));
        }
        // Merge-join the sorted entries with the sorted changes.
        List<Entry> out = new ArrayList<>(existing.size() + changes.size());
        var it = changes.entrySet().iterator();
        Map.Entry<String, Optional<Entry>> next = it.hasNext() ? it.next() : null;
        for (Entry e : existing) {
            while (next != null && Names.compare(next.getKey(), e.name()) < 0) {
                next.getValue().ifPresent(out::add);
                next = it.hasNext() ? it.next() : null;
            }
            if (next != null && next.getKey().equals(e.name())) {
                next.getValue().ifPresent(out::add);
                next = it.hasNext() ? it.next() : null;
            } else {
                out.add(e);
            }
        }
        while (next != null) {
            next.getValue().ifPresent(out::add);
            next = it.hasNext() ? it.next() : null;
        }
        return DirectoryTree.build(out, store, params);
    }

    private static Optional<Entry> find(List<Entry> sorted, String name) {
        int lo = 0, hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Names.compare(sorted.get(mid).name(), name);
            if (c == 0) return Optional.of(sorted.get(mid));
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return Optional.empty();
    }
}
