package net.saharasync.blockstore.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import net.saharasync.blockstore.BlockStoreException;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * One LMDB environment (a directory holding {@code data.mdb} and {@code lock.mdb}) with named
 * tables, short read and write transactions, and a map that grows by itself.
 *
 * <p>LMDB fails a write with {@code MDB_MAP_FULL} once the data outgrows the memory map. Here
 * the failed transaction is aborted, the map doubled once no transaction of this process is
 * open (the read-write lock below guarantees that; {@code mdb_env_set_mapsize} requires it),
 * and the work run again, so callers never see the error. Write work must therefore touch
 * nothing outside its transaction. The map is only address space: the file grows with the data.
 *
 * <p>This package is the only place that imports lmdbjava; nothing above it sees a {@code Txn}.
 */
public final class LmdbEnvironment implements AutoCloseable {
    /** Initial map size, tables and concurrent readers. */
    public record Options(long initialMapSize, int maxTables, int maxReaders) {
        public static final Options DEFAULT = new Options(1L << 30, 32, 1024);

        public Options withInitialMapSize(long bytes) {
            return new Options(bytes, maxTables, maxReaders);
        }
    }

    private static final int MAX_GROWTHS_PER_WRITE = 40;

    private final Env<ByteBuffer> env;
    private final Path dir;
    private final ReentrantReadWriteLock resizeLock = new ReentrantReadWriteLock();
    private volatile long mapSize;

    private LmdbEnvironment(Env<ByteBuffer> env, Path dir) {
        this.env = env;
        this.dir = dir;
        this.mapSize = env.info().mapSize;
    }

