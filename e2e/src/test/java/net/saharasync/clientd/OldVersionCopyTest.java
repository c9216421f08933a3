package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small edit in a big file: the machine receiving it builds the new version from its old
 * one by copying the unchanged ranges in the kernel (read neither into the program nor
 * re-hashed), and falls back to checked reads if the old file is not what its index says.
 */
class OldVersionCopyTest {
    @TempDir
    Path tmp;

    /** Counts the bytes the engine reads from the folder, and lets the test act before each write. */
    static final class Counting extends ChangedDuringSyncTest.Interposer {
        final AtomicLong bytesRead = new AtomicLong();
        Runnable beforeWrites = () -> {};

        Counting(SyncFs real) {
            super(real);
        }

        @Override
        public InputStream read(RelPath f) throws IOException {
            return real.read(f);
        }

        @Override
        public byte[] read(RelPath f, long o, int n) throws IOException {
            byte[] b = real.read(f, o, n);
            bytesRead.addAndGet(b.length);
            return b;
        }

        @Override
        public PieceReader pieces(RelPath file) throws IOException {
            PieceReader r = real.pieces(file);
            return new PieceReader() {
                @Override
                public byte[] read(long offset, int length) throws IOException {
                    byte[] b = r.read(offset, length);
                    bytesRead.addAndGet(b.length);
                    return b;
                }

                @Override
                public void close() throws IOException {
                    r.close();
                }
            };
        }

        @Override
        public List<WriteResult> writeFiles(List<FileWrite> writes) throws IOException {
            Runnable r = beforeWrites;
            beforeWrites = () -> {};
            r.run();
            return real.writeFiles(writes);
        }
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Vim's way: the new content in a file beside it, renamed over the old one. */
    static void saveLikeAnEditor(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new~");
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code v1} in sync on A and B, then B reopened on a counting file system. */
    private Counting inSyncThenCounting(TwoMachines m, byte[] v1) throws IOException {
        Files.write(m.a.resolve("big.bin"), v1);
        m.settle();
        return m.reopen(false, Counting::new);
    }

    @Test
    void anEditedBigFileIsBuiltFromTheUnchangedRangesOfTheOldOneWithoutReadingThem() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            byte[] v1 = random(1, 8 << 20);
            Counting fsB = inSyncThenCounting(m, v1);

            byte[] v2 = v1.clone();
            v2[v2.length / 2] ^= 0x5A; // one byte in the middle
            byte[] inserted = new byte[v2.length + 100];
            System.arraycopy(v2, 0, inserted, 0, v2.length / 3);
            System.arraycopy(random(2, 100), 0, inserted, v2.length / 3, 100);
            System.arraycopy(v2, v2.length / 3, inserted, v2.length / 3 + 100, v2.length - v2.length / 3);
            saveLikeAnEditor(m.a.resolve("big.bin"), inserted);
            assertThat(m.ea.cycle().agreed()).isTrue();
            assertThat(m.eb.cycle().agreed()).isTrue();

            assertThat(Files.readAllBytes(m.b.resolve("big.bin"))).isEqualTo(inserted);
            // Only the old chunks the host patched against were read (at most a few 256 KiB chunks), not 8 MiB.
            assertThat(fsB.bytesRead.get()).isLessThan(1 << 20);
            m.assertSame();
        }
    }

    @Test
    void anOldVersionChangedAfterTheScanIsNotCopiedFrom() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            byte[] v1 = random(3, 4 << 20);
            Counting fsB = inSyncThenCounting(m, v1);

            byte[] v2 = v1.clone();
            v2[100] ^= 1;
            saveLikeAnEditor(m.a.resolve("big.bin"), v2);
            assertThat(m.ea.cycle().agreed()).isTrue();
            // Between B's scan and its write, the user rewrites B's copy in place (same size).
            byte[] local = random(4, 4 << 20);
            fsB.beforeWrites = () -> {
                try {
                    Files.write(m.b.resolve("big.bin"), local);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            CycleReport r = m.eb.cycle();
            assertThat(r.agreed()).isFalse();
            // The user's bytes stay; nothing was built from them as if they were the old version.
            assertThat(Files.readAllBytes(m.b.resolve("big.bin"))).isEqualTo(local);
            m.settle();
            m.assertSame();
            // Both versions survive on both machines: A's edit and the user's rewrite (one as a conflict copy).
            assertThat(TwoMachines.snapshot(m.a).values()).contains(
                    new String(local, java.nio.charset.StandardCharsets.ISO_8859_1), new String(v2, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }
}
