package net.saharasync.clientd;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.LocalFs;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;

/**
 * A synced folder in memory for the simulation tests: the same contract as {@link LocalFs}
 * (atomic replace, checks against what the caller saw, trash, no writes through links), with
 * faults injected before every change the engine makes, and a hook that lets the "user" act
 * at exactly that moment. The user's own operations ({@code user*}) bypass all of it.
 */
final class MemoryFs implements SyncFs {
    sealed interface Node permits MFile, MDir, MLink {
        long inode();
    }

    record MFile(byte[] data, long mtime, boolean exec, long inode, boolean ownerOnly) implements Node {
        MFile(byte[] data, long mtime, boolean exec, long inode) {
            this(data, mtime, exec, inode, false);
        }
    }

    record MDir(long inode) implements Node {}

    record MLink(String target, long inode) implements Node {}

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    final List<byte[]> trash = new ArrayList<>();
    private final SimClock clock;
    private final Faults faults;
    private long nextInode = 1;
    /** Runs just before each change the engine makes (after its checks could have been made stale). */
    Runnable beforeEngineChange = () -> {};
    /** Paths changed since last taken, by the engine or the user: what a file-system watcher reports. */
    private java.util.Set<String> reported = new java.util.HashSet<>();

    private void report(String p) {
        if (!p.isEmpty()) reported.add(p);
    }

    /** The paths changed since the last call, as a watcher reports them to the daemon. */
    java.util.Set<String> takeReported() {
        java.util.Set<String> r = reported;
        reported = new java.util.HashSet<>();
        return r;
    }

    MemoryFs(SimClock clock, Faults faults) {
        this.clock = clock;
        this.faults = faults;
        nodes.put("", new MDir(nextInode++));
    }

    // ---- the engine's view ----

    private static String parentOf(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? "" : p.substring(0, i);
    }

    /** Like LocalFs.resolve: every existing parent must be a real directory. */
    private void checkParents(RelPath p) {
        String at = "";
        List<String> names = p.names();
        for (int i = 0; i < names.size() - 1; i++) {
            at = at.isEmpty() ? names.get(i) : at + "/" + names.get(i);
            Node n = nodes.get(at);
            if (n != null && !(n instanceof MDir)) throw new ClientException("refusing " + p + ": " + at + " is not a directory");
        }
    }

    private static FileStat statOf(Node n) {
        return switch (n) {
            case MFile f -> new FileStat(FileStat.Kind.FILE, f.data().length, f.mtime(), "ino=" + f.inode(), f.exec(), f.ownerOnly());
            case MDir d -> new FileStat(FileStat.Kind.DIRECTORY, 0, 0, "ino=" + d.inode(), false);
            case MLink l -> new FileStat(FileStat.Kind.SYMLINK, l.target().getBytes(StandardCharsets.UTF_8).length, 0, "ino=" + l.inode(), false);
        };
    }

    @Override
    public Optional<FileStat> stat(RelPath p) {
        checkParents(p);
        return Optional.ofNullable(nodes.get(p.path())).map(MemoryFs::statOf);
    }

    private List<String> children(String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        List<String> out = new ArrayList<>();
        for (String k : nodes.tailMap(prefix, false).keySet()) {
            if (!k.startsWith(prefix)) break;
            if (k.isEmpty()) continue;
            String rest = k.substring(prefix.length());
            if (!rest.contains("/")) out.add(rest);
        }
        return out;
    }

    @Override
    public List<String> list(RelPath dir) throws IOException {
        checkParents(dir);
        if (!(nodes.get(dir.path()) instanceof MDir)) throw new java.nio.file.NoSuchFileException(dir.path());
        List<String> out = children(dir.path());
        out.sort(null);
        return out;
    }

    @Override
    public InputStream read(RelPath file) throws IOException {
        checkParents(file);
        if (!(nodes.get(file.path()) instanceof MFile f)) throw new java.nio.file.NoSuchFileException(file.path());
        return new ByteArrayInputStream(f.data());
    }

    @Override
    public byte[] read(RelPath file, long offset, int length) throws IOException {
        checkParents(file);
        if (!(nodes.get(file.path()) instanceof MFile f)) throw new java.nio.file.NoSuchFileException(file.path());
        int from = (int) Math.min(offset, f.data().length);
        return Arrays.copyOfRange(f.data(), from, (int) Math.min(f.data().length, offset + length));
    }

