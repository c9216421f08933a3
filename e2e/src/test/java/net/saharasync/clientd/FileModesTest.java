package net.saharasync.clientd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permissions are never widened: a file only its owner may read (a private key, a 0600
 * config) is created so on the other machines, and a file a sync replaces keeps the
 * permissions it had there.
 */
class FileModesTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void ownerOnlyFilesArriveOwnerOnlyAndReplacedFilesKeepTheirMode() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Files.writeString(m.a.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----");
            Files.setPosixFilePermissions(m.a.resolve("id_ed25519"), PosixFilePermissions.fromString("rw-------"));
            Files.writeString(m.a.resolve("deploy.sh"), "#!/bin/sh\necho deploy\n");
            Files.setPosixFilePermissions(m.a.resolve("deploy.sh"), PosixFilePermissions.fromString("rwx------"));
            Files.writeString(m.a.resolve("shared.txt"), "for the group");
            Files.setPosixFilePermissions(m.a.resolve("shared.txt"), PosixFilePermissions.fromString("rw-r--r--"));
            m.settle();
            assertThat(mode(m.b.resolve("id_ed25519"))).isEqualTo("rw-------");
            assertThat(mode(m.b.resolve("deploy.sh"))).isEqualTo("rwx------");
            assertThat(mode(m.b.resolve("shared.txt"))).startsWith("rw-").doesNotEndWith("w-"); // the umask's, never world-writable

            // B narrows shared.txt for its own group; A's edit replaces it there: the mode stays.
            Files.setPosixFilePermissions(m.b.resolve("shared.txt"), PosixFilePermissions.fromString("rw-r-----"));
            m.settle();
            Files.writeString(m.a.resolve("shared.txt"), "for the group, edited");
            m.settle();
            assertThat(Files.readString(m.b.resolve("shared.txt"))).isEqualTo("for the group, edited");
            assertThat(mode(m.b.resolve("shared.txt"))).isEqualTo("rw-r-----");

            // A makes a synced file private: B's copy becomes private in place (no rewrite).
            Object inode = Files.getAttribute(m.b.resolve("shared.txt"), "unix:ino");
            Files.setPosixFilePermissions(m.a.resolve("shared.txt"), PosixFilePermissions.fromString("rw-------"));
            m.settle();
            assertThat(mode(m.b.resolve("shared.txt"))).isEqualTo("rw-------");
            assertThat(Files.getAttribute(m.b.resolve("shared.txt"), "unix:ino")).isEqualTo(inode);
            // And back.
            Files.setPosixFilePermissions(m.a.resolve("shared.txt"), PosixFilePermissions.fromString("rw-r--r--"));
            m.settle();
            assertThat(mode(m.b.resolve("shared.txt"))).isEqualTo("rw-r--r--");
        }
    }
}
