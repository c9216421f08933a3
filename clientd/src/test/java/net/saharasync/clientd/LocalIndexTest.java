package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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
            for (String p : new String[] {"a/b", "a/b-c/x", "a/b.txt", "a/b/x", "a/b/y/z", "a/bc/x", "a/b0", "b/a/b/x", "ab/x"}) {
                files.put(p, Optional.of(new FileState(new FileStat(FileStat.Kind.FILE, 1, 1, "k" + p, false), Hash.of(p.getBytes()), 0)));
            }
            index.update(files, Map.of());
            assertThat(index.pathsUnder("a/b")).containsExactly("a/b/x", "a/b/y/z");
            assertThat(index.pathsUnder("a")).containsExactly("a/b", "a/b-c/x", "a/b.txt", "a/b/x", "a/b/y/z", "a/b0", "a/bc/x");
            assertThat(index.pathsUnder("nothing")).isEmpty();
            assertThat(index.filesIn("a/b").keySet()).containsExactly("x");
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
