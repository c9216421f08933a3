package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.index.FileState;
import net.saharasync.clientd.index.LocalIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index answers "what lies inside this folder" from a range of its sorted keys. */
class LocalIndexTest {
    @TempDir
    Path tmp;

    @Test
    void pathsUnderAFolderAreExactlyItsDescendantsNotItsNamesakes() {
        try (LocalIndex index = LocalIndex.open(tmp.resolve("db"))) {
            Map<String, Optional<FileState>> files = new LinkedHashMap<>();
            for (String p : new String[] {"a/b", "a/b-c/x", "a/b.txt", "a/b/x", "a/b/y/z", "a/bc/x", "a/b0", "b/a/b/x", "ab/x", "top", "a/c"}) {
                files.put(p, Optional.of(new FileState(new FileStat(FileStat.Kind.FILE, 1, 1, "k" + p, false), Hash.of(p.getBytes()), 0)));
            }
            index.update(files, Map.of());
            assertThat(index.pathsUnder("a/b")).containsExactly("a/b/x", "a/b/y/z");
            assertThat(index.pathsUnder("a")).containsExactly("a/b", "a/b-c/x", "a/b.txt", "a/b/x", "a/b/y/z", "a/b0", "a/bc/x", "a/c");
            assertThat(index.pathsUnder("nothing")).isEmpty();
            assertThat(index.filesIn("a/b").keySet()).containsExactly("x");
            // Subfolders' entries are jumped over, their namesakes and neighbours are not.
            assertThat(index.filesIn("a").keySet()).containsExactlyInAnyOrder("b", "b.txt", "b0", "c");
            assertThat(index.filesIn("").keySet()).containsExactly("top");
        }
    }

    /** Paths past LMDB's 511-byte keys (Linux allows 4,095) are indexed, found, listed in order and removed like any other. */
    @Test
    void pathsLongerThanAnLmdbKeyAreIndexedListedInOrderAndRemoved() {
        String deep = ("d".repeat(200) + "/").repeat(3); // 603 bytes of folders
        String longName = "n".repeat(250);
        List<String> paths = List.of(deep + "a.txt", deep + "b.txt", deep + longName, deep + "sub/" + longName, deep + "é".repeat(100),
                "short/x", deep.substring(0, 440) + "/z");
        try (LocalIndex index = LocalIndex.open(tmp.resolve("db"))) {
            Map<String, Optional<FileState>> files = new LinkedHashMap<>();
            for (String p : paths) {
                files.put(p, Optional.of(new FileState(new FileStat(FileStat.Kind.FILE, p.length(), 7, "key " + p.length(), false), Hash.of(p.getBytes()), 0)));
            }
            index.update(files, Map.of());
            for (String p : paths) {
                assertThat(index.file(p)).as(p).hasValueSatisfying(f -> {
                    assertThat(f.content()).isEqualTo(Hash.of(p.getBytes()));
                    assertThat(f.stat().size()).isEqualTo(p.length());
                    assertThat(f.stat().fileKey()).isEqualTo("key " + p.length());
                });
            }
            String dir = deep.substring(0, deep.length() - 1);
            assertThat(index.filesIn(dir).keySet()).containsExactlyInAnyOrder("a.txt", "b.txt", longName, "é".repeat(100));
            List<String> sorted = new java.util.ArrayList<>(List.of(deep + "a.txt", deep + "b.txt", deep + longName, deep + "sub/" + longName, deep + "é".repeat(100)));
            sorted.sort((x, y) -> java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8), y.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(index.pathsUnder(dir)).containsExactlyElementsOf(sorted);
            assertThat(index.paths()).hasSize(paths.size());

            Map<String, Optional<FileState>> gone = new LinkedHashMap<>();
            gone.put(deep + longName, Optional.empty());
            index.update(gone, Map.of());
            assertThat(index.file(deep + longName)).isEmpty();
            assertThat(index.file(deep + "sub/" + longName)).isPresent();
            assertThat(index.pathsUnder(dir)).hasSize(4);
        }
    }

    @Test
    void batchedWorkSeesItsOwnWritesAndCommitsThemTogetherOrNotAtAll() throws Exception {
        Hash a = Hash.of("a".getBytes()), b = Hash.of("b".getBytes()), c = Hash.of("c".getBytes());
        try (LocalIndex index = LocalIndex.open(tmp.resolve("db"))) {
            assertThatThrownBy(() -> index.batched(() -> {
                index.markHosted(java.util.List.of(a));
                assertThat(index.notHosted(java.util.List.of(a, b))).containsExactly(b);
                throw new java.io.IOException("the host went away");
            })).hasMessage("the host went away");
            assertThat(index.notHosted(java.util.List.of(a))).containsExactly(a);

            int n = index.batched(() -> {
                index.markHosted(java.util.List.of(b));
                index.markHosted(java.util.List.of(c));
                return index.notHosted(java.util.List.of(a, b, c)).size();
            });
            assertThat(n).isEqualTo(1);
        }
        try (LocalIndex reopened = LocalIndex.open(tmp.resolve("db"))) {
            assertThat(reopened.notHosted(java.util.List.of(a, b, c))).containsExactly(a);
        }
    }
}
