package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.saharasync.clientd.fs.RelPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files, links and folders deleted while a scan looks at them (a build cleaning its output, a
 * program's temp files) are simply gone: the cycle syncs everything else and reports no
 * failure, and the deletion reaches the other machine.
 */
class VanishedDuringScanTest {
    @TempDir
    Path tmp;

    /** Deletes a path from the real folder the moment the scan reaches for it (once). */
    static final class Vanishing extends ChangedDuringSyncTest.Interposer {
        final Path root;
        final java.util.Set<String> doomed = new java.util.HashSet<>();

        Vanishing(net.saharasync.clientd.fs.SyncFs real, Path root) {
            super(real);
            this.root = root;
        }

        private void maybeDelete(RelPath p) throws IOException {
            if (!doomed.remove(p.path())) return;
            try (Stream<Path> s = Files.walk(root.resolve(p.path()))) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
            }
        }

        @Override
        public List<String> list(RelPath d) throws IOException {
            maybeDelete(d);
            return super.list(d);
        }

        @Override
        public InputStream read(RelPath f) throws IOException {
            maybeDelete(f);
            return super.read(f);
        }

        final java.util.Set<String> doomedOnUpload = new java.util.HashSet<>();

        @Override
        public byte[] read(RelPath f, long offset, int length) throws IOException {
            if (doomedOnUpload.remove(f.path())) Files.delete(root.resolve(f.path()));
            return super.read(f, offset, length);
        }

        @Override
        public String readLink(RelPath l) throws IOException {
            maybeDelete(l);
            return super.readLink(l);
        }

        @Override
        public byte[] readLinkBytes(RelPath l) throws IOException {
            maybeDelete(l);
            return super.readLinkBytes(l);
        }
    }

    @Test
    void whatVanishesWhileTheScanLooksAtItIsGoneAndTheRestSyncs() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("keep.txt"), "kept");
            Files.createDirectories(m.a.resolve("build/classes"));
            Files.writeString(m.a.resolve("build/classes/A.class"), "old class");
            Files.writeString(m.a.resolve("scratch.tmp"), "old scratch");
            Files.createSymbolicLink(m.a.resolve("latest"), Path.of("keep.txt"));
            m.settle();

            Vanishing fsA = m.reopen(true, fs -> new Vanishing(fs, m.a));
            // Changed, so the scan reads them (unchanged files are not opened at all).
            Files.writeString(m.a.resolve("build/classes/A.class"), "new class, about to be cleaned");
            Files.writeString(m.a.resolve("scratch.tmp"), "new scratch, about to be deleted");
            Files.delete(m.a.resolve("latest"));
            Files.createSymbolicLink(m.a.resolve("latest"), Path.of("scratch.tmp"));
            Files.writeString(m.a.resolve("new.txt"), "new");
            fsA.doomed.addAll(List.of("build", "scratch.tmp", "latest"));

            CycleReport r = m.ea.cycle();
            assertThat(fsA.doomed).as("each was deleted as the scan reached it").isEmpty();
            assertThat(r.agreed()).isTrue();
            m.settle();

            assertThat(Files.readString(m.b.resolve("new.txt"))).isEqualTo("new");
            assertThat(Files.readString(m.b.resolve("keep.txt"))).isEqualTo("kept");
            assertThat(m.b.resolve("build")).doesNotExist();
            assertThat(m.b.resolve("scratch.tmp")).doesNotExist();
            assertThat(Files.exists(m.b.resolve("latest"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
            m.assertSame();
        }
    }

    @Test
    void aFileDeletedBetweenTheScanAndItsUploadIsNoFailure() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("keep.txt"), "kept");
            m.settle();
            Vanishing fsA = m.reopen(true, fs -> new Vanishing(fs, m.a));
            byte[] big = new byte[3 << 20];
            new java.util.Random(3).nextBytes(big);
            Files.write(m.a.resolve("render.tmp"), big); // big enough to be read again for the upload
            Files.writeString(m.a.resolve("new.txt"), "new");
            fsA.doomedOnUpload.add("render.tmp");

            CycleReport r = m.ea.cycle();
            assertThat(fsA.doomedOnUpload).as("deleted when the upload read it").isEmpty();
            assertThat(r.agreed()).isTrue();
            m.settle();
            assertThat(Files.readString(m.b.resolve("new.txt"))).isEqualTo("new");
            assertThat(m.b.resolve("render.tmp")).doesNotExist();
            m.assertSame();
        }
    }
}
