package net.saharasync.clientd.fs;

import java.util.List;
import net.saharasync.clientd.ClientException;
import net.saharasync.merkle.MalformedObjectException;
import net.saharasync.merkle.Names;
import net.saharasync.merkle.Paths;

/**
 * A path inside the synced folder: '/'-separated names, each a valid tree name (not empty,
 * {@code .} or {@code ..}, no '/' or NUL), so it can never climb out of the folder. The root
 * is the empty path.
 */
public record RelPath(String path) implements Comparable<RelPath> {
    public static final RelPath ROOT = new RelPath("");

    public RelPath {
        if (!path.isEmpty()) {
            try {
                Paths.split(path);
            } catch (MalformedObjectException e) {
                throw new ClientException("refusing path " + Names.printable(path) + ": " + e.getMessage().replaceFirst("^malformed object: ", ""));
            }
        }
    }

    public static RelPath of(String path) {
        return new RelPath(path);
    }

    public RelPath child(String name) {
        return new RelPath(Paths.join(path, name));
    }

    public boolean isRoot() {
        return path.isEmpty();
    }

    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public RelPath parent() {
        int i = path.lastIndexOf('/');
        return i < 0 ? ROOT : new RelPath(path.substring(0, i));
    }

    public List<String> names() {
        return path.isEmpty() ? List.of() : Paths.split(path);
    }

    @Override
    public int compareTo(RelPath o) {
        return path.compareTo(o.path);
    }

    @Override
    public String toString() {
        return path.isEmpty() ? "/" : path;
    }
}
