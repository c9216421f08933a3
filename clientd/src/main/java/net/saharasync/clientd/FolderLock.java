package net.saharasync.clientd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import net.saharasync.merkle.Names;

/**
 * One process syncs a folder at a time: {@code DIR/.sahara/pid.lock}, locked (an OS lock, so a
 * killed process holds it no more) and holding that process's pid. A second `sync` or `up`
 * on the folder stops at once, naming the first, and never touches its status.
 */
public final class FolderLock implements AutoCloseable {
    private static final String NAME = "pid.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    private static FileChannel open(Path folder) throws IOException {
        Path state = folder.resolve(Names.RESERVED_AT_ROOT);
        if (!java.nio.file.Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)) {
            throw new ClientException(folder + " is not a synced folder (no " + state + "): run `sahara join URL " + folder + " --token T` first");
        }
        return FileChannel.open(state.resolve(NAME), Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    }

    /** Another process syncs the folder. */
    public static final class Busy extends ClientException {
        Busy(String message) {
            super(message);
        }
    }

    /** Takes the folder for this process, or fails naming the process that has it. */
    public static FolderLock acquire(Path folder) throws IOException {
        FileChannel ch = open(folder);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
            l = null;
        }
        if (l == null) {
            String pid = readPid(ch).map(p -> " (pid " + p + ")").orElse("");
            ch.close();
            throw new Busy(folder + " is already synced by another sahara process" + pid
                    + "; stop that one first (`sahara status " + folder + "` shows its state)");
        }
        byte[] me = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(me), 0);
        ch.force(false);
        return new FolderLock(ch, l);
    }

    /** The pid of the process syncing {@code folder} now, if one is. */
    public static Optional<Long> holder(Path folder) {
        try (FileChannel ch = open(folder)) {
            FileLock l;
            try {
                l = ch.tryLock(0, Long.MAX_VALUE, true);
            } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
                return Optional.of(ProcessHandle.current().pid());
            }
            if (l != null) {
                l.release();
                return Optional.empty();
            }
            return readPid(ch).or(() -> Optional.of(-1L));
        } catch (IOException | ClientException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> readPid(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        try {
            return Optional.of(Long.parseLong(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException none) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
