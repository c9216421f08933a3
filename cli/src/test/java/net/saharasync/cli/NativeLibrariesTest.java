package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies of lmdbjava's native library left by killed processes are cleaned; fresh ones and other files are not. */
class NativeLibrariesTest {
    @TempDir
    Path dir;

    @Test
    void onlyStaleCopiesOfTheNativeLibraryAreRemoved() throws Exception {
        Instant now = Instant.now();
        Path old = Files.writeString(dir.resolve("lmdbjava-native-library-123.so"), "x");
        Files.setLastModifiedTime(old, FileTime.from(now.minus(Duration.ofHours(3))));
        Path fresh = Files.writeString(dir.resolve("lmdbjava-native-library-456.so"), "x");
        Path other = Files.writeString(dir.resolve("notes.txt"), "x");
        Files.setLastModifiedTime(other, FileTime.from(now.minus(Duration.ofDays(3))));

        assertThat(NativeLibraries.removeStale(dir, now.minus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
    }
}
