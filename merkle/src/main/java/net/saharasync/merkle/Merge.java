package net.saharasync.merkle;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.saharasync.blockstore.Hash;

/**
 * Three-way merge of directory trees (base, local, remote). Nothing is ever dropped silently:
 * <ul>
 *   <li>the same change on both sides, or a change on one side only: taken as is;
 *   <li>both sides changed a file differently: the newer write (by mtime; remote's on a tie)
 *       keeps the name, the other is kept as {@code name (conflict DEVICE YYYY-MM-DD
 *       HHMMSS).ext}, DEVICE being the machine it came from;
 *   <li>edit against delete: the edit wins (inside a deleted folder, whatever the other side
 *       added or changed survives, the rest stays deleted);
 *   <li>file against folder at one path: the folder keeps the name, the file becomes a
 *       conflict copy;
 *   <li>same content, different metadata: no conflict (later mtime; a changed exec bit wins);
 *   <li>both sides renamed the same file or folder, unchanged, to different names: one of it,
 *       at remote's name (the rename that reached the host first); local's follows it;
 *   <li>one side moved a file or folder, unchanged, while the other changed it (edited the
 *       file, or added, edited or deleted inside the folder): the change follows the move.
 * </ul>
 * Only directories whose hashes differ on both sides are read.
 */
public final class Merge {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HHmmss").withZone(ZoneOffset.UTC);

    /** Why a conflict copy was made. */
    public enum Reason { BOTH_CHANGED, FILE_VERSUS_DIRECTORY }

    /** A conflict: what stayed at {@code path}, and where the other version went. */
    public record Conflict(String path, Reason reason, String copyPath, String copyDevice) {}

    public record Result(DirRef root, List<Conflict> conflicts) {}

    private final ObjectStore store;
    private final TreeParams params;
    private final String localDevice;
    private final String remoteDevice;
    private final String stamp;
    private final List<Conflict> conflicts = new ArrayList<>();
    private DirRef emptyDir;

    private Merge(ObjectStore store, TreeParams params, String localDevice, String remoteDevice, Instant time) {
        this.store = store;
        this.params = params;
        this.localDevice = localDevice;
        this.remoteDevice = remoteDevice;
        this.stamp = STAMP.format(time);
    }

    public static Result merge(ObjectStore store, TreeParams params, Optional<DirRef> base, DirRef local, DirRef remote,
            String localDevice, String remoteDevice, Instant time) {
        Merge m = new Merge(store, params, localDevice, remoteDevice, time);
        if (base.isEmpty()) return new Result(m.mergeDir(base, local, remote, ""), List.copyOf(m.conflicts));
        Sides s = m.followMoves(new Sides(base.get(), m.followRenames(base.get(), local, remote), remote));
        DirRef root = m.mergeDir(Optional.of(s.base()), s.local(), s.remote(), "");
        return new Result(root, List.copyOf(m.conflicts));
    }

    /**
     * {@code local} with each of its renames that remote also made, to another name, turned
     * into remote's: the content is the same, so a merge by name would keep both names (two
     * copies of one file, or of a whole folder). A rename is a path gone on both sides whose
     * unchanged content appears at exactly one new path on each (also inside a new folder);
     * only where remote's name is free here and local's free there.
     */
    private DirRef followRenames(DirRef base, DirRef local, DirRef remote) {
        if (local.equals(remote) || base.equals(local) || base.equals(remote)) return local;
        List<Change> toLocal = TreeDiff.diff(store, base, local), toRemote = TreeDiff.diff(store, base, remote);
        java.util.Map<String, Entry> goneRemotely = gone(toRemote);
        java.util.Map<String, Entry> goneBoth = new java.util.HashMap<>();
        for (var e : gone(toLocal).entrySet()) {
            Entry r = goneRemotely.get(e.getKey());
            if (r != null && r.sameContent(e.getValue())) goneBoth.put(e.getKey(), e.getValue());
        }
        if (goneBoth.isEmpty()) return local;
        Set<Hash> wanted = new HashSet<>();
        for (Entry e : goneBoth.values()) wanted.add(e.content());
        java.util.Map<Hash, List<java.util.Map.Entry<String, Entry>>> newHere = appeared(toLocal, wanted), newThere = appeared(toRemote, wanted);
        TreeEditor edit = null;
        for (var g : goneBoth.entrySet()) {
            Entry was = g.getValue();
            List<java.util.Map.Entry<String, Entry>> l = matching(newHere.get(was.content()), was), r = matching(newThere.get(was.content()), was);
            if (l.size() != 1 || r.size() != 1) continue; // no rename on one side, or not one to tell
            String lp = l.getFirst().getKey(), rp = r.getFirst().getKey();
            if (lp.equals(rp) || DirectoryTree.lookupPath(store, local, rp).isPresent() || DirectoryTree.lookupPath(store, remote, lp).isPresent()) continue;
            if (edit == null) edit = new TreeEditor(store, params);
            // A folder made for the rename alone (not in base, holding only this) goes with it.
            String gone = lp;
            for (String parent = Paths.parent(gone); !parent.isEmpty(); parent = Paths.parent(gone)) {
                Optional<Entry> there = DirectoryTree.lookupPath(store, local, parent);
                if (DirectoryTree.lookupPath(store, base, parent).isPresent() || there.isEmpty() || !there.get().isDirectory()
                        || DirectoryTree.entries(store, there.get().dir()).size() != 1) break;
                gone = parent;
            }
            edit.delete(gone).put(rp, l.getFirst().getValue());
        }
        return edit == null ? local : edit.build(local);
    }

