package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.List;

/** '/'-separated relative paths whose every component is a valid name. */
public final class Paths {
    private Paths() {}

    public static String join(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    /** The folder {@code path} lies in ("" for a name at the top). */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /** The components of {@code path}; throws {@link MalformedObjectException} for '', '/a', 'a//b', '..' and the like. */
    public static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                parts.add(Names.check(path.substring(start, i)));
                start = i + 1;
            }
        }
        return parts;
    }
}
