package net.saharasync.hostd.store.lmdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.protocol.ErrorCode;
import java.util.List;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.lmdb.LmdbBlockStore;
import net.saharasync.blockstore.lmdb.LmdbEnvironment;

/**
 * {@link HostStore} in one LMDB environment under {@code DATA/db}: the block store
 * (blocks and tree objects, deduplicated across all users) and the host's own tables.
 *
 * <pre>
 * users      name            -> JSON user            user_ids  id(8)          -> name
 * tokens     sha256(token)   -> JSON token           volumes   id(8)          -> JSON volume
 * access     user(8) vol(8)  -> access level         heads     vol(8)         -> seq(8) commit(32)
 * history    vol(8) seq(8)   -> commit(32) accepted(8) user(8)
 * reach      vol(8) hash(32) -> 1   every object reachable from any commit the volume ever had
 * user_reach user(8) hash(32)-> 1   every object reachable from a volume the user may read (derived)
 * volume_members vol(8) user(8) -> level   access, by volume (derived)
 * uploads    user(8) hash(32)-> 1   every block the user uploaded
 * treesizes  hash(32)        -> entries(8) depth(4)   a folder object's size as a folder (derived)
 * </pre>
 * Several processes may open it at once (LMDB's lock file): {@code sahara user add} works while
 * the host runs, and the host reads accounts per request, never from a cache.
 */
public final class LmdbHostStore implements HostStore {
    private final LmdbEnvironment env;
    private final LmdbBlockStore blocks;
    private final LmdbAccounts accounts;
    private final LmdbVolumes volumes;
    private final LmdbBlockAccess access;
    private final LmdbTreeSizes treeSizes;

    private LmdbHostStore(LmdbEnvironment env) {
        this.env = env;
        this.blocks = new LmdbBlockStore(env, "", new BlockCodec(1));
        this.accounts = new LmdbAccounts(env);
        LmdbEnvironment.Table reach = env.table("reach");
        LmdbEnvironment.Table userReach = env.table("user_reach");
        this.volumes = new LmdbVolumes(env, reach, userReach);
        this.access = new LmdbBlockAccess(env, reach, userReach);
        this.treeSizes = new LmdbTreeSizes(env);
        // The empty block is everybody's (a zero-length file has it as content): knowing it reveals nothing.
        blocks.putAll(List.of(Block.of(new byte[0])));
    }

    /** Opens (creating if needed) the host's data under {@code dataDir}. */
    public static LmdbHostStore open(Path dataDir) {
        return open(dataDir, LmdbEnvironment.Options.DEFAULT);
    }

    public static LmdbHostStore open(Path dataDir, LmdbEnvironment.Options options) {
        privateDirectory(dataDir);
        LmdbEnvironment env = LmdbEnvironment.open(dataDir.resolve("db"), options);
        try {
            return new LmdbHostStore(env);
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    /** Creates the data directory readable by its owner only (it holds every user's files); an existing one is left as it is. */
    private static void privateDirectory(Path dir) {
        try {
            if (Files.isDirectory(dir)) return;
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectory(dir);
            }
        } catch (IOException e) {
            throw new HostException(ErrorCode.INTERNAL, "cannot create the data directory " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public BlockStore blocks() {
        return blocks;
    }

    @Override
    public LmdbAccounts accounts() {
        return accounts;
    }

    @Override
    public LmdbVolumes volumes() {
        return volumes;
    }

    /** One durable transaction: one fsync pair per batch. */
    @Override
    public net.saharasync.blockstore.BlockStore.PutResult storeUploaded(long user, java.util.List<net.saharasync.blockstore.BlockStore.StoredBlock> uploaded) {
        return env.write(txn -> {
            // Blocks others stored are written again: the same work, so the same time, as new ones.
            var put = blocks.putAllStoredRewriting(uploaded);
            access.recordUploads(user, uploaded.stream().map(net.saharasync.blockstore.BlockStore.StoredBlock::hash).toList());
            return put;
        });
    }

    @Override
    public LmdbTreeSizes treeSizes() {
        return treeSizes;
    }

    @Override
    public LmdbBlockAccess access() {
        return access;
    }

    @Override
    public java.util.Map<String, Long> census() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (String t : List.of("users", "user_ids", "tokens", "volumes", "access", "heads", "history", "reach", "user_reach", "uploads", "blocks")) {
            LmdbEnvironment.Table table = env.table(t);
            out.put(t, env.read(txn -> txn.entries(table)));
        }
        BlockStore.StoreStats s = blocks.stats();
        out.put("block raw bytes", s.rawBytes());
        out.put("block stored bytes", s.storedBytes());
        return out;
    }

    @Override
    public void close() {
        env.close();
    }
}