    /** The three trees of a merge, as rewritten before it. */
    private record Sides(DirRef base, DirRef local, DirRef remote) {}

    /**
     * The trees with every change one side made to a path the other side moved carried to
     * where it moved. A merge by name would see the move as a delete plus an add, and the
     * change as an edit beating that delete: the changed version back at the old path (an
     * orphan) and the unchanged one at the new. Here the change is moved instead, in the
     * changing side and in base alike, so the merge sees one edit at the new path; only
     * where the new path is free for it on both.
     */
    private Sides followMoves(Sides s) {
        if (s.local().equals(s.remote()) || s.base().equals(s.local()) || s.base().equals(s.remote())) return s;
        List<Change.Moved> byRemote = movesOfChanged(TreeDiff.diff(store, s.base(), s.remote()), s.local());
        List<Change.Moved> byLocal = movesOfChanged(TreeDiff.diff(store, s.base(), s.local()), s.remote());
        DirRef b = s.base(), l = s.local(), r = s.remote();
        for (Change.Moved m : byRemote) {
            DirRef[] moved = carry(m, b, r, l);
            if (moved != null) {
                b = moved[0];
                l = moved[1];
            }
        }
        for (Change.Moved m : byLocal) {
            DirRef[] moved = carry(m, b, l, r);
            if (moved != null) {
                b = moved[0];
                r = moved[1];
            }
        }
        return new Sides(b, l, r);
    }

    /**
     * The moves in {@code diff} of what {@code other} changed: a path gone whose content left
     * no other path and arrived at exactly one (also inside a new folder; a copy elsewhere
     * would make it ambiguous).
     */
    private List<Change.Moved> movesOfChanged(List<Change> diff, DirRef other) {
        java.util.Map<String, Entry> gone = gone(diff);
        java.util.Map<Hash, Integer> left = new java.util.HashMap<>();
        List<java.util.Map.Entry<String, Entry>> changed = new ArrayList<>();
        for (var g : gone.entrySet()) {
            Entry was = g.getValue();
            left.merge(was.content(), 1, Integer::sum);
            if (!was.isDirectory() && was.size() == 0) continue; // all empty files look alike
            Optional<Entry> there = DirectoryTree.lookupPath(store, other, g.getKey());
            if (there.isPresent() && !there.get().equals(was)) changed.add(g);
        }
        if (changed.isEmpty()) return List.of();
        Set<Hash> wanted = new HashSet<>();
        for (var c : changed) wanted.add(c.getValue().content());
        java.util.Map<Hash, List<java.util.Map.Entry<String, Entry>>> arrived = appeared(diff, wanted);
        List<Change.Moved> out = new ArrayList<>();
        for (var c : changed) {
            String from = c.getKey();
            List<java.util.Map.Entry<String, Entry>> to = matching(arrived.get(c.getValue().content()), c.getValue());
            if (left.get(c.getValue().content()) != 1 || to.size() != 1) continue;
            String path = to.getFirst().getKey();
            if (path.startsWith(from + "/") || from.startsWith(path + "/")) continue;
            out.add(new Change.Moved(from, path, c.getValue(), to.getFirst().getValue()));
        }
        return out;
    }

    /**
     * {base, other} with other's change to what {@code mover} moved carried along the move,
     * or null where there is nothing to carry or the trees no longer fit the move.
     */
    private DirRef[] carry(Change.Moved m, DirRef base, DirRef mover, DirRef other) {
        Optional<Entry> was = DirectoryTree.lookupPath(store, base, m.from()), changed = DirectoryTree.lookupPath(store, other, m.from());
        if (was.isEmpty() || !was.get().sameContent(m.before()) || changed.isEmpty() || changed.get().equals(was.get())
                || changed.get().kind() != was.get().kind()) {
            return null; // the other side did not change it (or made it something else: a merge by name keeps both)
        }
        Optional<Entry> arrived = DirectoryTree.lookupPath(store, mover, m.path());
        if (arrived.isEmpty() || !arrived.get().sameContent(m.after()) || DirectoryTree.lookupPath(store, mover, m.from()).isPresent()) {
            return null;
        }
        if (!free(base, m.path()) || !free(other, m.path())) return null;
        DirRef b = new TreeEditor(store, params).delete(m.from()).put(m.path(), arrived.get()).build(base);
        DirRef o = new TreeEditor(store, params).delete(m.from()).put(m.path(), changed.get()).build(other);
        return new DirRef[] {b, o};
    }

