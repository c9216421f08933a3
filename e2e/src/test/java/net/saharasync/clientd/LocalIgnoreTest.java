package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Selective sync: {@code DIR/.sahara/ignore} holds rules of one machine only ("not on the
 * laptop"). It never syncs; what it matches stops syncing here and stays everywhere else,
 * even when this machine deletes its own copy to make room; without the rule it comes back.
 */
class LocalIgnoreTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderIgnoredOnOneMachineOnlyStaysElsewhereAndComesBackWhenTheRuleGoes() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.createDirectories(m.a.resolve("videos"));
            Files.writeString(m.a.resolve("videos/a.mp4"), "a big video");
            Files.writeString(m.a.resolve("notes.txt"), "notes");
            m.settle();
            assertThat(m.b.resolve("videos/a.mp4")).exists();

            Files.writeString(m.b.resolve(".sahara/ignore"), "videos/\n");
            // B makes room: its copy goes, the volume's and A's stay.
            Files.delete(m.b.resolve("videos/a.mp4"));
            Files.delete(m.b.resolve("videos"));
            Files.writeString(m.a.resolve("videos/b.mp4"), "another video");
            Files.writeString(m.b.resolve("notes.txt"), "notes, edited on B");
            m.settle();
            assertThat(Files.readString(m.a.resolve("videos/a.mp4"))).isEqualTo("a big video");
            assertThat(Files.readString(m.a.resolve("notes.txt"))).isEqualTo("notes, edited on B");
            assertThat(m.b.resolve("videos")).as("nothing of videos/ comes to B").doesNotExist();
            assertThat(m.a.resolve(".sahara/ignore")).as("the rule is B's alone").doesNotExist();

            Files.delete(m.b.resolve(".sahara/ignore"));
            m.settle();
            assertThat(Files.readString(m.b.resolve("videos/a.mp4"))).isEqualTo("a big video");
            assertThat(Files.readString(m.b.resolve("videos/b.mp4"))).isEqualTo("another video");
            m.assertSame();
        }
    }
}
