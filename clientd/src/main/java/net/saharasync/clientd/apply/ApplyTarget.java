package net.saharasync.clientd.apply;

import java.util.Optional;
import java.util.Set;
import net.saharasync.clientd.ignore.IgnoreRules;
import net.saharasync.merkle.Change;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.Names;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeDiff;
import net.saharasync.merkle.TreeEditor;
import net.saharasync.merkle.TreeParams;

/**
 * What the applier is to make of the folder, given the merged tree: it goes {@code from} the
 * folder as it is (the scanned tree without the entries carried from base that are not here)
 * {@code to} the merged tree, except at the paths this machine does not sync — ignored ones and
 * the reserved state folder — which keep what the folder holds there. A remote tree can so
 * never write into the client's state, nor make this machine write (or delete) what its
 * ignore rules keep out; a remote file renamed to an ignored name leaves this folder like a
 * deleted one (to the trash), and stays in the volume.
 */
public record ApplyTarget(DirRef from, DirRef to) {
    public static ApplyTarget of(ObjectStore objects, TreeParams params, DirRef scanned, Set<String> notHere, DirRef merged,
                                 IgnoreRules ignore) {
        DirRef from = scanned;
        if (!notHere.isEmpty()) {
            TreeEditor ed = new TreeEditor(objects, params);
            for (String p : notHere) ed.delete(p);
            from = ed.build(scanned);
        }
        TreeEditor ed = new TreeEditor(objects, params);
        boolean edited = false;
        for (Change c : TreeDiff.diff(objects, from, merged)) {
            if (c instanceof Change.Moved m && notOurs(m.from(), m.before(), ignore)) {
                ed.put(m.from(), m.before());
                edited = true;
            }
            Optional<Entry> was = DirectoryTree.lookupPath(objects, from, c.path());
            Optional<Entry> now = after(c);
            if (notOurs(c.path(), was.orElse(null), ignore) || (now.isPresent() && notOurs(c.path(), now.get(), ignore))) {
                if (was.isPresent()) ed.put(c.path(), was.get());
                else ed.delete(c.path());
                edited = true;
            }
        }
        DirRef to = edited ? ed.build(merged) : merged;
        objects.flush();
        return new ApplyTarget(from, to);
    }

    /** {@code root} without the reserved state folder at its top (a hostile or old tree may hold one). */
    public static DirRef withoutReserved(ObjectStore objects, TreeParams params, DirRef root) {
        if (DirectoryTree.lookupPath(objects, root, Names.RESERVED_AT_ROOT).isEmpty()) return root;
        DirRef out = new TreeEditor(objects, params).delete(Names.RESERVED_AT_ROOT).build(root);
        objects.flush();
        return out;
    }

    private static Optional<Entry> after(Change c) {
        return switch (c) {
            case Change.Added a -> Optional.of(a.entry());
            case Change.Removed r -> Optional.empty();
            case Change.Modified m -> Optional.of(m.after());
            case Change.KindChanged k -> Optional.of(k.after());
            case Change.Moved m -> Optional.of(m.after());
        };
    }

    /** Whether this machine leaves {@code path} alone (the entry there, when known, tells file or folder). */
    static boolean notOurs(String path, Entry e, IgnoreRules ignore) {
        if (Names.reserved(path)) return true;
        return e == null ? ignore.ignoredEitherWay(path) : ignore.ignoredWhere(path, e.isDirectory());
    }
}