    @Override
    public String readLink(RelPath link) throws IOException {
        if (!(nodes.get(link.path()) instanceof MLink l)) throw new java.nio.file.NoSuchFileException(link.path());
        return l.target();
    }

    private void expect(RelPath p, Optional<FileStat> expected) throws ChangedMeanwhile {
        Optional<FileStat> now = Optional.ofNullable(nodes.get(p.path())).map(MemoryFs::statOf);
        boolean ok = expected.isEmpty() ? now.isEmpty() : now.isPresent() && now.get().sameAs(expected.get());
        if (!ok) throw new ChangedMeanwhile(p);
    }

    private void requireParentDir(RelPath p) throws IOException {
        if (!(nodes.get(parentOf(p.path())) instanceof MDir)) throw new java.nio.file.NoSuchFileException(parentOf(p.path()));
    }

    @Override
    public FileStat writeFile(RelPath p, Content content, long mtimeNanos, boolean executable, boolean ownerOnly, Optional<FileStat> expected)
            throws IOException {
        checkParents(p);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        content.writeTo(new FileSink() { // may download: may fail before anything changes
            @Override
            public void write(int b) {
                buf.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
            }

            @Override
            public boolean copyRange(RelPath source, FileStat expected, long offset, long length) {
                if (!(nodes.get(source.path()) instanceof MFile f) || !statOf(f).sameAs(expected) || f.data().length < offset + length) {
                    return false;
                }
                buf.write(f.data(), (int) offset, (int) length);
                return true;
            }
        });
        faults.maybe("write " + p);
        beforeEngineChange.run();
        requireParentDir(p);
        expect(p, expected);
        Node old = nodes.get(p.path());
        if (old instanceof MDir) throw new ChangedMeanwhile(p);
        if (old instanceof MFile f) trash.add(f.data());
        MFile n = new MFile(buf.toByteArray(), mtimeNanos, executable, nextInode++, ownerOnly);
        nodes.put(p.path(), n);
        report(p.path());
        return statOf(n);
    }

    @Override
    public FileStat writeSymlink(RelPath p, String target, Optional<FileStat> expected) throws IOException {
        checkParents(p);
        faults.maybe("symlink " + p);
        beforeEngineChange.run();
        requireParentDir(p);
        expect(p, expected);
        if (nodes.get(p.path()) instanceof MDir) throw new ChangedMeanwhile(p);
        MLink n = new MLink(target, nextInode++);
        nodes.put(p.path(), n);
        report(p.path());
        return statOf(n);
    }

    @Override
    public void rename(RelPath from, RelPath to, FileStat expected) throws IOException {
        checkParents(from);
        checkParents(to);
        faults.maybe("rename " + from);
        beforeEngineChange.run();
        Node n = nodes.get(from.path());
        if (n == null || (n instanceof MDir ? expected.kind() != FileStat.Kind.DIRECTORY : !statOf(n).sameAs(expected))) {
            throw new ChangedMeanwhile(from);
        }
        if (nodes.containsKey(to.path())) throw new ChangedMeanwhile(to);
        requireParentDir(to);
        moveTree(from.path(), to.path());
    }

