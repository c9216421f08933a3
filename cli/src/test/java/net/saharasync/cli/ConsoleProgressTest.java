package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    @Test
    void thePhaseLineSaysWhatWentUpDuringTheScanApartFromItsOwnRate() {
        assertThat(ConsoleProgress.summary("upload", 12_000_000, 3, 40_000_000, 2_000_000_000L))
                .isEqualTo("upload: 12.0 MB, 3 files in 2.0 s (6.0 MB/s); 40.0 MB more during the scan");
        assertThat(ConsoleProgress.summary("download", 1_500, 0, 0, 1_500_000_000L)).isEqualTo("download: 1.5 kB in 1.5 s (1.0 kB/s)");
    }
}
