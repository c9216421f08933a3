package net.saharasync.clientd.scan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import net.saharasync.clientd.index.FileState;
import net.saharasync.merkle.Paths;

/**
 * The files of the folder that are hard links of one another. A write through one path
 * changes them all, but a watcher reports only the path written (inotify reports a change in
 * the folder it was made through): a partial scan widened with {@link #widen} looks at every
 * link of a reported file. Groups come from full scans (one file key at several paths); a
 * partial scan that meets a changed file with more links than it knows asks for a full scan
 * once ({@link #unknownLinks}), which finds its group, or finds that its other links are
 * outside the folder (then it is not asked again). Memory: only linked files are held.
 */
public final class HardLinks {
    /** File key to the paths holding it (two or more). */
    private final Map<String, List<String>> groups = new HashMap<>();
    private final Map<String, String> keyOf = new HashMap<>();
    /** File keys with links outside the folder, or not met by a full scan since. */
    private final Set<String> outside = new HashSet<>();

    /** {@code reported} with every other link of each reported path. */
    public Set<String> widen(Set<String> reported) {
        if (keyOf.isEmpty()) return reported;
        Set<String> out = null;
        for (String p : reported) {
            String key = keyOf.get(p);
            if (key == null) continue;
            if (out == null) out = new HashSet<>(reported);
            out.addAll(groups.get(key));
        }
        return out == null ? reported : out;
    }

    /**
     * Whether {@code partial} changed a file that has links this does not know of (a link just
     * made, or one never met by a full scan): then only a full scan can tell where they are.
     */
    public boolean unknownLinks(Scanner.Result partial, SyncFs fs) throws IOException {
        for (Map.Entry<String, Optional<FileState>> c : partial.indexChanges().entrySet()) {
            if (c.getValue().isEmpty() || c.getValue().get().stat().kind() != FileStat.Kind.FILE) continue;
            String key = c.getValue().get().stat().fileKey();
            if (groups.containsKey(key) || outside.contains(key)) continue;
            if (fs.links(RelPath.of(c.getKey())) > 1) {
                outside.add(key); // until the full scan finds it here
                return true;
            }
        }
        return false;
    }

    /** Takes what a scan saw: a full scan's groups replace these; a partial one drops what its folders no longer hold. */
    public void update(Scanner.Result scan) {
        if (!scan.partial()) {
            groups.clear();
            keyOf.clear();
            Map<String, String> first = new HashMap<>();
            for (Map.Entry<String, FileStat> o : scan.observed().entrySet()) {
                if (o.getValue().kind() != FileStat.Kind.FILE) continue;
                String key = o.getValue().fileKey(), other = first.putIfAbsent(key, o.getKey());
                if (other == null) continue;
                List<String> g = groups.computeIfAbsent(key, k -> new ArrayList<>(List.of(other)));
                g.add(o.getKey());
                keyOf.put(other, key);
                keyOf.put(o.getKey(), key);
            }
            outside.removeAll(groups.keySet());
            outside.retainAll(first.keySet()); // a key no file has any more
            return;
        }
        if (groups.isEmpty()) return;
        for (Map.Entry<String, FileStat> o : scan.observed().entrySet()) { // a further link made meanwhile
            List<String> g = groups.get(o.getValue().fileKey());
            if (g != null && keyOf.putIfAbsent(o.getKey(), o.getValue().fileKey()) == null) g.add(o.getKey());
        }
        for (String p : new ArrayList<>(keyOf.keySet())) {
            if (!scan.listedFolders().contains(Paths.parent(p))) continue;
            FileStat now = scan.observed().get(p);
            String key = keyOf.get(p);
            if (now != null && now.fileKey().equals(key)) continue;
            keyOf.remove(p);
            List<String> g = groups.get(key);
            g.remove(p);
            if (g.size() < 2) {
                groups.remove(key);
                g.forEach(keyOf::remove);
            }
        }
    }

    /** How many paths are in groups (for tests and the log). */
    public int linkedPaths() {
        return keyOf.size();
    }
}
