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

/**
 * Three-way merge of directory trees (base, local, remote). Nothing is ever dropped silently:
 * <ul>
 *   <li>the same change on both sides, or a change on one side only: taken as is;
 *   <li>both sides changed a file differently: remote's version keeps the name, local's is
 *       kept as {@code name (conflict DEVICE YYYY-MM-DD HHMMSS).ext};
 *   <li>edit against delete: the edit wins (inside a deleted folder, whatever the other side
 *       added or changed survives, the rest stays deleted);
 *   <li>file against folder at one path: the folder keeps the name, the file becomes a
 *       conflict copy;
 *   <li>same content, different metadata: no conflict (later mtime; a changed exec bit wins).
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
        DirRef root = m.mergeDir(base, local, remote, "");
        return new Result(root, List.copyOf(m.conflicts));
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
        } else {
            out.add(re);
            copy(path, name, le, localDevice, Reason.BOTH_CHANGED, out, taken);
        }
    }

    private static Entry mergeMetadata(Optional<Entry> b, Entry l, Entry r) {
        boolean exec = b.isPresent() && b.get().kind() == l.kind()
                ? (l.executable() != b.get().executable() ? l.executable() : r.executable())
                : l.executable() || r.executable();
        return new Entry(l.name(), l.kind(), exec, Math.max(l.mtimeNanos(), r.mtimeNanos()), l.size(), l.content(), l.height());
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