    private void moveTree(String from, String to) {
        report(from);
        report(to);
        Map<String, Node> moving = new TreeMap<>();
        moving.put(from, nodes.get(from));
        String prefix = from + "/";
        for (var e : nodes.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) break;
            moving.put(e.getKey(), e.getValue());
        }
        moving.keySet().forEach(nodes::remove);
        moving.forEach((k, v) -> nodes.put(to + k.substring(from.length()), v));
    }

    @Override
    public void mkdirs(RelPath dir) throws IOException {
        if (dir.isRoot()) return;
        checkParents(dir);
        Node n = nodes.get(dir.path());
        if (n instanceof MDir) return;
        mkdirs(dir.parent());
        faults.maybe("mkdir " + dir);
        if (nodes.containsKey(dir.path())) throw new ChangedMeanwhile(dir);
        nodes.put(dir.path(), new MDir(nextInode++));
        report(dir.path());
    }

    @Override
    public void trash(RelPath p, FileStat expected) throws IOException {
        checkParents(p);
        faults.maybe("trash " + p);
        beforeEngineChange.run();
        Node n = nodes.get(p.path());
        if (n == null) return;
        if (!statOf(n).sameAs(expected) || n instanceof MDir) throw new ChangedMeanwhile(p);
        if (n instanceof MFile f) trash.add(f.data());
        nodes.remove(p.path());
        report(p.path());
    }

    @Override
    public void deleteTemp(RelPath p) {
        throw new IllegalArgumentException(p + " is not a temp file of this client"); // it makes none
    }

    /** Writes here are atomic in memory: there are no temp files, so every name is the user's. */
    @Override
    public boolean isOwnTemp(String name) {
        return false;
    }

    @Override
    public boolean removeEmptyDirectory(RelPath dir) throws IOException {
        faults.maybe("rmdir " + dir);
        if (!nodes.containsKey(dir.path())) return true;
        if (!children(dir.path()).isEmpty()) return false;
        nodes.remove(dir.path());
        report(dir.path());
        return true;
    }

    // ---- the user's hands ----

    boolean isFile(String p) {
        return nodes.get(p) instanceof MFile;
    }

    boolean isDir(String p) {
        return nodes.get(p) instanceof MDir;
    }

    boolean exists(String p) {
        return nodes.containsKey(p);
    }

    String content(String p) {
        return new String(((MFile) nodes.get(p)).data(), StandardCharsets.UTF_8);
    }

    /** Whether {@code p} can be created: its parents are directories or absent (then created). */
    boolean creatable(String p) {
        if (nodes.containsKey(p)) return false;
        for (String at = parentOf(p); !at.isEmpty(); at = parentOf(at)) {
            Node n = nodes.get(at);
            if (n != null && !(n instanceof MDir)) return false;
        }
        return true;
    }

    private void userMkdirs(String dir) {
        if (dir.isEmpty() || nodes.get(dir) instanceof MDir) return;
        userMkdirs(parentOf(dir));
        nodes.put(dir, new MDir(nextInode++));
        report(dir);
    }

    void userWrite(String p, String content, boolean exec) {
        userMkdirs(parentOf(p));
        nodes.put(p, new MFile(content.getBytes(StandardCharsets.UTF_8), clock.nanos(), exec, nextInode++));
        report(p);
    }

    /** An in-place write (same inode, new mtime), as {@code >>} or truncate do. */
    void userWriteInPlace(String p, String content) {
        MFile f = (MFile) nodes.get(p);
        nodes.put(p, new MFile(content.getBytes(StandardCharsets.UTF_8), clock.nanos(), f.exec(), f.inode()));
        report(p);
    }

    void userMkdir(String p) {
        userMkdirs(p);
    }

    void userRename(String from, String to) {
        userMkdirs(parentOf(to));
        moveTree(from, to);
    }

    /** Deletes a file or a whole folder; returns the file contents it destroyed. */
    List<String> userDelete(String p) {
        List<String> gone = new ArrayList<>();
        List<String> doomed = new ArrayList<>(List.of(p));
        for (String k : nodes.tailMap(p + "/", true).keySet()) {
            if (!k.startsWith(p + "/")) break;
            doomed.add(k);
        }
        for (String k : doomed) {
            if (nodes.remove(k) instanceof MFile f) gone.add(new String(f.data(), StandardCharsets.UTF_8));
            report(k);
        }
        return gone;
    }

    List<String> files() {
        return nodes.entrySet().stream().filter(e -> e.getValue() instanceof MFile).map(Map.Entry::getKey).toList();
    }

    List<String> dirs() {
        return nodes.entrySet().stream().filter(e -> e.getValue() instanceof MDir && !e.getKey().isEmpty()).map(Map.Entry::getKey).toList();
    }

    /** The folder as the user sees it: path -> content ("/" for folders, "->t" for links), minus ignored names. */
    TreeMap<String, String> snapshot(net.saharasync.clientd.ignore.IgnoreRules ignore) {
        TreeMap<String, String> out = new TreeMap<>();
        nodes.forEach((k, v) -> {
            if (k.isEmpty()) return;
            if (ignoredAnywhere(ignore, k, v instanceof MDir)) return;
            out.put(k, switch (v) {
                case MFile f -> new String(f.data(), StandardCharsets.UTF_8) + (f.exec() ? " [x]" : "");
                case MDir d -> "/";
                case MLink l -> "->" + l.target();
            });
        });
        return out;
    }

    private static boolean ignoredAnywhere(net.saharasync.clientd.ignore.IgnoreRules ignore, String path, boolean dir) {
        String at = "";
        List<String> names = List.of(path.split("/"));
        for (int i = 0; i < names.size(); i++) {
            at = at.isEmpty() ? names.get(i) : at + "/" + names.get(i);
            if (ignore.ignored(at, i < names.size() - 1 || dir)) return true;
        }
        return false;
    }
}
