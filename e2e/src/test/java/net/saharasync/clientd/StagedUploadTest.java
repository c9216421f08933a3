package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large upload goes as several commits (real folders, a real host on loopback): the other
 * machine gets the first files while the first still uploads, and a stage the host refuses
 * because someone else committed in between ends in a merge with nothing lost.
 */
class StagedUploadTest {
    static final int FOLDERS = 6;
    static final int FILES = 20;

    @TempDir
    Path tmp;
    TwoMachines m;

    @BeforeEach
    void start() throws IOException {
        m = new TwoMachines(tmp);
        // Stages of 10 files first, up to 40: 120 new files make several.
        m.ea.stageLimits = new UploadStages.Limits(1 << 20, 4 << 20, 10, 40, 0);
        for (int d = 0; d < FOLDERS; d++) {
            for (int f = 0; f < FILES; f++) PartialScanTest.write(m.a, "d" + d + "/f" + f, "file " + d + "/" + f);
        }
    }

    @AfterEach
    void stop() {
        m.close();
    }

    /** Runs {@code action} each time the engine's upload reports a batch sent (from its cycle thread). */
    static Progress onEveryBatch(IoAction action) {
        return new Progress() {
            @Override
            public void start(String phase, long total) {}

            @Override
            public void advance(long bytes, int files) {
                try {
                    action.run();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public void finish() {}
        };
    }

    interface IoAction {
        void run() throws IOException;
    }

    @Test
    void theOtherMachineGetsTheFirstStagesWhileTheUploadGoesOn() throws IOException {
        List<Integer> seenOnB = new ArrayList<>();
        m.ea.progress(onEveryBatch(() -> {
            // B syncs each time A has sent a batch: what the host committed so far reaches it.
            assertThat(m.eb.cycle().agreed()).isTrue();
            seenOnB.add(TwoMachines.snapshot(m.b).size());
        }));

        CycleReport ra = m.ea.cycle();

        assertThat(ra.agreed()).isTrue();
        assertThat(ra.filesUp()).isEqualTo(FOLDERS * FILES);
        assertThat(ra.seq()).as("commits made by one cycle").isGreaterThanOrEqualTo(4);
        // B had the first 10 files (and their folder) while A was still uploading the rest.
        assertThat(seenOnB).contains(11);
        assertThat(seenOnB).allSatisfy(n -> assertThat(n).isLessThan(FOLDERS * FILES + FOLDERS));
        m.settle();
        m.assertSame();
    }

    @Test
    void stagesUploadedSoonerThanTheIntervalAreCommittedWithTheWholeTree() throws IOException {
        m.ea.stageLimits = new UploadStages.Limits(1 << 20, 4 << 20, 10, 40, java.time.Duration.ofHours(1).toMillis());
        List<Long> seqOnB = new ArrayList<>();
        m.ea.progress(onEveryBatch(() -> seqOnB.add(m.eb.cycle().seq())));

        CycleReport ra = m.ea.cycle();

        assertThat(ra.agreed()).isTrue();
        assertThat(ra.seq()).as("one commit").isEqualTo(1);
        assertThat(seqOnB).isNotEmpty().containsOnly(0L);
        m.settle();
        m.assertSame();
    }

    @Test
    void aStageRefusedBecauseAnotherMachineCommittedEndsInAMergeWithNothingLost() throws IOException {
        boolean[] done = {false};
        m.ea.progress(onEveryBatch(() -> {
            if (done[0] || m.eb.cycle().seq() == 0) return; // B commits once A's first stage is in
            done[0] = true;
            PartialScanTest.write(m.b, "from-b.txt", "written on B meanwhile");
            assertThat(m.eb.cycle().agreed()).isTrue();
        }));

        CycleReport ra = m.ea.cycle();

        assertThat(ra.agreed()).isTrue();
        m.settle();
        m.assertSame();
        var files = TwoMachines.snapshot(m.a);
        assertThat(files).containsEntry("from-b.txt", "written on B meanwhile");
        for (int d = 0; d < FOLDERS; d++) {
            for (int f = 0; f < FILES; f++) assertThat(files).containsEntry("d" + d + "/f" + f, "file " + d + "/" + f);
        }
        assertThat(files).hasSize(FOLDERS * FILES + FOLDERS + 1); // no conflict copies
        assertThat(ra.conflicts()).isZero();
    }
}
