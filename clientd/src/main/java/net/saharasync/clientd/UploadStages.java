package net.saharasync.clientd;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.Change;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.EntryKind;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.Paths;
import net.saharasync.merkle.TreeDiff;
import net.saharasync.merkle.TreeEditor;
import net.saharasync.merkle.TreeParams;

/**
 * Splits a large upload into several commits, so the other machines start downloading while
 * this one still uploads, and what was uploaded shows up there as it goes rather than at the
 * very end (an initial upload of a big folder over a slow link takes hours).
 *
 * <p>A stage is the base tree plus the next slice of the new content: files added (also inside
 * added folders) and files whose content changed, in path order. Everything else (removals,
 * moves, symlinks, mode and time changes, empty folders) waits for the final commit of the
 * whole tree: a stage never makes another machine delete anything, and a renamed file or
 * folder still moves as a rename instead of a copy followed by a deletion. Content the host
 * is known to have (a folder moved into a new folder, a copy) needs no upload and waits too.
 * Stages grow (8, 16, 32, 64 MiB, or 1,000 to 8,000 files, whichever comes first), so the
 * first one lands soon; a change below two first stages is one commit, as before. A stage is committed only when 5 seconds
 * have passed since the upload began or since the last commit: a slow upload commits every
 * stage, a fast one few or none (on one machine with two cores, where the other machine's
 * downloads compete with the upload for the same CPU and disk, committing every stage made
 * an ingest of 20,000 small files ~20% slower end to end).
 */
final class UploadStages {
    private UploadStages() {}

    /**
     * Where stages close: at {@code bytes} of content or {@code files} files, each doubling per
     * stage up to its max. A stage uploaded less than {@code everyMillis} after the last commit
     * is not committed on its own: the next one that is brings it along.
     */
    record Limits(long firstBytes, long maxBytes, int firstFiles, int maxFiles, long everyMillis) {
        static final Limits DEFAULT = new Limits(8L << 20, 64L << 20, 1_000, 8_000, 5_000);

        Limits {
            if (firstBytes <= 0 || maxBytes < firstBytes || firstFiles <= 0 || maxFiles < firstFiles || everyMillis < 0) {
                throw new IllegalArgumentException("bad stage limits");
            }
        }
    }

    /**
     * The trees to commit before {@code local} itself, in order, each one holding the previous
     * one; empty when the change is too small to split. {@code bytes} is the content the stages
     * and the final commit bring (for progress).
     */
    record Plan(List<DirRef> stages, long bytes) {
        static final Plan NONE = new Plan(List.of(), 0);
    }

    /** A file to bring in a stage: its path and its entry in the local tree. */
    private record NewFile(String path, Entry entry) {}

    /**
     * {@code notHosted} answers which of some contents the host is not known to have (the
     * index's record of what was uploaded or downloaded): content the host has already, a
     * folder moved into a new one or a copy, needs no upload, so it never makes a stage.
     */
    static Plan plan(ObjectStore objects, TreeParams params, Optional<DirRef> base, DirRef local, Limits limits,
                     Function<List<Hash>, List<Hash>> notHosted) {
        DirRef from = base.orElseGet(() -> DirectoryTree.empty(objects));
        List<NewFile> candidates = new ArrayList<>();
        for (Change c : TreeDiff.diff(objects, from, local)) {
            switch (c) {
                case Change.Added a -> collect(objects, a.path(), a.entry(), candidates);
                case Change.Modified m -> {
                    if (m.after().kind() == EntryKind.FILE && !m.before().sameContent(m.after())) candidates.add(new NewFile(m.path(), m.after()));
                }
                default -> {}
            }
        }
        if (!worthSplitting(candidates, limits)) return Plan.NONE;
        Set<Hash> missing = new HashSet<>(notHosted.apply(candidates.stream().map(f -> f.entry().content()).toList()));
        candidates.removeIf(f -> !missing.contains(f.entry().content()));
        if (!worthSplitting(candidates, limits)) return Plan.NONE;
        List<DirRef> stages = new ArrayList<>();
        DirRef tree = from;
        long maxBytes = limits.firstBytes();
        int maxFiles = limits.firstFiles();
        int next = 0;
        while (next < candidates.size()) {
            int end = next;
            long bytes = 0;
            while (end < candidates.size() && bytes < maxBytes && end - next < maxFiles) bytes += candidates.get(end++).entry().size();
            if (end == candidates.size()) break; // the last slice goes with the final commit
            TreeEditor ed = new TreeEditor(objects, params);
            for (NewFile f : candidates.subList(next, end)) ed.put(f.path(), f.entry());
            tree = ed.build(tree);
            stages.add(tree);
            next = end;
            maxBytes = Math.min(limits.maxBytes(), maxBytes * 2);
            maxFiles = Math.min(limits.maxFiles(), maxFiles * 2);
        }
        objects.flush();
        return new Plan(List.copyOf(stages), bytes(candidates));
    }

    private static boolean worthSplitting(List<NewFile> candidates, Limits limits) {
        return bytes(candidates) >= 2 * limits.firstBytes() || candidates.size() >= 2L * limits.firstFiles();
    }

    private static long bytes(List<NewFile> files) {
        long n = 0;
        for (NewFile f : files) n += f.entry().size();
        return n;
    }

    /** The files at and under {@code entry} (a new file, or a new folder's whole subtree), in path order. */
    private static void collect(ObjectStore objects, String path, Entry entry, List<NewFile> out) {
        if (entry.kind() == EntryKind.FILE) {
            out.add(new NewFile(path, entry));
        } else if (entry.isDirectory()) {
            for (Entry e : DirectoryTree.entries(objects, entry.dir())) collect(objects, Paths.join(path, e.name()), e, out);
        }
    }
}
