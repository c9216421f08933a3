package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.saharasync.clientd.remote.EagerUpload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New files' chunks go up while the scan still reads the folder (real folders, a real host on
 * loopback), and only new files' chunks: a changed file still goes as a delta, a moved one
 * costs nothing, nothing is sent twice.
 */
class EagerUploadTest {
    @TempDir
    Path tmp;
    TwoMachines m;

    @BeforeEach
    void start() throws IOException {
        m = new TwoMachines(tmp);
        // Starts after 256 KiB of new content, at most 1 MiB waiting.
        m.ea.eagerLimits = new EagerUpload.Limits(256 << 10, 1 << 20);
    }

    @AfterEach
    void stop() {
        m.close();
    }

    static void random(Path root, String path, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long hostBlocks() {
        return m.host.store().blocks().stats().blocks();
    }

    /** Progress that calls {@code atFile} with the count of files the scan has hashed so far, as each is (on the cycle's thread). */
    static Progress duringScan(java.util.function.IntConsumer atFile) {
        return new Progress() {
            boolean scanning;
            int files;

            @Override
            public void start(String phase, long total) {
                scanning = phase.equals("scan");
            }

            @Override
            public void advance(long bytes, int n) {
                if (scanning && n > 0) atFile.accept(files += n); // bytes also advance inside a file
            }

            @Override
            public void finish() {
                scanning = false;
            }
        };
    }

    /**
     * The host's stored blocks each time the scan reports a file hashed. At the 150th file the
     * scan waits (up to 10 s) for the host to have more blocks than before the cycle: on a
     * slow machine the scan could otherwise finish before the first batch is stored. At the
     * 5th, it gives a batch 300 ms to arrive.
     */
    private List<Long> hostBlocksDuringScan() {
        List<Long> seen = new ArrayList<>();
        long before = hostBlocks();
        m.ea.progress(duringScan(files -> {
            if (files == 150) {
                for (int i = 0; i < 1000 && hostBlocks() == before; i++) sleep();
            }
            if (files == 5) {
                for (int i = 0; i < 30 && hostBlocks() == before; i++) sleep(); // time for a batch that should not go
            }
            seen.add(hostBlocks());
        }));
        return seen;
    }

    @Test
    void newFilesAreOnTheHostBeforeTheScanEndsAndNothingGoesTwice() throws IOException {
        long content = 0;
        for (int i = 0; i < 12; i++) {
            random(m.a, "big/f" + i + ".bin", 300_000, i);
            content += 300_000;
        }
        for (int i = 0; i < 200; i++) {
            random(m.a, "small/s" + i + ".bin", 2_000 + i, 100 + i);
            content += 2_000 + i;
        }
        List<Long> blocks = hostBlocksDuringScan();
        long before = hostBlocks();

        CycleReport ra = m.ea.cycle();

        assertThat(ra.agreed()).isTrue();
        assertThat(ra.filesUp()).isEqualTo(212);
        // The host was storing A's chunks while A still hashed the later files.
        assertThat(blocks).hasSize(212);
        assertThat(blocks.get(149)).as("host's blocks when A had hashed 150 of 212 files").isGreaterThan(before);
        // Random bytes do not compress: every chunk went once (requests and tree nodes on top).
        assertThat(ra.bytesSent()).isBetween(content, content + content / 10);
        m.settle();
        m.assertSame();
    }

    /**
     * The head start's first batch is cut off halfway (the host keeps half of it, the request
     * fails) while the scan runs: the head start stops, and the upload after the scan sends the
     * rest, so the cycle still commits everything, at once.
     */
    @Test
    void anUploadCutDuringTheScanLeavesTheRestToTheUploadAfterIt() throws IOException {
        m.ea.close(); // one engine per folder: A's is replaced by one whose first upload is cut off
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        m.ea = new SyncEngine(m.a, ClientConfig.load(m.a), InterruptedUploadTest.cutOnce(m, cut));
        m.ea.eagerLimits = new EagerUpload.Limits(256 << 10, 1 << 20);
        for (int i = 0; i < 200; i++) random(m.a, "d" + i / 40 + "/f" + i + ".bin", 20_000 + i, i);
        boolean[] cutDuringScan = {false};
        m.ea.progress(duringScan(files -> {
            if (files != 150) return;
            // Waits (up to 10 s) for the first upload, the head start's, to be cut.
            for (int i = 0; i < 1000 && !cut.get(); i++) sleep();
            cutDuringScan[0] = cut.get();
        }));

        CycleReport ra = m.ea.cycle();

        assertThat(cutDuringScan[0]).isTrue();
        assertThat(ra.agreed()).isTrue();
        assertThat(ra.filesUp()).isEqualTo(200);
        m.settle();
        m.assertSame();
    }

    @Test
    void aChangedFileStillGoesAsADeltaAndAMovedOneCostsNoUpload() throws IOException {
        m.ea.eagerLimits = new EagerUpload.Limits(1, 8 << 20); // would send anything it is offered
        m.ea.eagerOnScanThread = true; // sends as soon as it is offered anything, before the scan goes on
        random(m.a, "data/image.bin", 3_000_000, 1);
        random(m.a, "data/other.bin", 2_000_000, 2);
        assertThat(m.ea.cycle().agreed()).isTrue();
        m.settle();

        // One byte changed in the middle of one file, the other moved to a new folder.
        byte[] image = Files.readAllBytes(m.a.resolve("data/image.bin"));
        image[1_500_000] ^= 1;
        OldVersionCopyTest.saveLikeAnEditor(m.a.resolve("data/image.bin"), image);
        Files.createDirectories(m.a.resolve("moved"));
        Files.move(m.a.resolve("data/other.bin"), m.a.resolve("moved/other.bin"));

        CycleReport ra = m.ea.cycle();

        assertThat(ra.agreed()).isTrue();
        // A whole changed chunk is ~64 KiB, the moved file 2 MB: neither went.
        assertThat(ra.bytesSent()).isLessThan(24_000);
        m.settle();
        m.assertSame();
    }

    /**
     * Files whose content went up during the scan still come in stages: the other machine gets
     * the first ones before the whole tree is committed, as it would without the head start.
     */
    @Test
    void filesSentDuringTheScanStillComeInStages() throws IOException {
        m.ea.eagerLimits = new EagerUpload.Limits(1, 8 << 20);
        m.ea.eagerOnScanThread = true; // all of it is on the host when the scan ends
        m.ea.stageLimits = new UploadStages.Limits(1 << 20, 4 << 20, 10, 40, 0);
        for (int i = 0; i < 120; i++) random(m.a, "d" + i / 20 + "/f" + i + ".bin", 1_000 + i, i);

        CycleReport ra = m.ea.cycle();

        assertThat(ra.agreed()).isTrue();
        assertThat(ra.filesUp()).isEqualTo(120);
        assertThat(ra.seq()).as("commits made by one cycle").isGreaterThanOrEqualTo(3);
        m.settle();
        m.assertSame();
    }

    @Test
    void belowTheStartNothingGoesDuringTheScan() throws IOException {
        // Batches of 512 KiB (a quarter of the queue): had it started, two files make one.
        m.ea.eagerLimits = new EagerUpload.Limits(2 << 20, 2 << 20);
        for (int i = 0; i < 6; i++) random(m.a, "f" + i + ".bin", 300_000, i);
        List<Long> blocks = hostBlocksDuringScan();
        long before = hostBlocks();

        assertThat(m.ea.cycle().agreed()).isTrue();

        assertThat(blocks).hasSize(6).containsOnly(before);
        assertThat(hostBlocks()).isGreaterThan(before + 6);
        m.settle();
        m.assertSame();
    }
}
