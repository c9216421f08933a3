package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.LocalFs;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file system edge: nothing is written outside the folder, nothing is clobbered, replaced versions are kept. */
class LocalFsTest {
    @TempDir
    Path tmp;

    private LocalFs fs() throws Exception {
        Files.createDirectories(tmp.resolve("folder"));
        return new LocalFs(tmp.resolve("folder"), tmp.resolve("folder/.sahara/trash"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "/etc/passwd", "a/../../x", "a//b", "nul\0byte", "./x", "a/./b"})
    void hostilePathsAreRefusedBeforeAnythingHappens(String path) {
        assertThatThrownBy(() -> RelPath.of(path)).isInstanceOf(ClientException.class).hasMessageContaining("refusing path");
    }

    @Test
    void nothingIsEverWrittenIntoTheStateFolderThroughTheSyncedTree() throws Exception {
        LocalFs fs = fs();
        Files.createDirectories(tmp.resolve("folder/.sahara"));
        assertThatThrownBy(() -> fs.writeFile(RelPath.of(".sahara/status.json"), out -> out.write(1), 0, false, Optional.empty()))
                .isInstanceOf(ClientException.class).hasMessageContaining("state folder");
        assertThatThrownBy(() -> fs.mkdirs(RelPath.of(".sahara/trash"))).isInstanceOf(ClientException.class);
        assertThat(tmp.resolve("folder/.sahara/status.json")).doesNotExist();
        // The same name deeper down is the user's.
        fs.mkdirs(RelPath.of("p"));
        fs.writeFile(RelPath.of("p/.sahara"), out -> out.write(1), 0, false, Optional.empty());
    }

    @Test
    void onlyTempNamesMadeUnderThisFoldersKeyAreTheClientsOwn() throws Exception {
        var names = new net.saharasync.clientd.fs.TempNames(net.saharasync.clientd.fs.TempNames.newKey());
        var other = new net.saharasync.clientd.fs.TempNames(net.saharasync.clientd.fs.TempNames.newKey());
        String mine = names.fresh();
        assertThat(names.isOurs(mine)).isTrue();
        assertThat(other.isOurs(mine)).isFalse();
        assertThat(names.isOurs(".sahara-tmp-0")).isFalse();
        assertThat(names.isOurs(mine.toUpperCase(java.util.Locale.ROOT))).isFalse();
        assertThat(names.isOurs(mine.substring(0, mine.length() - 1) + (mine.endsWith("0") ? "1" : "0"))).isFalse();
        LocalFs fs = fs();
        Files.writeString(tmp.resolve("folder/.sahara-tmp-1234"), "a user's file");
        assertThatThrownBy(() -> fs.deleteTemp(RelPath.of(".sahara-tmp-1234"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.resolve("folder/.sahara-tmp-1234")).exists();
    }

    @Test
    void aWriteThroughASymlinkedFolderIsRefusedAndTouchesNothingOutside() throws Exception {
        LocalFs fs = fs();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(tmp.resolve("folder/escape"), outside);
        assertThatThrownBy(() -> fs.writeFile(RelPath.of("escape/owned.txt"), out -> out.write(1), 0, false, Optional.empty()))
                .isInstanceOf(ClientException.class).hasMessageContaining("symlink is never followed");
        assertThatThrownBy(() -> fs.mkdirs(RelPath.of("escape/sub"))).isInstanceOf(ClientException.class);
        try (var s = Files.list(outside)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void anOpenFolderNeverFollowsASymlinkAndReadsThroughItsHandle() throws Exception {
        LocalFs fs = fs();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not yours");
        Path folder = tmp.resolve("folder");
        Files.createDirectories(folder.resolve("docs"));
        Files.writeString(folder.resolve("docs/a.txt"), "hello");
        Files.createSymbolicLink(folder.resolve("docs/link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(folder.resolve("escape"), outside);
        // A symlinked folder is not opened, and not through a symlinked parent either.
        assertThatThrownBy(() -> fs.folder(RelPath.of("escape"))).isInstanceOf(ClientException.class).hasMessageContaining("symlink is never followed");
        try (SyncFs.Folder f = fs.folder(RelPath.of("docs"))) {
            assertThat(f.names()).containsExactly("a.txt", "link.txt");
            assertThat(f.stat("a.txt").orElseThrow().kind()).isEqualTo(FileStat.Kind.FILE);
            assertThat(f.stat("a.txt").orElseThrow().sameAs(fs.stat(RelPath.of("docs/a.txt")).orElseThrow())).isTrue();
            assertThat(f.stat("link.txt").orElseThrow().kind()).isEqualTo(FileStat.Kind.SYMLINK);
            assertThat(f.stat("gone.txt")).isEmpty();
            assertThat(f.readStart("a.txt", 6)).isEqualTo("hello".getBytes());
            assertThat(f.readStart("a.txt", 3)).isEqualTo("hel".getBytes());
            try (var in = f.read("a.txt")) {
                assertThat(in.readAllBytes()).isEqualTo("hello".getBytes());
            }
            // Opening a link as a file fails (O_NOFOLLOW) rather than reading its target.
            assertThatThrownBy(() -> f.readStart("link.txt", 100)).isInstanceOf(java.io.IOException.class);
            // The folder moved away after it was opened: reads still come from it, not from a new one at its path.
            Files.move(folder.resolve("docs"), folder.resolve("moved"));
            Files.createDirectories(folder.resolve("docs"));
            Files.writeString(folder.resolve("docs/a.txt"), "impostor");
            assertThat(f.readStart("a.txt", 100)).isEqualTo("hello".getBytes());
        }
        assertThatThrownBy(() -> fs.folder(RelPath.of("nothing-here"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void aReplacedFileIsKeptInTheTrashAndAChangedOneIsNotOverwritten() throws Exception {
        LocalFs fs = fs();
        Files.writeString(tmp.resolve("folder/a.txt"), "old");
        FileStat seen = fs.stat(RelPath.of("a.txt")).orElseThrow();
        FileStat now = fs.writeFile(RelPath.of("a.txt"), out -> out.write("new".getBytes()), 1_000_000_000L, true, Optional.of(seen));
        assertThat(Files.readString(tmp.resolve("folder/a.txt"))).isEqualTo("new");
        assertThat(now.executable()).isTrue();
        assertThat(now.mtimeNanos()).isEqualTo(1_000_000_000L);
        try (var s = Files.walk(tmp.resolve("folder/.sahara/trash"))) {
            assertThat(s.filter(Files::isRegularFile).map(p -> {
                try {
                    return Files.readString(p);
                } catch (Exception e) {
                    return "";
                }
            }).toList()).containsExactly("old");
        }
        // The caller's view is stale now: the write is refused and the file left as it is.
        assertThatThrownBy(() -> fs.writeFile(RelPath.of("a.txt"), out -> out.write("newer".getBytes()), 0, false, Optional.of(seen)))
                .isInstanceOf(SyncFs.ChangedMeanwhile.class);
        assertThatThrownBy(() -> fs.writeFile(RelPath.of("a.txt"), out -> out.write("x".getBytes()), 0, false, Optional.empty()))
                .isInstanceOf(SyncFs.ChangedMeanwhile.class);
        assertThat(Files.readString(tmp.resolve("folder/a.txt"))).isEqualTo("new");
        try (var s = Files.list(tmp.resolve("folder"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("a.txt", ".sahara");
        }
    }

    @Test
    void aRenameNeverClobbersAnExistingFile() throws Exception {
        LocalFs fs = fs();
        Files.writeString(tmp.resolve("folder/a"), "a");
        Files.writeString(tmp.resolve("folder/b"), "b");
        FileStat a = fs.stat(RelPath.of("a")).orElseThrow();
        assertThatThrownBy(() -> fs.rename(RelPath.of("a"), RelPath.of("b"), a)).isInstanceOf(SyncFs.ChangedMeanwhile.class);
        assertThat(Files.readString(tmp.resolve("folder/b"))).isEqualTo("b");
        fs.rename(RelPath.of("a"), RelPath.of("c"), a);
        assertThat(Files.readString(tmp.resolve("folder/c"))).isEqualTo("a");
        assertThat(fs.stat(RelPath.of("c")).orElseThrow().fileKey()).isEqualTo(a.fileKey());
    }

    @Test
    void trashOlderThanItsKeepIsExpiredAndNewerIsKept() throws Exception {
        LocalFs fs = fs();
        Path trash = tmp.resolve("folder/.sahara/trash");
        Files.createDirectories(trash.resolve("2020-01-01T000000.000-1/docs"));
        Files.writeString(trash.resolve("2020-01-01T000000.000-1/docs/old.txt"), "old");
        Files.writeString(tmp.resolve("folder/x"), "x");
        fs.trash(RelPath.of("x"), fs.stat(RelPath.of("x")).orElseThrow());
        Files.createDirectories(trash.resolve("not-ours"));
        assertThat(fs.expireTrash(java.time.Duration.ofDays(30))).isEqualTo(1);
        try (var s = Files.list(trash)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).hasSize(2).contains("not-ours").noneMatch(n -> n.startsWith("2020"));
        }
    }

    /** Modification times with nanoseconds, one before 1970: what a batch must set exactly. */
    private static long mtime(int i) {
        return i == 3 ? -1_500_000_001L : (1_000L + i) * 1_000_000_000L + i * 1_234_567L;
    }

    /** Both ways a batch is made durable: one barrier for many files, an fsync per file for a few. */
    @ParameterizedTest
    @ValueSource(ints = {3, 200})
    void aBatchWritesEveryFileSkipsTheOneChangedMeanwhileAndKeepsReplacedVersions(int files) throws Exception {
        LocalFs fs = fs();
        Files.createDirectories(tmp.resolve("folder/d1"));
        Files.createDirectories(tmp.resolve("folder/d2"));
        Files.writeString(tmp.resolve("folder/d1/f0"), "old 0");
        Files.writeString(tmp.resolve("folder/d2/f1"), "old 1");
        FileStat seen0 = fs.stat(RelPath.of("d1/f0")).orElseThrow();
        FileStat seen1 = fs.stat(RelPath.of("d2/f1")).orElseThrow();
        Files.writeString(tmp.resolve("folder/d2/f1"), "the user's edit, made after the scan");
        java.util.List<SyncFs.FileWrite> writes = new java.util.ArrayList<>();
        for (int i = 0; i < files; i++) {
            String content = "new " + i;
            Optional<FileStat> expected = i == 0 ? Optional.of(seen0) : i == 1 ? Optional.of(seen1) : Optional.empty();
            writes.add(new SyncFs.FileWrite(RelPath.of("d" + (1 + i % 2) + "/f" + i), out -> out.write(content.getBytes()),
                    mtime(i), i == 2, expected));
        }
        var results = fs.writeFiles(writes);
        assertThat(results).hasSize(files);
        assertThat(results.get(1)).isInstanceOf(SyncFs.Changed.class);
        assertThat(Files.readString(tmp.resolve("folder/d2/f1"))).isEqualTo("the user's edit, made after the scan");
        for (int i = 0; i < files; i++) {
            if (i == 1) continue;
            Path f = tmp.resolve("folder/d" + (1 + i % 2) + "/f" + i);
            assertThat(Files.readString(f)).isEqualTo("new " + i);
            FileStat written = ((SyncFs.Written) results.get(i)).stat();
            assertThat(written).isEqualTo(fs.stat(RelPath.of("d" + (1 + i % 2) + "/f" + i)).orElseThrow());
            assertThat(written.mtimeNanos()).isEqualTo(mtime(i));
            assertThat(written.executable()).isEqualTo(i == 2);
        }
        try (var s = Files.walk(tmp.resolve("folder/.sahara/trash"))) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList()).containsExactly("f0");
        }
        try (var s = Files.walk(tmp.resolve("folder"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(net.saharasync.clientd.fs.TempNames.PREFIX)).toList()).isEmpty();
        }
    }

    @Test
    void aBatchWhoseContentFailsLeavesNoTempFileAndReplacesNothing() throws Exception {
        LocalFs fs = fs();
        Files.writeString(tmp.resolve("folder/keep"), "kept");
        FileStat seen = fs.stat(RelPath.of("keep")).orElseThrow();
        java.util.List<SyncFs.FileWrite> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int at = i;
            writes.add(new SyncFs.FileWrite(RelPath.of(i == 0 ? "keep" : "f" + i), out -> {
                out.write("partial".getBytes());
                if (at == 7) throw new java.io.IOException("the host went away");
            }, 0, false, i == 0 ? Optional.of(seen) : Optional.empty()));
        }
        assertThatThrownBy(() -> fs.writeFiles(writes)).hasMessageContaining("the host went away");
        try (var s = Files.list(tmp.resolve("folder"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("keep");
        }
        assertThat(Files.readString(tmp.resolve("folder/keep"))).isEqualTo("kept");
    }
}