    /** Opens (creating if needed) the environment in {@code dir}. */
    public static LmdbEnvironment open(Path dir, Options options) {
        try {
            Files.createDirectories(dir);
            Env<ByteBuffer> env = Env.create()
                    .setMapSize(options.initialMapSize())
                    .setMaxDbs(options.maxTables())
                    .setMaxReaders(options.maxReaders())
                    // NOTLS: read transactions are not bound to threads (several per thread, any pool).
                    .open(dir.toFile(), EnvFlags.MDB_NOTLS);
            return new LmdbEnvironment(env, dir);
        } catch (IOException | LmdbException e) {
            throw new BlockStoreException("cannot open LMDB environment in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A named table (LMDB "database"), created if missing. Keys sort as unsigned bytes. */
    public Table table(String name) {
        return locked(() -> new Table(name, env.openDbi(name, DbiFlags.MDB_CREATE)));
    }

    /** The write transaction this thread is inside, if any: nested reads and writes join it. */
    private final ThreadLocal<WriteTxn> current = new ThreadLocal<>();

    /**
     * Runs {@code work} in a read transaction; buffers it sees are valid only until it returns.
     * Inside a {@link #write} on the same thread it reads through that write transaction (and
     * so sees its writes).
     */
    public <T> T read(Function<ReadTxn, T> work) {
        WriteTxn joined = current.get();
        if (joined != null) return work.apply(joined);
        return locked(() -> {
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                return work.apply(new ReadTxn(txn));
            }
        });
    }

    /**
     * Runs {@code work} in a write transaction and commits it durably. On a full map the
     * transaction is aborted, the map grown and {@code work} run again from the start. A write
     * called from inside another (same thread) joins it: everything commits together, once,
     * when the outermost one returns (and a full map reruns the outermost work).
     */
    private static final int EIO = 5, ENOSPC = 28, EDQUOT = 122;
    /** Less room than this left on the disk makes an EIO from a commit a full disk. */
    private static final long NEARLY_FULL_BYTES = 128L << 20;

    private boolean nearlyFull() {
        try {
            return Files.getFileStore(dir).getUsableSpace() < NEARLY_FULL_BYTES;
        } catch (IOException e) {
            return false;
        }
    }

    public <T> T write(Function<WriteTxn, T> work) {
        WriteTxn joined = current.get();
        if (joined != null) return work.apply(joined);
        for (int attempt = 0; ; attempt++) {
            try {
                return locked(() -> {
                    try (Txn<ByteBuffer> txn = env.txnWrite()) {
                        WriteTxn w = new WriteTxn(txn);
                        current.set(w);
                        try {
                            T result = work.apply(w);
                            txn.commit();
                            return result;
                        } finally {
                            current.remove();
                        }
                    }
                });
            } catch (Env.MapFullException e) {
                if (attempt == MAX_GROWTHS_PER_WRITE) {
                    throw new BlockStoreException("LMDB map in " + dir + " still full after growing to " + mapSize + " bytes", e);
                }
                grow();
            } catch (org.lmdbjava.LmdbNativeException e) {
                // ENOSPC or EDQUOT from writing the transaction's pages: it was aborted whole.
                // LMDB reports a short write as EIO, which is how a full disk mostly shows:
                // an EIO with little room left on the disk is taken for a full disk.
                if (e.getResultCode() == ENOSPC || e.getResultCode() == EDQUOT || (e.getResultCode() == EIO && nearlyFull())) {
                    throw new net.saharasync.blockstore.StorageFullException("no space left on the disk holding " + dir, e);
                }
                throw e;
            }
        }
    }

    /** The current map size in bytes (address space reserved, not disk used). */
    public long mapSize() {
        return mapSize;
    }

    public Path directory() {
        return dir;
    }

    private void grow() {
        if (resizeLock.getReadHoldCount() > 0) {
            throw new BlockStoreException("LMDB map full inside a nested transaction; cannot grow it here");
        }
        resizeLock.writeLock().lock();
        try {
            long current = env.info().mapSize;
            long next = current < (8L << 30) ? current * 2 : current + (8L << 30);
            env.setMapSize(next);
            mapSize = env.info().mapSize;
        } finally {
            resizeLock.writeLock().unlock();
        }
    }

    private <T> T locked(java.util.function.Supplier<T> body) {
        resizeLock.readLock().lock();
        try {
            if (env.isClosed()) throw new BlockStoreException("LMDB environment " + dir + " is closed");
            return body.get();
        } finally {
            resizeLock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        resizeLock.writeLock().lock();
        try {
            if (!env.isClosed()) env.close();
        } finally {
            resizeLock.writeLock().unlock();
        }
    }

    /** A direct buffer holding {@code text} as UTF-8, for constant keys. */
    public static ByteBuffer constantKey(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(b.length).put(b).flip().asReadOnlyBuffer();
    }

    /** A named table of the environment. */
    public static final class Table {
        final String name;
        final Dbi<ByteBuffer> dbi;

        Table(String name, Dbi<ByteBuffer> dbi) {
            this.name = name;
            this.dbi = dbi;
        }

        public String name() {
            return name;
        }
    }

    /** A read transaction. Keys must be direct buffers; returned buffers point into the map. */
    public static class ReadTxn {
        final Txn<ByteBuffer> txn;

        ReadTxn(Txn<ByteBuffer> txn) {
            this.txn = txn;
        }

        /** The value under {@code key}, valid until the transaction ends. */
        public Optional<ByteBuffer> get(Table table, ByteBuffer key) {
            return Optional.ofNullable(table.dbi.get(txn, key.duplicate()));
        }

        public boolean contains(Table table, ByteBuffer key) {
            return table.dbi.get(txn, key.duplicate()) != null;
        }

        public long entries(Table table) {
            return table.dbi.stat(txn).entries;
        }

        /**
         * Visits entries in key order, starting at the first key {@code >= from} (or the first
         * key when empty), while {@code visitor} returns true.
         */
        public void scan(Table table, Optional<ByteBuffer> from, EntryVisitor visitor) {
            try (var cursor = table.dbi.openCursor(txn)) {
                boolean found = from.isPresent()
                        ? cursor.get(from.get().duplicate(), org.lmdbjava.GetOp.MDB_SET_RANGE)
                        : cursor.first();
                while (found && visitor.visit(cursor.key(), cursor.val())) {
                    found = cursor.next();
                }
            }
        }
    }

    /** A write transaction. */
    public static final class WriteTxn extends ReadTxn {
        WriteTxn(Txn<ByteBuffer> txn) {
            super(txn);
        }

        public void put(Table table, ByteBuffer key, ByteBuffer value) {
            table.dbi.put(txn, key.duplicate(), value.duplicate());
        }

        /** Room for a value of {@code size} bytes under {@code key}, to be filled before the transaction ends. */
        public ByteBuffer reserve(Table table, ByteBuffer key, int size) {
            return table.dbi.reserve(txn, key.duplicate(), size);
        }

        public boolean delete(Table table, ByteBuffer key) {
            return table.dbi.delete(txn, key.duplicate());
        }
    }

    /** Receives entries during a scan; buffers are valid only during the call. */
    @FunctionalInterface
    public interface EntryVisitor {
        /** @return whether to go on */
        boolean visit(ByteBuffer key, ByteBuffer value);
    }
}