    /** Whether nothing is at {@code path} and each folder on the way is a folder or absent. */
    private boolean free(DirRef root, String path) {
        if (DirectoryTree.lookupPath(store, root, path).isPresent()) return false;
        for (String p = Paths.parent(path); !p.isEmpty(); p = Paths.parent(p)) {
            Optional<Entry> e = DirectoryTree.lookupPath(store, root, p);
            if (e.isPresent() && !e.get().isDirectory()) return false;
        }
        return true;
    }

    /** Paths a diff takes away (removed, or moved from), with what was there. */
    private static java.util.Map<String, Entry> gone(List<Change> diff) {
        java.util.Map<String, Entry> out = new java.util.HashMap<>();
        for (Change c : diff) {
            if (c instanceof Change.Removed r) out.put(r.path(), r.entry());
            else if (c instanceof Change.Moved m) out.put(m.from(), m.before());
        }
        return out;
    }

    /** Entries a diff brings (added, also inside added folders, or moved to) whose content is {@code wanted}, by content. */
    private java.util.Map<Hash, List<java.util.Map.Entry<String, Entry>>> appeared(List<Change> diff, Set<Hash> wanted) {
        java.util.Map<Hash, List<java.util.Map.Entry<String, Entry>>> out = new java.util.HashMap<>();
        java.util.ArrayDeque<java.util.Map.Entry<String, Entry>> todo = new java.util.ArrayDeque<>();
        for (Change c : diff) {
            if (c instanceof Change.Added a) todo.add(java.util.Map.entry(a.path(), a.entry()));
            else if (c instanceof Change.Moved m) todo.add(java.util.Map.entry(m.path(), m.after()));
        }
        while (!todo.isEmpty()) {
            var e = todo.poll();
            if (wanted.contains(e.getValue().content())) out.computeIfAbsent(e.getValue().content(), k -> new ArrayList<>()).add(e);
            if (e.getValue().isDirectory()) {
                for (Entry c : DirectoryTree.entries(store, e.getValue().dir())) todo.add(java.util.Map.entry(Paths.join(e.getKey(), c.name()), c));
            }
        }
        return out;
    }

    private static List<java.util.Map.Entry<String, Entry>> matching(List<java.util.Map.Entry<String, Entry>> candidates, Entry was) {
        if (candidates == null) return List.of();
        List<java.util.Map.Entry<String, Entry>> out = new ArrayList<>();
        for (var c : candidates) if (c.getValue().sameContent(was)) out.add(c);
        return out;
    }

    private DirRef empty() {
        if (emptyDir == null) emptyDir = DirectoryTree.empty(store);
        return emptyDir;
    }

    private DirRef mergeDir(Optional<DirRef> base, DirRef local, DirRef remote, String prefix) {
        if (local.equals(remote)) return local;
        if (base.isPresent() && base.get().equals(local)) return remote;
        if (base.isPresent() && base.get().equals(remote)) return local;
        List<Entry> b = base.map(d -> DirectoryTree.entries(store, d)).orElse(List.of());
        List<Entry> l = DirectoryTree.entries(store, local), r = DirectoryTree.entries(store, remote);
        Set<String> taken = new HashSet<>();
        for (List<Entry> side : List.of(b, l, r)) for (Entry e : side) taken.add(e.name());
        List<Entry> out = new ArrayList<>(Math.max(l.size(), r.size()) + 4);
        int conflictsBefore = conflicts.size();
        // Three-way merge-join of the sorted entry lists, one name at a time.
        int i = 0, j = 0, k = 0;
        while (i < b.size() || j < l.size() || k < r.size()) {
            String name = null;
            if (i < b.size()) name = b.get(i).name();
            if (j < l.size() && (name == null || Names.compare(l.get(j).name(), name) < 0)) name = l.get(j).name();
            if (k < r.size() && (name == null || Names.compare(r.get(k).name(), name) < 0)) name = r.get(k).name();
            Optional<Entry> be = i < b.size() && b.get(i).name().equals(name) ? Optional.of(b.get(i++)) : Optional.empty();
            Optional<Entry> le = j < l.size() && l.get(j).name().equals(name) ? Optional.of(l.get(j++)) : Optional.empty();
            Optional<Entry> re = k < r.size() && r.get(k).name().equals(name) ? Optional.of(r.get(k++)) : Optional.empty();
            decide(Paths.join(prefix, name), name, be, le, re, out, taken);
        }
        if (conflicts.size() > conflictsBefore) out.sort((x, y) -> Names.compare(x.name(), y.name())); // copies were appended
        return DirectoryTree.build(out, store, params);
    }

