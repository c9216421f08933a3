package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import net.saharasync.hostd.store.AccountStore;

/** A real host on a loopback port and two synced folders (machines A and B) of one volume. */
final class TwoMachines implements AutoCloseable {
    final HostServer host;
    final String token;
    final Path a;
    final Path b;
    SyncEngine ea;
    SyncEngine eb;

    TwoMachines(Path tmp) throws IOException {
        this(tmp, false);
    }

    /** With {@code tls}, the host serves HTTPS with its self-made certificate, which both folders pin. */
    TwoMachines(Path tmp, boolean tls) throws IOException {
        host = HostServer.start(HostConfig.loopback(tmp.resolve("host"), 0).withTls(tls));
        AccountStore acc = host.store().accounts();
        token = acc.issueToken(acc.addUser("me", false), "test").secret();
        a = tmp.resolve("A");
        b = tmp.resolve("B");
        Optional<String> pin = host.tls().map(t -> t.fingerprint());
        Join.join(url(), token, a, "docs", "A", pin);
        Join.join(url(), token, b, "docs", "B", pin);
        ea = SyncEngine.open(a);
        eb = SyncEngine.open(b);
    }

    /**
     * Closes A's (or B's) engine and opens it again over {@code wrap} of its file system
     * (a test's interposer); returns the wrapper the new engine uses.
     */
    <F extends net.saharasync.clientd.fs.SyncFs> F reopen(boolean machineA, java.util.function.Function<net.saharasync.clientd.fs.SyncFs, F> wrap)
            throws IOException {
        Path folder = machineA ? a : b;
        (machineA ? ea : eb).close();
        ClientConfig c = ClientConfig.load(folder);
        java.util.List<F> made = new java.util.ArrayList<>(1);
        SyncEngine e = new SyncEngine(folder, c, new net.saharasync.protocol.http.HttpHost(c.host(), c.token(), Optional.empty()), fs -> {
            F w = wrap.apply(fs);
            made.add(w);
            return w;
        });
        if (machineA) ea = e;
        else eb = e;
        return made.getFirst();
    }

    String url() {
        return host.url("127.0.0.1");
    }

    /** Cycles A then B until both agree with the host (bounded). */
    void settle() throws IOException {
        for (int i = 0; i < 6; i++) {
            CycleReport ra = ea.cycle();
            CycleReport rb = eb.cycle();
            CycleReport ra2 = ea.cycle();
            if (ra2.agreed() && rb.agreed() && ra2.head().equals(rb.head())) return;
        }
        throw new AssertionError("A and B did not settle");
    }

    /** Every path under a folder (outside .sahara) with its content: file bytes as text, "->target" for links, "/" for folders. */
    static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(".sahara") || rel.startsWith(".sahara/")) continue;
                if (Files.isSymbolicLink(p)) out.put(rel, "->" + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) out.put(rel, "/");
                else out.put(rel, Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    void assertSame() throws IOException {
        TreeMap<String, String> sa = snapshot(a), sb = snapshot(b);
        if (sa.equals(sb)) return;
        StringBuilder diff = new StringBuilder("A and B differ:");
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(sa.keySet());
        keys.addAll(sb.keySet());
        for (String k : keys) {
            String x = sa.get(k), y = sb.get(k);
            if (java.util.Objects.equals(x, y)) continue;
            diff.append("\n  ").append(k).append(": A ").append(brief(x)).append(", B ").append(brief(y));
        }
        throw new AssertionError(diff.toString());
    }

    private static String brief(String v) {
        if (v == null) return "absent";
        return v.length() <= 40 ? "'" + v + "'" : v.length() + " bytes #" + Integer.toHexString(v.hashCode());
    }

    @Override
    public void close() {
        ea.close();
        eb.close();
        host.close();
    }
}
