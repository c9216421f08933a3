package net.saharasync.clientd.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import net.saharasync.clientd.ClientException;
import net.saharasync.merkle.Names;

/**
 * The client's state folder, {@code DIR/.sahara}: made and checked without following links
 * before anything is kept in it (a symlink in its place, or in place of its {@code db} or
 * {@code trash}, is refused rather than written through), and the key of this folder's temp
 * names ({@link TempNames}) kept there, owner-only.
 */
public final class StateFolder {
    static final String TEMP_KEY = "tempkey";

    private StateFolder() {}

    /** Makes (or checks) the state folder and its {@code db} folder; returns this folder's temp names. */
    public static TempNames prepare(Path folder) {
        Path root = folder.toAbsolutePath().normalize();
        try {
            NoFollowDirs.open(root, List.of(Names.RESERVED_AT_ROOT, "db"), true).close();
            // Owner-only, whoever made it (a join, an older version): it holds the token, the
            // index and the trash, which has every file a sync replaced.
            ownerOnly(root.resolve(Names.RESERVED_AT_ROOT));
            ownerOnly(root.resolve(Names.RESERVED_AT_ROOT).resolve("trash"));
            try (NoFollowDirs.Dir state = NoFollowDirs.open(root, List.of(Names.RESERVED_AT_ROOT), false)) {
                return new TempNames(key(state));
            }
        } catch (IOException e) {
            throw new ClientException("cannot use the state folder " + root.resolve(Names.RESERVED_AT_ROOT) + ": " + e.getMessage(), e);
        }
    }

    /** The per-machine ignore file: gitignore rules of this machine only (it is never synced). */
    public static final String LOCAL_IGNORE = "ignore";

    /**
     * The text of {@code DIR/.sahara/ignore} (at most 1 MiB; "" when there is none), read
     * without following a link on the way.
     */
    public static String localIgnoreText(Path folder) throws IOException {
        Path root = folder.toAbsolutePath().normalize();
        try (NoFollowDirs.Dir state = NoFollowDirs.open(root, List.of(Names.RESERVED_AT_ROOT), false);
                FileChannel ch = FileChannel.open(state.entry(LOCAL_IGNORE), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 20));
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // up to the limit
            }
            return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException absent) {
            return "";
        }
    }

    private static void ownerOnly(Path dir) throws IOException {
        var view = java.nio.file.Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) return; // not POSIX
        try {
            var attrs = view.readAttributes();
            if (!attrs.isDirectory()) return; // absent (no trash yet) or refused elsewhere
            if (!attrs.permissions().equals(PosixFilePermissions.fromString("rwx------"))) {
                view.setPermissions(PosixFilePermissions.fromString("rwx------"));
            }
        } catch (java.nio.file.NoSuchFileException absent) {
            // nothing to restrict yet
        }
    }

    private static byte[] key(NoFollowDirs.Dir state) throws IOException {
        Path f = state.entry(TEMP_KEY);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.allocate(64);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // the whole (short) file
            }
            if (b.position() >= 32) return java.util.Arrays.copyOf(b.array(), b.position());
            // shorter: a write cut off before it was durable; made anew below
        } catch (java.nio.file.NoSuchFileException absent) {
            // first use
        }
        byte[] key = TempNames.newKey();
        Path tmp = state.entry(TEMP_KEY + ".new");
        java.nio.file.Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(key));
            ch.force(true);
        }
        java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        state.fsync();
        return key;
    }
}