    private void decide(String path, String name, Optional<Entry> b, Optional<Entry> l, Optional<Entry> r,
            List<Entry> out, Set<String> taken) {
        if (l.equals(r) || l.equals(b)) {
            (l.equals(r) ? l : r).ifPresent(out::add);
            return;
        }
        if (r.equals(b)) {
            l.ifPresent(out::add);
            return;
        }
        // Both sides changed this name, differently.
        if (l.isEmpty() || r.isEmpty()) {
            Entry edited = l.orElseGet(r::get);
            if (edited.isDirectory() && b.isPresent() && b.get().isDirectory()) {
                // Deleted on one side, changed inside on the other: keep what the other side changed.
                DirRef kept = l.isEmpty()
                        ? mergeDir(b.map(Entry::dir), empty(), edited.dir(), path)
                        : mergeDir(b.map(Entry::dir), edited.dir(), empty(), path);
                if (!kept.equals(empty())) out.add(Entry.directory(name, kept));
            } else {
                out.add(edited); // edit beats delete
            }
            return;
        }
        Entry le = l.get(), re = r.get();
        if (le.isDirectory() && re.isDirectory()) {
            Optional<DirRef> baseDir = b.filter(Entry::isDirectory).map(Entry::dir).or(() -> Optional.of(empty()));
            out.add(Entry.directory(name, mergeDir(baseDir, le.dir(), re.dir(), path)));
        } else if (le.sameContent(re)) {
            out.add(mergeMetadata(b, le, re));
        } else if (le.isDirectory() || re.isDirectory()) {
            Entry dir = le.isDirectory() ? le : re, file = le.isDirectory() ? re : le;
            String device = le.isDirectory() ? remoteDevice : localDevice;
            out.add(dir);
            copy(path, name, file, device, Reason.FILE_VERSUS_DIRECTORY, out, taken);
        } else if (le.mtimeNanos() > re.mtimeNanos()) {
            // The newest write stays where programs look for it (git's index, an app's state
            // file): the older one is the copy, whichever machine made it.
            out.add(le);
            copy(path, name, re, remoteDevice, Reason.BOTH_CHANGED, out, taken);
        } else {
            out.add(re);
            copy(path, name, le, localDevice, Reason.BOTH_CHANGED, out, taken);
        }
    }

    private static Entry mergeMetadata(Optional<Entry> b, Entry l, Entry r) {
        boolean known = b.isPresent() && b.get().kind() == l.kind();
        boolean exec = known
                ? (l.executable() != b.get().executable() ? l.executable() : r.executable())
                : l.executable() || r.executable();
        // A changed privacy wins too; without a base, the more private one (never widened).
        boolean ownerOnly = known
                ? (l.ownerOnly() != b.get().ownerOnly() ? l.ownerOnly() : r.ownerOnly())
                : l.ownerOnly() || r.ownerOnly();
        return new Entry(l.name(), l.kind(), exec, Math.max(l.mtimeNanos(), r.mtimeNanos()), l.size(), l.content(), l.height(), ownerOnly);
    }

    private void copy(String path, String name, Entry e, String device, Reason reason, List<Entry> out, Set<String> taken) {
        String copyName = conflictName(name, device, taken);
        taken.add(copyName);
        out.add(e.withName(copyName));
        int slash = path.lastIndexOf('/');
        conflicts.add(new Conflict(path, reason, slash < 0 ? copyName : path.substring(0, slash + 1) + copyName, device));
    }

    /** {@code stem (conflict DEVICE YYYY-MM-DD HHMMSS[ n]).ext}, unique among {@code taken}, at most 255 bytes. */
    String conflictName(String name, String device, Set<String> taken) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String dev = device.replaceAll("[/\\x00-\\x1f\\x7f]", "_");
        for (int n = 1; n < 10_000; n++) {
            String tag = " (conflict " + dev + " " + stamp + (n == 1 ? "" : " " + n) + ")";
            String s = stem;
            while (utf8(s + tag + ext) > Names.MAX_BYTES && !s.isEmpty()) s = s.substring(0, s.offsetByCodePoints(s.length(), -1));
            String candidate = java.text.Normalizer.normalize(s + tag + ext, java.text.Normalizer.Form.NFC);
            if (Names.problem(candidate).isEmpty() && !taken.contains(candidate)) return candidate;
        }
        throw new MerkleException("no free conflict name for " + Names.printable(name));
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
