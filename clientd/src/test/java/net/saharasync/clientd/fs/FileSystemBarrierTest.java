package net.saharasync.clientd.fs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** syncfs(2) through jnr-ffi: present on Linux, and a failure is an error, never silence. */
@EnabledOnOs(OS.LINUX)
class FileSystemBarrierTest {
    @TempDir
    Path tmp;

    @Test
    void onLinuxTheBarrierIsThereAndSyncsTheFolder() throws IOException {
        FileSystemBarrier b = FileSystemBarrier.forFolder(tmp).orElseThrow();
        org.assertj.core.api.Assertions.assertThat(b.available()).isTrue();
        b.sync();
    }

    @Test
    void aFolderThatIsGoneIsAnErrorNamingIt() {
        FileSystemBarrier b = FileSystemBarrier.forFolder(tmp.resolve("gone")).orElseThrow();
        assertThatThrownBy(b::sync).isInstanceOf(IOException.class).hasMessageContaining("gone").hasMessageContaining("errno 2");
    }
}
