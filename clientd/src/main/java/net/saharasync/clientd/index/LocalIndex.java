package net.saharasync.clientd.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.lmdb.LmdbBlockStore;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.ObjectStore;

/**
 * The client's state in {@code DIR/.sahara/db} (one LMDB environment, so it survives kill -9
 * at any point): tree objects (never file data: chunks stay in the user's files), the file
 * index (path -> stat + content), the chunk-location index (chunk -> path, offset) and the
 * base commit (the last state this folder and the host agreed on).
 */
public final class LocalIndex implements AutoCloseable {
    /** The last agreed commit and its root. */
    public record Base(Hash commit, DirRef root) {}

    private static final ByteBuffer BASE_KEY = LmdbEnvironment.constantKey("base");
    private static final ByteBuffer RULES_KEY = LmdbEnvironment.constantKey("synced-ignore");

    private final LmdbEnvironment env;
    private final LmdbBlockStore objects;
    private final LmdbEnvironment.Table files;
    private final LmdbEnvironment.Table chunks;
    private final LmdbEnvironment.Table state;
    private final LmdbEnvironment.Table hosted;

    private LocalIndex(LmdbEnvironment env) {
        this.env = env;
        this.objects = new LmdbBlockStore(env, "obj_", new BlockCodec(1));
        this.files = env.table("files");
        this.chunks = env.table("chunks");
        this.state = env.table("state");
        this.hosted = env.table("hosted");
    }

    public static LocalIndex open(Path dir) {
        LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.DEFAULT.withInitialMapSize(64L << 20));
        try {
            return new LocalIndex(env);
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    /** The local tree objects, for one task (an ObjectStore is not thread-safe). */
    public ObjectStore objects() {
        return new ObjectStore(objects);
    }

    public LmdbBlockStore objectBlocks() {
        return objects;
    }

    public Optional<Base> base() {
        return env.read(txn -> txn.get(state, BASE_KEY).map(b -> {
            ByteBuffer d = b.duplicate();
            Hash commit = Hash.read(d);
            Hash root = Hash.read(d);
            return new Base(commit, new DirRef(root, d.get() & 0xFF));
        }));
    }

    public void setBase(Base base) {
        ByteBuffer v = ByteBuffer.allocateDirect(2 * Hash.BYTES + 1);
        base.commit().writeTo(v);
        base.root().root().writeTo(v);
        v.put((byte) base.root().height()).flip();
        env.write(txn -> {
            txn.put(state, BASE_KEY, v);
            return null;
        });
    }

    /**
     * The ignore file's text as of the last cycle that ended agreed: paths it ignored and the
     * folder does not hold were never written here, so if the rules no longer ignore them they
     * are missing here, not deleted (see {@code Scanner.base}).
     */
    public Optional<String> syncedIgnoreRules() {
        return env.read(txn -> txn.get(state, RULES_KEY).map(b -> StandardCharsets.UTF_8.decode(b.duplicate()).toString()));
    }

    public void setSyncedIgnoreRules(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer v = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        v.put(bytes).flip();
        env.write(txn -> {
            if (bytes.length == 0) txn.delete(state, RULES_KEY);
            else txn.put(state, RULES_KEY, v);
            return null;
        });
    }

    public Optional<FileState> file(String path) {
        boolean longKey = path.getBytes(StandardCharsets.UTF_8).length > LONG_ABOVE;
        return env.read(txn -> txn.get(files, key(path)).map(v -> decodeFile(v, longKey)));
    }

    /**
     * The index entries of a directory's direct children (by name), read in one transaction:
     * what a scan of that directory needs.
     */
    public java.util.Map<String, FileState> filesIn(String dir) {
        java.util.Map<String, FileState> out = new java.util.HashMap<>();
        String prefix = dir.isEmpty() ? "" : dir + "/";
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] within = p.length <= KEPT_BYTES ? p : java.util.Arrays.copyOf(p, KEPT_BYTES);
        env.read(txn -> {
            // One range of the sorted keys, except that each subfolder's entries are jumped
            // over ("sub/..." to "sub0", '0' being '/' + 1) with a new cursor position: the
            // root of 20,000 files in 100 folders reads 100 keys below it, not 20,000.
            byte[] from = within;
            while (from != null) {
                byte[][] next = {null};
                txn.scan(files, from.length == 0 ? Optional.empty() : Optional.of(bytesKey(from)), (k, v) -> {
                    if (!startsWith(k, within)) return false;
                    boolean longKey = isLongKey(k);
                    String path = pathOf(k, v, longKey);
                    if (!path.startsWith(prefix)) return true;
                    int slash = path.indexOf('/', prefix.length());
                    if (slash < 0) {
                        out.put(path.substring(prefix.length()), decodeFile(v, longKey));
                        return true;
                    }
                    byte[] past = (path.substring(0, slash) + "0").getBytes(StandardCharsets.UTF_8);
                    if (past.length > KEPT_BYTES) return true; // too deep to jump by key: read through
                    next[0] = past;
                    return false;
                });
                from = next[0];
            }
            return null;
        });
        return out;
    }

