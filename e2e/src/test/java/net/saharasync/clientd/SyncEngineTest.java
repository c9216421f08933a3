package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncEngineTest {
    @TempDir
    Path tmp;
    TwoMachines m;

    @BeforeEach
    void start() throws Exception {
        m = new TwoMachines(tmp);
    }

    @AfterEach
    void stop() {
        m.close();
    }

    @Test
    void filesFoldersLinksAndModesReachTheOtherMachine() throws Exception {
        Files.writeString(m.a.resolve("hello.txt"), "hello");
        Files.createDirectories(m.a.resolve("docs/empty"));
        byte[] big = new byte[3 << 20];
        new Random(1).nextBytes(big);
        Files.write(m.a.resolve("docs/big.bin"), big);
        Path script = Files.writeString(m.a.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(m.a.resolve("link"), Path.of("../outside/target"));
        Files.writeString(m.a.resolve("notes.swp"), "vim swap: never synced");

        CycleReport up = m.ea.cycle();
        assertThat(up.agreed()).isTrue();
        assertThat(up.filesUp()).isGreaterThanOrEqualTo(4);
        CycleReport down = m.eb.cycle();
        assertThat(down.agreed()).isTrue();
        assertThat(down.filesDown()).isGreaterThanOrEqualTo(4);

        assertThat(Files.readString(m.b.resolve("hello.txt"))).isEqualTo("hello");
        assertThat(Files.readAllBytes(m.b.resolve("docs/big.bin"))).isEqualTo(big);
        assertThat(Files.isDirectory(m.b.resolve("docs/empty"))).isTrue();
        assertThat(Files.isExecutable(m.b.resolve("run.sh"))).isTrue();
        assertThat(Files.readSymbolicLink(m.b.resolve("link"))).isEqualTo(Path.of("../outside/target"));
        assertThat(Files.exists(m.b.resolve("notes.swp"))).isFalse();
        assertThat(Files.getLastModifiedTime(m.b.resolve("docs/big.bin"))).isEqualTo(Files.getLastModifiedTime(m.a.resolve("docs/big.bin")));

        // Nothing changed: another cycle moves (almost) nothing.
        CycleReport idle = m.eb.cycle();
        assertThat(idle.agreed()).isTrue();
        assertThat(idle.filesDown()).isZero();
        assertThat(idle.bytesSent() + idle.bytesReceived()).isLessThan(1000);
    }

    @Test
    void editsRenamesAndDeletesPropagateAndDeletedFilesGoToTheTrash() throws Exception {
        Files.createDirectories(m.a.resolve("dir"));
        for (int i = 0; i < 20; i++) Files.writeString(m.a.resolve("dir/f" + i), "file " + i);
        Files.writeString(m.a.resolve("doomed.txt"), "precious?");
        m.settle();
        m.assertSame();

        Files.writeString(m.a.resolve("dir/f1"), "edited on A");
        Files.move(m.a.resolve("dir"), m.a.resolve("renamed"));
        Files.delete(m.a.resolve("doomed.txt"));
        CycleReport up = m.ea.cycle();
        assertThat(up.agreed()).isTrue();
        CycleReport down = m.eb.cycle();
        assertThat(down.agreed()).isTrue();
        m.assertSame();
        assertThat(Files.readString(m.b.resolve("renamed/f1"))).isEqualTo("edited on A");
        assertThat(Files.exists(m.b.resolve("dir"))).isFalse();
        // The deleted file is recoverable from B's trash.
        try (var s = Files.walk(m.b.resolve(".sahara/trash"))) {
            assertThat(s.filter(p -> p.getFileName().toString().equals("doomed.txt")).findFirst()).isPresent();
        }
    }

    @Test
    void concurrentEditsKeepBothVersionsOnBothMachines() throws Exception {
        Files.writeString(m.a.resolve("shared.txt"), "base");
        m.settle();
        Files.writeString(m.a.resolve("shared.txt"), "A's version");
        Files.writeString(m.b.resolve("shared.txt"), "B's version!");
        m.settle();
        m.assertSame();
        TreeMap<String, String> files = TwoMachines.snapshot(m.a);
        assertThat(files.values()).contains("A's version", "B's version!");
        assertThat(files.keySet()).anyMatch(k -> k.startsWith("shared (conflict "));
    }

    @Test
    void anEditBeatsADeleteEverywhere() throws Exception {
        Files.writeString(m.a.resolve("keep.txt"), "v1");
        m.settle();
        Files.writeString(m.a.resolve("keep.txt"), "v2 edited on A");
        Files.delete(m.b.resolve("keep.txt"));
        assertThat(m.eb.cycle().agreed()).isTrue(); // B's delete lands first
        m.settle();
        m.assertSame();
        assertThat(Files.readString(m.b.resolve("keep.txt"))).isEqualTo("v2 edited on A");
    }

    /**
     * A file beside an editor's backup or swap file waits a cycle (the editor may be saving
     * it), but not for good: Vim's `backup` option keeps `name~`, a crashed editor leaves its
     * swap file, and the file from the other machine must still arrive.
     */
    @Test
    void aLeftoverEditorBackupDelaysANewFileOnlyBriefly() throws Exception {
        Files.writeString(m.b.resolve("report.txt~"), "an old backup Vim kept");
        Files.writeString(m.b.resolve(".notes.txt.swp"), "a crashed Vim's swap file");
        Files.writeString(m.a.resolve("report.txt"), "new from A");
        Files.writeString(m.a.resolve("notes.txt"), "notes from A");
        assertThat(m.ea.cycle().agreed()).isTrue();
        assertThat(m.eb.cycle().skipped()).as("held back once: an editor may be saving them").contains("report.txt", "notes.txt");
        for (int i = 0; i < SyncEngine.EDITOR_WAITS + 1 && !Files.exists(m.b.resolve("report.txt")); i++) m.eb.cycle();
        assertThat(Files.readString(m.b.resolve("report.txt"))).isEqualTo("new from A");
        assertThat(Files.readString(m.b.resolve("notes.txt"))).isEqualTo("notes from A");
        assertThat(m.eb.cycle().agreed()).isTrue();
        assertThat(m.a.resolve("report.txt~")).as("editor litter stays where it is").doesNotExist();
    }

    @Test
    void aSmallEditInsideABigFileMovesADeltaNotTheChunkBothWays() throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(9).nextBytes(data);
        Files.write(m.a.resolve("big.bin"), data);
        m.settle();
        // An editor's save: new file, renamed over the old one (so A no longer has the old bytes).
        byte[] edited = data.clone();
        edited[2_000_000] ^= 1;
        Path tmp = m.a.resolve("big.bin.new~");
        Files.write(tmp, edited);
        Files.move(tmp, m.a.resolve("big.bin"), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        CycleReport up = m.ea.cycle();
        assertThat(up.agreed()).isTrue();
        CycleReport down = m.eb.cycle();
        assertThat(down.agreed()).isTrue();
        assertThat(Files.readAllBytes(m.b.resolve("big.bin"))).isEqualTo(edited);
        // A whole 64 KiB-average chunk would be ~64 KB each way; its delta is a few KB.
        assertThat(up.bytesSent()).isLessThan(16_000);
        assertThat(down.bytesReceived()).isLessThan(16_000);
    }
}
