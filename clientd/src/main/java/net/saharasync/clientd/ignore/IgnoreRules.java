package net.saharasync.clientd.ignore;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.ignore.FastIgnoreRule;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * What is never synced: the client's own state ({@code .sahara} at the root), editor and
 * OS litter by default, plus the rules of {@code .saharaignore} at the folder's root, in
 * gitignore syntax (JGit's matcher, so patterns mean exactly what they mean in git; a
 * {@code !pattern} there can bring back a default). The ignore file itself syncs, so every
 * machine ignores the same things.
 */
public final class IgnoreRules {
    public static final String FILE_NAME = ".saharaignore";

    /**
     * Ignored whatever the user writes: the client's state. (Its temp files are told by their
     * keyed names, see {@code TempNames}, not by a pattern a user's file could match.)
     */
    private static final List<String> ALWAYS = List.of("/.sahara");

    /** Ignored unless the ignore file says otherwise. */
    public static final List<String> DEFAULTS = List.of(
            "*.swp", "*.swo", "*.swn", "*.swx", ".*.sw?", "*~", ".#*", "#*#", "4913", ".DS_Store", "Thumbs.db", "desktop.ini");

    private final IgnoreNode always;
    private final IgnoreNode user;

    private IgnoreRules(IgnoreNode always, IgnoreNode user) {
        this.always = always;
        this.user = user;
    }

    public static IgnoreRules defaults() {
        return new IgnoreRules(node(ALWAYS), node(DEFAULTS));
    }

    /** The defaults followed by the rules read from an ignore file (later rules win, as in git). */
    public static IgnoreRules withFile(InputStream ignoreFile) throws IOException {
        IgnoreNode extra = new IgnoreNode();
        extra.parse(ignoreFile);
        List<FastIgnoreRule> rules = new ArrayList<>(node(DEFAULTS).getRules());
        rules.addAll(extra.getRules());
        return new IgnoreRules(node(ALWAYS), new IgnoreNode(rules));
    }

    /** The defaults followed by the rules of an ignore file's text ("" for none). */
    public static IgnoreRules withText(String text) throws IOException {
        if (text.isEmpty()) return defaults();
        return withFile(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static IgnoreNode node(List<String> patterns) {
        List<FastIgnoreRule> rules = new ArrayList<>();
        for (String p : patterns) rules.add(new FastIgnoreRule(p));
        return new IgnoreNode(rules);
    }

    /**
     * Whether a change a watcher reported at {@code path} cannot matter to a sync: the path lies
     * inside an ignored folder, or is ignored both as a file and as a folder (a watcher does not
     * always know which it was, e.g. for a deletion).
     */
    public boolean ignoredEitherWay(String path) {
        return insideIgnoredFolder(path) || (ignored(path, false) && ignored(path, true));
    }

    /** Whether a change reported at {@code path}, known to be a folder or not, cannot matter to a sync. */
    public boolean ignoredWhere(String path, boolean directory) {
        return insideIgnoredFolder(path) || ignored(path, directory);
    }

    private boolean insideIgnoredFolder(String path) {
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            if (ignored(path.substring(0, i), true)) return true;
        }
        return false;
    }

    /** Whether a path (relative to the folder, '/'-separated) is ignored. Callers do not descend into ignored folders. */
    public boolean ignored(String path, boolean directory) {
        if (Boolean.TRUE.equals(always.checkIgnored(path, directory))) return true;
        return Boolean.TRUE.equals(user.checkIgnored(path, directory));
    }
}