    /**
     * Every indexed path inside {@code dir} (at any depth), in order (by UTF-8 bytes): a range
     * of the sorted keys. Long paths' keys sort by their first {@link #KEPT_BYTES} bytes only,
     * so a range holding any is sorted again.
     */
    public List<String> pathsUnder(String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] start = p.length <= KEPT_BYTES ? p : java.util.Arrays.copyOf(p, KEPT_BYTES);
        List<String> out = new ArrayList<>();
        boolean[] someLong = {false};
        env.read(txn -> {
            txn.scan(files, start.length == 0 ? Optional.empty() : Optional.of(bytesKey(start)), (k, v) -> {
                if (!startsWith(k, start)) return false;
                boolean longKey = isLongKey(k);
                String path = pathOf(k, v, longKey);
                if (!path.startsWith(prefix)) return true;
                out.add(path);
                someLong[0] |= longKey;
                return true;
            });
            return null;
        });
        if (someLong[0]) out.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static boolean startsWith(ByteBuffer k, byte[] prefix) {
        if (k.remaining() < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (k.get(k.position() + i) != prefix[i]) return false;
        return true;
    }

    /** Every indexed path, in order. */
    public List<String> paths() {
        return pathsUnder("");
    }

    public Optional<ChunkLocation> chunk(Hash h) {
        return env.read(txn -> txn.get(chunks, hashKey(h)).map(b -> {
            ByteBuffer d = b.duplicate();
            long offset = d.getLong();
            int length = d.getInt();
            return new ChunkLocation(StandardCharsets.UTF_8.decode(d).toString(), offset, length);
        }));
    }

    /**
     * Records, in one durable transaction, new states of paths (empty: the path is gone) and
     * where chunks now lie.
     */
    public void update(Map<String, Optional<FileState>> changed, Map<Hash, ChunkLocation> located) {
        if (changed.isEmpty() && located.isEmpty()) return;
        env.write(txn -> {
            for (var e : changed.entrySet()) {
                if (e.getValue().isPresent()) txn.put(files, key(e.getKey()), encodeFile(e.getKey(), e.getValue().get()));
                else txn.delete(files, key(e.getKey()));
            }
            for (var e : located.entrySet()) {
                byte[] p = e.getValue().path().getBytes(StandardCharsets.UTF_8);
                ByteBuffer v = ByteBuffer.allocateDirect(12 + p.length).putLong(e.getValue().offset()).putInt(e.getValue().length()).put(p).flip();
                txn.put(chunks, hashKey(e.getKey()), v);
            }
            return null;
        });
    }

    /** Work whose writes to this index must be durable only together, once, when it returns. */
    public interface Batched<T> {
        T run() throws java.io.IOException;
    }

    /**
     * Runs {@code work} inside one write transaction of this index: its writes (on this
     * thread) commit together with one fsync instead of one per write, and its reads see them.
     * Nothing is committed if it throws. For work that only caches what the host has (tree
     * objects fetched level by level): losing it to a crash costs a download, not data.
     * Other threads' writes wait until it returns.
     */
    public <T> T batched(Batched<T> work) throws java.io.IOException {
        try {
            return env.write(txn -> {
                try {
                    return work.run();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Records hashes the host is known to hold for this user (uploaded or downloaded here), so
     * negotiation never asks about them again.
     */
    public void markHosted(java.util.Collection<Hash> hashes) {
        if (hashes.isEmpty()) return;
        env.write(txn -> {
            ByteBuffer one = ByteBuffer.allocateDirect(1).put((byte) 1).flip();
            for (Hash h : hashes) txn.put(hosted, hashKey(h), one);
            return null;
        });
    }

    /** Those of {@code hashes} not known to be on the host. */
    public List<Hash> notHosted(List<Hash> hashes) {
        return env.read(txn -> {
            List<Hash> out = new ArrayList<>();
            for (Hash h : hashes) {
                if (!txn.contains(hosted, hashKey(h))) out.add(h);
            }
            return out;
        });
    }

    /**
     * A path's key: its UTF-8 bytes, which sort like paths and make a folder's entries one
     * range. LMDB takes keys of at most 511 bytes and Linux paths of up to 4,095, so a path
     * longer than {@link #LONG_ABOVE} bytes is keyed by its first {@link #KEPT_BYTES} bytes,
     * a 0xFF byte (never in UTF-8, so no plain key has it) and the SHA-256 of the whole path;
     * its value then starts with the whole path. A range scan by a prefix still finds it.
     */
    private static ByteBuffer key(String path) {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        if (b.length <= LONG_ABOVE) return bytesKey(b);
        ByteBuffer k = ByteBuffer.allocateDirect(LONG_KEY_BYTES).put(b, 0, KEPT_BYTES).put((byte) 0xFF);
        Hash.of(b).writeTo(k);
        return k.flip();
    }

    static final int LONG_ABOVE = 480;
    static final int KEPT_BYTES = 448;
    private static final int LONG_KEY_BYTES = KEPT_BYTES + 1 + Hash.BYTES;

    private static ByteBuffer bytesKey(byte[] b) {
        return ByteBuffer.allocateDirect(Math.max(1, b.length)).put(b).flip();
    }

    private static boolean isLongKey(ByteBuffer k) {
        return k.remaining() == LONG_KEY_BYTES && k.get(k.position() + KEPT_BYTES) == (byte) 0xFF;
    }

    /** The path an entry is for: its key, or for a long path the start of its value. */
    private static String pathOf(ByteBuffer k, ByteBuffer v, boolean longKey) {
        if (!longKey) return StandardCharsets.UTF_8.decode(k.duplicate()).toString();
        ByteBuffer d = v.duplicate();
        int n = d.getShort() & 0xFFFF;
        d.limit(d.position() + n);
        return StandardCharsets.UTF_8.decode(d).toString();
    }

    private static ByteBuffer hashKey(Hash h) {
        ByteBuffer b = ByteBuffer.allocateDirect(Hash.BYTES);
        h.writeTo(b);
        return b.flip();
    }

    private static ByteBuffer encodeFile(String path, FileState f) {
        byte[] key = f.stat().fileKey().getBytes(StandardCharsets.UTF_8);
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        boolean longPath = p.length > LONG_ABOVE;
        ByteBuffer b = ByteBuffer.allocateDirect((longPath ? 2 + p.length : 0) + 1 + 1 + 8 + 8 + 1 + Hash.BYTES + key.length);
        if (longPath) b.putShort((short) p.length).put(p);
        b.put((byte) f.stat().kind().ordinal()).put((byte) ((f.stat().executable() ? 1 : 0) | (f.stat().ownerOnly() ? 2 : 0)))
                .putLong(f.stat().size()).putLong(f.stat().mtimeNanos()).put((byte) f.height());
        f.content().writeTo(b);
        return b.put(key).flip();
    }

    /** A file's state from its value; a long path's value starts with the path (length-prefixed), skipped. */
    private static FileState decodeFile(ByteBuffer v, boolean longKey) {
        ByteBuffer d = v.duplicate();
        if (longKey) d.position(d.position() + 2 + (d.getShort(d.position()) & 0xFFFF));
        FileStat.Kind kind = FileStat.Kind.values()[d.get()];
        int flags = d.get();
        boolean exec = (flags & 1) != 0;
        long size = d.getLong();
        long mtime = d.getLong();
        int height = d.get() & 0xFF;
        Hash content = Hash.read(d);
        String fileKey = StandardCharsets.UTF_8.decode(d).toString();
        return new FileState(new FileStat(kind, size, mtime, fileKey, exec, (flags & 2) != 0), content, height);
    }

    @Override
    public void close() {
        env.close();
    }
}
