package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names in decomposed Unicode (NFD: what a Mac writes, and what a folder copied from one keeps)
 * sync under their NFC form, the only form a volume holds, and stay decomposed on the disk they
 * came from: later changes from other machines land in the decomposed file, not beside it.
 */
class DecomposedNamesTest {
    private static final String FOLDER_NFD = "Fotos Mu\u0308ller";
    private static final String FOLDER_NFC = "Fotos M\u00fcller";
    private static final String CAFE_NFD = "Cafe\u0301.txt";
    private static final String CAFE_NFC = "Caf\u00e9.txt";

    @TempDir
    Path tmp;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".sahara")).sorted().toList();
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void namesCopiedFromAMacSyncAsNfcAndStayDecomposedWhereTheyAre() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.createDirectories(m.a.resolve(FOLDER_NFD));
            Files.writeString(m.a.resolve(FOLDER_NFD).resolve("Bild.txt"), "photo");
            Files.writeString(m.a.resolve(CAFE_NFD), "coffee");
            CycleReport up = m.ea.cycle();
            assertThat(up.unsyncable()).isEmpty();
            assertThat(up.filesUp()).isEqualTo(2);
            m.settle();

            assertThat(names(m.b)).containsExactly(CAFE_NFC, FOLDER_NFC);
            assertThat(read(m.b.resolve(FOLDER_NFC).resolve("Bild.txt"))).isEqualTo("photo");
            assertThat(names(m.a)).as("A keeps its names as they were").containsExactly(CAFE_NFD, FOLDER_NFD);

            // Changes from B land in A's decomposed folder and file.
            Files.writeString(m.b.resolve(FOLDER_NFC).resolve("Bild.txt"), "edited on B");
            Files.writeString(m.b.resolve(FOLDER_NFC).resolve("neu.txt"), "new on B");
            Files.writeString(m.b.resolve(CAFE_NFC), "tea");
            m.settle();
            assertThat(names(m.a)).containsExactly(CAFE_NFD, FOLDER_NFD);
            assertThat(read(m.a.resolve(FOLDER_NFD).resolve("Bild.txt"))).isEqualTo("edited on B");
            assertThat(read(m.a.resolve(FOLDER_NFD).resolve("neu.txt"))).isEqualTo("new on B");
            assertThat(read(m.a.resolve(CAFE_NFD))).isEqualTo("tea");

            // A change A's watcher reports (as the volume names it) is found under the decomposed name.
            Files.writeString(m.a.resolve(FOLDER_NFD).resolve("Bild.txt"), "edited on A");
            CycleReport partial = m.ea.cycle(Optional.of(Set.of(FOLDER_NFC + "/Bild.txt")));
            assertThat(partial.fullScan()).isFalse();
            assertThat(partial.filesUp()).isEqualTo(1);
            m.settle();
            assertThat(read(m.b.resolve(FOLDER_NFC).resolve("Bild.txt"))).isEqualTo("edited on A");

            // A delete from B takes A's decomposed file, into A's trash.
            Files.delete(m.b.resolve(CAFE_NFC));
            m.settle();
            assertThat(names(m.a)).containsExactly(FOLDER_NFD);
            try (Stream<Path> trash = Files.walk(m.a.resolve(".sahara/trash"))) {
                assertThat(trash.filter(Files::isRegularFile).toList()).anySatisfy(p -> {
                    assertThat(p.getFileName().toString()).isEqualTo(CAFE_NFC);
                    assertThat(read(p)).isEqualTo("tea");
                });
            }
            // Otherwise the same folders, once A's names are read as the volume has them.
            java.util.TreeMap<String, String> a = new java.util.TreeMap<>();
            TwoMachines.snapshot(m.a).forEach((k, v) -> a.put(java.text.Normalizer.normalize(k, java.text.Normalizer.Form.NFC), v));
            assertThat(a).isEqualTo(TwoMachines.snapshot(m.b));
        }
    }

    @Test
    void ofTwoNamesThatAreTheSameOnceNormalizedTheComposedOneSyncsAndTheOtherIsReported() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("\u00e9t\u00e9.txt"), "composed");
            Files.writeString(m.a.resolve("e\u0301te\u0301.txt"), "decomposed");
            Files.writeString(m.a.resolve("plain.txt"), "plain");
            CycleReport r = m.ea.cycle();
            assertThat(r.unsyncable()).singleElement().satisfies(u -> assertThat(u)
                    .contains("e\u0301te\u0301.txt").contains("same once Unicode-normalized"));
            m.eb.cycle();
            assertThat(names(m.b)).containsExactly("plain.txt", "\u00e9t\u00e9.txt");
            assertThat(read(m.b.resolve("\u00e9t\u00e9.txt"))).isEqualTo("composed");
            // Nothing of A is touched: both stay.
            assertThat(names(m.a)).containsExactlyInAnyOrder("plain.txt", "\u00e9t\u00e9.txt", "e\u0301te\u0301.txt");
            assertThat(read(m.a.resolve("e\u0301te\u0301.txt"))).isEqualTo("decomposed");
        }
    }

    @Test
    void theWatchersPathsAreNamedAsTheVolumeNamesThem() {
        Path root = Path.of("/sync");
        assertThat(Daemon.relative(root, root.resolve(FOLDER_NFD).resolve(CAFE_NFD))).isEqualTo(FOLDER_NFC + "/" + CAFE_NFC);
        assertThat(Daemon.relative(root, root.resolve("plain/x.txt"))).isEqualTo("plain/x.txt");
    }
}
