package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `chmod +x` or `touch -m` on one machine changes only the mode and time on the others: the
 * same file (inode), nothing downloaded, no copy in the trash. Before, the whole file was
 * written again and its old copy kept in the trash (+48 MB per chmod of a 48 MB file).
 */
class MetadataOnlyTest {
    @TempDir
    Path tmp;

    private static long trashBytes(Path folder) throws Exception {
        Path trash = folder.resolve(".sahara/trash");
        if (!Files.exists(trash)) return 0;
        try (var s = Files.walk(trash)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void aChmodOrTouchElsewhereSetsModeAndTimeInPlace() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            byte[] data = new byte[8 << 20];
            new Random(7).nextBytes(data);
            Files.write(m.a.resolve("tool.bin"), data);
            m.settle();
            Path onB = m.b.resolve("tool.bin");
            Object inode = Files.readAttributes(onB, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            long trashBefore = trashBytes(m.b);

            Files.setPosixFilePermissions(m.a.resolve("tool.bin"), PosixFilePermissions.fromString("rwxr-xr-x"));
            FileTime when = FileTime.fromMillis(1_600_000_000_123L);
            Files.setLastModifiedTime(m.a.resolve("tool.bin"), when);
            m.ea.cycle();
            long received0 = m.eb.host().bytesReceived();
            CycleReport r = m.eb.cycle();
            assertThat(r.agreed()).isTrue();

            assertThat(Files.isExecutable(onB)).isTrue();
            assertThat(Files.getLastModifiedTime(onB, LinkOption.NOFOLLOW_LINKS)).isEqualTo(when);
            assertThat(Files.readAttributes(onB, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).as("the same file").isEqualTo(inode);
            assertThat(trashBytes(m.b)).as("no copy in the trash").isEqualTo(trashBefore);
            assertThat(m.eb.host().bytesReceived() - received0).as("no content downloaded").isLessThan(64 << 10);
            assertThat(Files.readAllBytes(onB)).isEqualTo(data);

            // The next cycle on B finds nothing to do (its index has the new stat).
            CycleReport next = m.eb.cycle();
            assertThat(next.filesUp() + next.filesDown()).isZero();
            // And back: -x on B reaches A the same way.
            Files.setPosixFilePermissions(onB, PosixFilePermissions.fromString("rw-r--r--"));
            m.eb.cycle();
            m.ea.cycle();
            assertThat(Files.isExecutable(m.a.resolve("tool.bin"))).isFalse();
            m.assertSame();
        }
    }
}
