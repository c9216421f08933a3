package net.saharasync.clientd.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How LocalFs writes a batch: the bytes of every file exactly, in an order spread across folders. */
class LocalFsSinkTest {
    @TempDir
    Path tmp;

    @Test
    void mixedWritesAndRangeCopiesMakeExactlyTheContentAndReusedBuffersLeakNothing() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("folder"));
        LocalFs fs = new LocalFs(root, root.resolve(".sahara/trash"));
        SplittableRandom r = new SplittableRandom(5);
        byte[] old = new byte[300_000];
        r.nextBytes(old);
        Files.write(root.resolve("old"), old);
        FileStat oldStat = fs.stat(RelPath.of("old")).orElseThrow();
        List<SyncFs.FileWrite> writes = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int seed = i;
            ByteArrayOutputStream want = new ByteArrayOutputStream();
            // Big files first, then tiny ones: a reused buffer must not carry bytes over.
            int big = i < 10 ? 200_000 : 0;
            byte[] pieces = new byte[big + (i % 7) * 10_001];
            new SplittableRandom(seed).nextBytes(pieces);
            want.write(pieces, 0, Math.min(3, pieces.length));
            for (int k = 3; k < Math.min(10, pieces.length); k++) want.write(pieces[k]);
            if (pieces.length > 10) want.write(pieces, 10, pieces.length - 10);
            if (i % 3 == 0) want.write(old, 1_000, 70_000);
            want.write((byte) i);
            expected.add(want.toByteArray());
            writes.add(new SyncFs.FileWrite(RelPath.of("d" + (i % 4) + "/f" + i), out -> {
                out.write(pieces, 0, Math.min(3, pieces.length));
                for (int k = 3; k < Math.min(10, pieces.length); k++) out.write(pieces[k]);
                if (pieces.length > 10) out.write(pieces, 10, pieces.length - 10);
                if (seed % 3 == 0) assertThat(out.copyRange(RelPath.of("old"), oldStat, 1_000, 70_000)).isTrue();
                out.write(seed);
            }, 0, false, Optional.empty()));
        }
        for (int d = 0; d < 4; d++) Files.createDirectories(root.resolve("d" + d));
        assertThat(fs.writeFiles(writes)).allMatch(res -> res instanceof SyncFs.Written);
        for (int i = 0; i < 60; i++) {
            assertThat(Files.readAllBytes(root.resolve("d" + (i % 4) + "/f" + i))).as("file %d", i).isEqualTo(expected.get(i));
        }
    }

    /**
     * A file bigger than several write-back intervals, made of writes and range copies that
     * cross them at unaligned offsets: exactly the bytes, whatever the write-back hints do.
     */
    @Test
    void aBigFileOfWritesAndLongRangeCopiesIsExactAcrossWriteBackIntervals() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("folder"));
        LocalFs fs = new LocalFs(root, root.resolve(".sahara/trash"));
        int mib = 1 << 20;
        byte[] old = new byte[40 * mib];
        new SplittableRandom(8).nextBytes(old);
        Files.write(root.resolve("old"), old);
        FileStat oldStat = fs.stat(RelPath.of("old")).orElseThrow();
        byte[] fresh = new byte[(int) LocalFs.WRITE_BEHIND + 12_345];
        new SplittableRandom(9).nextBytes(fresh);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(old, 5, 35 * mib);
        want.write(fresh);
        want.write(old, 777, 20 * mib);
        fs.writeFile(RelPath.of("big"), out -> {
            assertThat(out.copyRange(RelPath.of("old"), oldStat, 5, 35 * mib)).isTrue();
            out.write(fresh);
            assertThat(out.copyRange(RelPath.of("old"), oldStat, 777, 20 * mib)).isTrue();
        }, 0, false, Optional.empty());
        assertThat(Files.mismatch(root.resolve("big"), writeTemp(want.toByteArray()))).isEqualTo(-1);
    }

    private Path writeTemp(byte[] content) throws java.io.IOException {
        return Files.write(tmp.resolve("expected"), content);
    }

    @Test
    void aBatchIsWrittenOneFileFromEachFolderInTurnKeepingTheOrderWithinAFolder() {
        String[] paths = {"a/1", "a/2", "a/3", "b/1", "top", "c/x/1", "c/x/2", "b/2"};
        List<String> order = SyncFs.writeOrder(java.util.Arrays.stream(paths).map(RelPath::of).toList()).stream().map(i -> paths[i]).toList();
        assertThat(order).containsExactly("a/1", "b/1", "top", "c/x/1", "a/2", "b/2", "c/x/2", "a/3");
    }

    @Test
    void rangeCopiesGoUpToABlockBoundaryFirstWhenBothSidesCanBeAligned() {
        long w = 3L << 30;
        // Same distance from a boundary on both sides (an overwrite in place): up to the boundary first.
        assertThat(LocalFs.copyStep(10_000, 10_000, 1 << 20)).isEqualTo(12_288 - 10_000);
        assertThat(LocalFs.copyStep(12_288, 12_288, 1 << 20)).isEqualTo(1 << 20);
        assertThat(LocalFs.copyStep(4096 + 5, 8192 + 5, 100)).isEqualTo(100);
        // Different distances (an insertion shifted the rest): nothing to align, whole steps.
        assertThat(LocalFs.copyStep(10_000, 10_100, 1 << 20)).isEqualTo(1 << 20);
        assertThat(LocalFs.copyStep(0, 0, w)).isEqualTo(w);
        assertThat(LocalFs.copyStep(1, 1, w)).isEqualTo(4095);
    }
}
