package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import net.saharasync.clientd.fs.FileStat;
import net.saharasync.clientd.fs.RelPath;
import net.saharasync.clientd.fs.SyncFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user editing a file at the very moment the client would overwrite it: nothing is lost. */
class ChangedDuringSyncTest {
    @TempDir
    Path tmp;

    /** Passes everything through, but lets the test act just before a file is written. */
    static class Interposer implements SyncFs {
        final SyncFs real;
        Runnable beforeWrite = () -> {};

        Interposer(SyncFs real) {
            this.real = real;
        }

        public Optional<FileStat> stat(RelPath p) throws IOException { return real.stat(p); }
        public List<String> list(RelPath d) throws IOException { return real.list(d); }
        public InputStream read(RelPath f) throws IOException { return real.read(f); }
        public byte[] read(RelPath f, long o, int n) throws IOException { return real.read(f, o, n); }
        public String readLink(RelPath l) throws IOException { return real.readLink(l); }
        public FileStat writeSymlink(RelPath p, String t, Optional<FileStat> e) throws IOException { return real.writeSymlink(p, t, e); }
        public void rename(RelPath f, RelPath t, FileStat e) throws IOException { real.rename(f, t, e); }
        public void mkdirs(RelPath d) throws IOException { real.mkdirs(d); }
        public void trash(RelPath p, FileStat e) throws IOException { real.trash(p, e); }
        public boolean removeEmptyDirectory(RelPath d) throws IOException { return real.removeEmptyDirectory(d); }
        public void deleteTemp(RelPath p) throws IOException { real.deleteTemp(p); }
        @Override
        public boolean isOwnTemp(String name) { return real.isOwnTemp(name); }

        public FileStat writeFile(RelPath p, Content c, long m, boolean x, boolean o, Optional<FileStat> e) throws IOException {
            Runnable r = beforeWrite;
            beforeWrite = () -> {};
            r.run();
            return real.writeFile(p, c, m, x, o, e);
        }
    }

    @Test
    void aFileEditedWhileTheRemoteVersionIsBeingWrittenBecomesAConflictNotALoss() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("x.txt"), "v1");
            m.settle();
            Interposer fsB = m.reopen(false, Interposer::new);

            Files.writeString(m.a.resolve("x.txt"), "v2 from A");
            assertThat(m.ea.cycle().agreed()).isTrue();
            fsB.beforeWrite = () -> {
                try {
                    Files.writeString(m.b.resolve("x.txt"), "typed on B just now");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            CycleReport r = m.eb.cycle();
            assertThat(r.agreed()).isFalse();
            assertThat(r.skipped()).containsExactly("x.txt");
            assertThat(Files.readString(m.b.resolve("x.txt"))).isEqualTo("typed on B just now");

            m.settle();
            m.assertSame();
            TreeMap<String, String> files = TwoMachines.snapshot(m.a);
            assertThat(files.values()).contains("v2 from A", "typed on B just now");
            assertThat(files).hasSize(2);
        }
    }
}
