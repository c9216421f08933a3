package net.saharasync.clientd.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.saharasync.clientd.ClientException;

/** {@link SyncFs} on the real file system, rooted at the synced folder. */
public final class LocalFs implements SyncFs {
    private static final DateTimeFormatter TRASH_STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss.SSS");
    private static final AtomicLong TRASH_SEQ = new AtomicLong();

    private final Path root;
    /** The trash folder as names under the root (reached without following links), or the root itself if it lies elsewhere. */
    private final Path trashBase;
    private final List<String> trashNames;
    private final TempNames temps;
    private final Optional<FileSystemBarrier> barrier;
    /**
     * Names on disk that are not their name in the volume: decomposed Unicode (NFD, as a Mac
     * writes it) whose NFC form is the volume's name. By folder (volume path), then volume
     * name. Filled each time a folder is listed; empty for almost every folder.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.Map<String, String>> diskNames =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** With a temp-name key of its own (tests). */
    public LocalFs(Path root, Path trash) {
        this(root, trash, new TempNames(TempNames.newKey()));
    }

    public LocalFs(Path root, Path trash, TempNames temps) {
        checkNameEncoding();
        this.root = root.toAbsolutePath().normalize();
        Path t = trash.toAbsolutePath().normalize();
        if (t.startsWith(this.root) && !t.equals(this.root)) {
            this.trashBase = this.root;
            this.trashNames = new RelPath(this.root.relativize(t).toString().replace(java.io.File.separatorChar, '/')).names();
        } else {
            this.trashBase = t;
            this.trashNames = List.of();
        }
        this.temps = temps;
        this.barrier = FileSystemBarrier.forFolder(this.root);
    }

    @Override
    public boolean isOwnTemp(String name) {
        return temps.isOurs(name);
    }

    public Path root() {
        return root;
    }

    @Override
    public Optional<Space> freeSpace() throws IOException {
        java.nio.file.FileStore store = Files.getFileStore(root);
        return Optional.of(new Space(store.getUsableSpace(), root.toString()));
    }

    /**
     * File names are bytes on Linux; the JVM decodes them with the locale's charset, fixed at
     * its start. Under any but UTF-8 (a bare C or POSIX locale: ASCII) a non-ASCII name reads
     * as question marks and cannot be opened again: syncing then would mangle names.
     */
    static void checkNameEncoding() {
        String enc = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (!java.nio.charset.StandardCharsets.UTF_8.aliases().contains(enc) && !enc.equalsIgnoreCase("UTF-8")) {
            throw new ClientException("this JVM reads file names as " + enc + ", not UTF-8, so names with accents or other "
                    + "non-ASCII letters would be mangled; start it under a UTF-8 locale, e.g. LC_ALL=C.UTF-8 (the sahara launcher does)");
        }
    }

    /** {@code p}'s names as they are on disk (the same, unless a folder on the way holds a decomposed name). */
    private List<String> onDisk(RelPath p) {
        List<String> names = p.names();
        if (diskNames.isEmpty()) return names;
        List<String> out = new ArrayList<>(names.size());
        String folder = "";
        for (String n : names) {
            java.util.Map<String, String> m = diskNames.get(folder);
            out.add(m == null ? n : m.getOrDefault(n, n));
            folder = folder.isEmpty() ? n : folder + "/" + n;
        }
        return out;
    }

    private String onDiskPath(RelPath p) {
        return diskNames.isEmpty() ? p.path() : String.join("/", onDisk(p));
    }

    /**
     * The names of a folder as the volume has them, from the names on disk (sorted): a name
     * in decomposed Unicode (NFD) is its NFC form, remembered for the way back. If another
     * name of the folder already is that NFC form (or an earlier decomposed name became it),
     * the name is left as it is: the scanner reports it as not NFC, and the other one syncs.
     */
    private List<String> volumeNames(RelPath dir, List<String> raw) {
        java.util.Map<String, String> aliases = null;
        java.util.Set<String> exact = null;
        List<String> out = new ArrayList<>(raw.size());
        for (String n : raw) {
            if (ascii(n) || java.text.Normalizer.isNormalized(n, java.text.Normalizer.Form.NFC)) {
                out.add(n);
                continue;
            }
            String nfc = java.text.Normalizer.normalize(n, java.text.Normalizer.Form.NFC);
            if (exact == null) exact = new java.util.HashSet<>(raw);
            if (exact.contains(nfc) || (aliases != null && aliases.containsKey(nfc))) {
                out.add(n);
                continue;
            }
            if (aliases == null) aliases = new java.util.HashMap<>();
            aliases.put(nfc, n);
            out.add(nfc);
        }
        if (aliases == null) {
            if (!diskNames.isEmpty()) diskNames.remove(dir.path());
        } else {
            diskNames.put(dir.path(), java.util.Map.copyOf(aliases));
            out.sort(null);
        }
        return out;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    /** A file or folder moved from {@code from} to {@code to} (its name there is the volume's): what is known of its disk names moves too. */
    private void moved(RelPath from, RelPath to) {
        if (diskNames.isEmpty()) return;
        String f = from.path();
        for (String k : List.copyOf(diskNames.keySet())) {
            if (k.equals(f) || k.startsWith(f + "/")) {
                java.util.Map<String, String> m = diskNames.remove(k);
                if (m != null) diskNames.put(to.path() + k.substring(f.length()), m);
            }
        }
        diskNames.computeIfPresent(from.parent().path(), (k, m) -> {
            if (!m.containsKey(from.name())) return m;
            java.util.Map<String, String> c = new java.util.HashMap<>(m);
            c.remove(from.name());
            return c.isEmpty() ? null : java.util.Map.copyOf(c);
        });
    }

    /**
     * The real path of {@code p}, after checking that no parent on the way is a symlink or
     * anything but a directory, so no write can be steered outside the folder.
     */
    private Path resolve(RelPath p) throws IOException {
        Path at = root;
        List<String> names = onDisk(p);
        if (net.saharasync.merkle.Names.reserved(p.path())) {
            throw new ClientException("refusing " + p + ": the client's own state folder is never synced");
        }
        for (int i = 0; i < names.size(); i++) {
            at = at.resolve(names.get(i));
            if (i < names.size() - 1 && !directoryOrAbsent(at)) {
                throw new ClientException("refusing " + p + ": " + root.relativize(at) + " is not a directory (a symlink is never followed)");
            }
        }
        return at;
    }

    /** One lstat: whether {@code at} is a real directory or nothing at all. */
    private static boolean directoryOrAbsent(Path at) throws IOException {
        try {
            return Files.readAttributes(at, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory();
        } catch (NoSuchFileException absent) {
            return true;
        }
    }

    @Override
    public Optional<FileStat> stat(RelPath p) throws IOException {
        // No parent check here: an lstat only informs, and every read, write, rename or trash
        // that may follow resolves the path with the check. Checking here too cost a scan of
        // 20,000 unchanged files more than the lstats themselves (a lookup per parent per file).
        return statAt(root.resolve(onDiskPath(p)));
    }

    @Override
    public int links(RelPath file) throws IOException {
        try {
            return (Integer) Files.getAttribute(root.resolve(onDiskPath(file)), "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1;
        }
    }

    private static FileStat statOf(Path f) throws IOException {
        return statAt(f).orElseThrow(() -> new NoSuchFileException(f.toString()));
    }

    private static Optional<FileStat> statAt(Path f) throws IOException {
        try {
            return Optional.of(statOf(Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static FileStat statOf(PosixFileAttributes a) {
        FileStat.Kind kind = a.isRegularFile() ? FileStat.Kind.FILE : a.isDirectory() ? FileStat.Kind.DIRECTORY
                : a.isSymbolicLink() ? FileStat.Kind.SYMLINK : FileStat.Kind.OTHER;
        long size = kind == FileStat.Kind.DIRECTORY ? 0 : a.size();
        long mtime = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Set<PosixFilePermission> perms = a.permissions();
        boolean exec = kind == FileStat.Kind.FILE && perms.contains(PosixFilePermission.OWNER_EXECUTE);
        boolean ownerOnly = kind == FileStat.Kind.FILE && java.util.Collections.disjoint(perms, GROUP_OR_OTHERS);
        return new FileStat(kind, size, mtime, String.valueOf(a.fileKey()), exec, ownerOnly);
    }

    /**
     * A folder opened once (a {@link java.nio.file.SecureDirectoryStream} where the platform has
     * one, as Linux does): entries are stat'ed with fstatat and opened with openat and
     * O_NOFOLLOW relative to it. It must be the directory the path names, not where a symlink
     * put there meanwhile points: the handle's own identity is checked against an lstat.
     */
    @Override
    public Folder folder(RelPath dir) throws IOException {
        Path path = resolve(dir);
        DirectoryStream<Path> stream = Files.newDirectoryStream(path);
        if (!(stream instanceof java.nio.file.SecureDirectoryStream<Path> sds)) {
            stream.close();
            return SyncFs.super.folder(dir);
        }
        try {
            Object opened = sds.getFileAttributeView(java.nio.file.attribute.BasicFileAttributeView.class).readAttributes().fileKey();
            java.nio.file.attribute.BasicFileAttributes there =
                    Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!there.isDirectory() || opened == null || !opened.equals(there.fileKey())) {
                throw new ClientException("refusing " + dir + ": not a directory (a symlink is never followed)");
            }
            List<String> raw = new ArrayList<>();
            for (Path c : sds) raw.add(c.getFileName().toString());
            raw.sort(null);
            List<String> names = volumeNames(dir, raw);
            return new OpenFolder(sds, names, diskNames.getOrDefault(dir.path(), java.util.Map.of()));
        } catch (IOException | RuntimeException e) {
            sds.close();
            throw e;
        }
    }

    /** {@code onDisk}: the folder's names on disk that differ from the volume's (by volume name). */
    private record OpenFolder(java.nio.file.SecureDirectoryStream<Path> sds, List<String> names, java.util.Map<String, String> onDisk)
            implements Folder {
        private Path at(String name) {
            return Path.of(onDisk.isEmpty() ? name : onDisk.getOrDefault(name, name));
        }

        private static final Set<java.nio.file.OpenOption> READ_NOFOLLOW = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

        @Override
        public Optional<FileStat> stat(String name) throws IOException {
            try {
                return Optional.of(statOf(sds.getFileAttributeView(at(name), java.nio.file.attribute.PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes()));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        @Override
        public InputStream read(String name) throws IOException {
            return java.nio.channels.Channels.newInputStream(sds.newByteChannel(at(name), READ_NOFOLLOW));
        }

        /** One open, reads straight into the array, one close: no size or position calls. */
        @Override
        public byte[] readStart(String name, int max) throws IOException {
            try (java.nio.channels.SeekableByteChannel ch = sds.newByteChannel(at(name), READ_NOFOLLOW)) {
                byte[] buf = new byte[max];
                ByteBuffer b = ByteBuffer.wrap(buf);
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // until full or at the end
                }
                return b.position() == max ? buf : java.util.Arrays.copyOf(buf, b.position());
            }
        }

        @Override
        public void close() throws IOException {
            sds.close();
        }
    }

    @Override
    public List<String> list(RelPath dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(resolve(dir))) {
            for (Path c : s) out.add(c.getFileName().toString());
        }
        out.sort(null);
        return volumeNames(dir, out);
    }

    @Override
    public InputStream read(RelPath file) throws IOException {
        return Files.newInputStream(resolve(file), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public byte[] read(RelPath file, long offset, int length) throws IOException {
        try (PieceReader r = pieces(file)) {
            return r.read(offset, length);
        }
    }

    @Override
    public PieceReader pieces(RelPath file) throws IOException {
        FileChannel ch = FileChannel.open(resolve(file), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        return new PieceReader() {
            @Override
            public byte[] read(long offset, int length) throws IOException {
                byte[] b = new byte[length];
                int n = read(offset, b, 0, length);
                return n == length ? b : java.util.Arrays.copyOf(b, n);
            }

            @Override
            public int read(long offset, byte[] dst, int off, int length) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(dst, off, length);
                while (b.hasRemaining()) {
                    if (ch.read(b, offset + b.position() - off) < 0) break;
                }
                return b.position() - off;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public String readLink(RelPath link) throws IOException {
        return Files.readSymbolicLink(resolve(link)).toString();
    }

    @Override
    public byte[] readLinkBytes(RelPath link) throws IOException {
        Path at = resolve(link);
        Optional<Libc.Calls> libc = Libc.calls();
        if (libc.isPresent()) {
            byte[] buf = new byte[net.saharasync.merkle.Names.MAX_SYMLINK_TARGET_BYTES + 2];
            long n = libc.get().readlink(at.toString(), buf, buf.length);
            if (n >= 0) return java.util.Arrays.copyOf(buf, (int) n);
        }
        return Files.readSymbolicLink(at).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public FileStat writeFile(RelPath p, Content content, long mtimeNanos, boolean executable, boolean ownerOnly, Optional<FileStat> expected)
            throws IOException {
        Staged st = stage(p, content, mtimeNanos, executable, ownerOnly, expected.isPresent(), true);
        try {
            replace(p, st.target(), st.tmp(), expected, true);
            return st.stat();
        } finally {
            Files.deleteIfExists(st.tmp());
        }
    }

    /** At least this many files in a batch before one file-system-wide barrier replaces their fsyncs. */
    static final int BARRIER_MIN_FILES = 32;
    /** Temp files written at once in a batch (their content may be coming from the host). */
    private static final int STAGERS = 4;

    /**
     * Writes a batch in three steps: every temp file written (several at a time), then all made
     * durable at once, then each renamed over its path if the path still holds what the caller
     * saw, then the renames made durable at once. With {@code syncfs(2)} the two "at once" steps
     * are one file-system barrier each instead of an fsync per file and per folder; without it
     * (or for a small batch) each temp file is fsynced as it is written and each folder once.
     * Either way a file is renamed into place only after its bytes are durable, so a crash
     * leaves every path with its old or its new content (and temp files the next cycle deletes).
     */
    @Override
    public List<WriteResult> writeFiles(List<FileWrite> writes) throws IOException {
        Optional<FileSystemBarrier> fence = writes.size() >= BARRIER_MIN_FILES ? barrier.filter(FileSystemBarrier::available) : Optional.empty();
        Staged[] staged = new Staged[writes.size()];
        String[] refused = new String[writes.size()];
        boolean[] renamed = new boolean[writes.size()];
        try {
            stageAll(writes, staged, refused, fence.isEmpty());
            if (fence.isPresent()) fence.get().sync();
            List<WriteResult> out = new ArrayList<>(writes.size());
            Set<Path> folders = new java.util.LinkedHashSet<>();
            for (int i = 0; i < staged.length; i++) {
                FileWrite w = writes.get(i);
                if (refused[i] != null) {
                    out.add(new Refused(refused[i]));
                    continue;
                }
                try {
                    replace(w.path(), staged[i].target(), staged[i].tmp(), w.expected(), false);
                } catch (ChangedMeanwhile changed) {
                    out.add(new Changed());
                    continue;
                } catch (IOException e) {
                    // An immutable file in the way, say: this one is skipped, the others go on.
                    Optional<String> why = SyncFs.refusal(e);
                    if (why.isEmpty()) throw e;
                    out.add(new Refused(why.get()));
                    continue;
                }
                renamed[i] = true;
                folders.add(staged[i].target().getParent());
                out.add(new Written(staged[i].stat()));
            }
            if (fence.isPresent()) fence.get().sync();
            else for (Path dir : folders) fsyncDirectory(dir);
            return out;
        } finally {
            for (int i = 0; i < staged.length; i++) {
                if (staged[i] != null && !renamed[i]) Files.deleteIfExists(staged[i].tmp());
            }
        }
    }

    /** Stages every write; one the file system refuses (its temp file cannot be made there) is noted in {@code refused}. */
    private void stageAll(List<FileWrite> writes, Staged[] staged, String[] refused, boolean fsync) throws IOException {
        if (writes.size() == 1) {
            stageOne(writes, 0, staged, refused, fsync);
            return;
        }
        List<java.util.concurrent.Callable<Void>> jobs = new ArrayList<>();
        for (int at : SyncFs.writeOrder(writes.stream().map(FileWrite::path).toList())) {
            jobs.add(() -> {
                stageOne(writes, at, staged, refused, fsync);
                return null;
            });
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(Math.min(STAGERS, writes.size()))) {
            for (var f : pool.invokeAll(jobs)) net.saharasync.clientd.Await.result(f, "writing files");
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing files");
        }
    }

    private void stageOne(List<FileWrite> writes, int at, Staged[] staged, String[] refused, boolean fsync) throws IOException {
        FileWrite w = writes.get(at);
        try {
            staged[at] = stage(w.path(), w.content(), w.mtimeNanos(), w.executable(), w.ownerOnly(), w.expected().isPresent(), fsync);
        } catch (IOException e) {
            Optional<String> why = SyncFs.refusal(e);
            if (why.isEmpty()) throw e;
            refused[at] = why.get();
        }
    }

    /** Write buffers of ChannelSinks, one per thread, reused: 20,000 small files allocated and zeroed 1.3 GB of them. */
    private static final ThreadLocal<byte[]> SINK_BUFFER = new ThreadLocal<>();
    private static final int SINK_BUFFER_BYTES = 1 << 16;

    /** A {@link FileSink} into a temp file's channel: buffered writes, range copies in the kernel. */
    /** Zero runs at least this long (a file system block) are left as holes. */
    private static final int HOLE_MIN = 4096;
    private static final byte[] ZEROS = new byte[64 << 10];

    private static boolean zeros(byte[] b, int off, int len) {
        for (int i = 0; i < len; i += ZEROS.length) {
            int n = Math.min(ZEROS.length, len - i);
            if (java.util.Arrays.mismatch(b, off + i, off + i + n, ZEROS, 0, n) != -1) return false;
        }
        return true;
    }

    private final class ChannelSink extends FileSink {
        private final FileChannel ch;
        private final Path file;
        private byte[] buf;
        private int used;
        /** Write-back has been started for everything before this offset. */
        private long behind;
        /** A second descriptor of the file for {@code sync_file_range}: -2 not opened yet, -1 none. */
        private int writeBackFd = -2;

        ChannelSink(FileChannel ch, Path file) {
            this.ch = ch;
            this.file = file;
            byte[] mine = SINK_BUFFER.get();
            SINK_BUFFER.remove(); // a sink opened inside this one gets its own
            this.buf = mine != null ? mine : new byte[SINK_BUFFER_BYTES];
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buf.length) flushBuffer();
            buf[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len >= HOLE_MIN && zeros(b, off, len)) {
                // A run of zeros (a sparse file's hole, an empty disk image) is not written: the
                // file gets a hole there, as it has on the machine it came from.
                flushBuffer();
                ch.position(ch.position() + len);
                return;
            }
            if (len >= buf.length) {
                flushBuffer();
                writeFully(ByteBuffer.wrap(b, off, len));
                return;
            }
            if (len > buf.length - used) flushBuffer();
            System.arraycopy(b, off, buf, used, len);
            used += len;
        }

        private void flushBuffer() throws IOException {
            if (used == 0) return;
            writeFully(ByteBuffer.wrap(buf, 0, used));
            used = 0;
        }

        private void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) ch.write(b);
            writeBehind();
        }

        /**
         * Every {@link #WRITE_BEHIND} bytes, starts the write-back of what was written (Linux's
         * {@code sync_file_range(SYNC_FILE_RANGE_WRITE)}: no waiting), so the disk works while
         * the rest arrives and the final fsync finds little left (it was 0.86 s of B's 1 GiB
         * download). Only a hint: durability still comes from that fsync; any failure just
         * stops the hints.
         */
        private void writeBehind() throws IOException {
            long at = ch.position();
            if (at - behind < WRITE_BEHIND || writeBackFd == -1) return;
            Optional<Libc.Calls> c = Libc.calls();
            if (c.isEmpty()) {
                writeBackFd = -1;
                return;
            }
            if (writeBackFd == -2) writeBackFd = Math.max(-1, c.get().open(file.toString(), Libc.O_WRONLY));
            if (writeBackFd >= 0 && c.get().sync_file_range(writeBackFd, behind, at - behind, Libc.SYNC_FILE_RANGE_WRITE) == 0) {
                behind = at;
            } else {
                closeWriteBack();
                writeBackFd = -1;
            }
        }

        private void closeWriteBack() {
            if (writeBackFd >= 0) Libc.calls().ifPresent(c -> c.close(writeBackFd));
        }

        @Override
        public void flush() throws IOException {
            flushBuffer();
            // A file ending in a hole: its last byte makes its length.
            if (ch.size() < ch.position()) ch.write(ByteBuffer.wrap(new byte[1]), ch.position() - 1);
        }

        @Override
        public boolean copyRange(RelPath source, FileStat expected, long offset, long length) throws IOException {
            Optional<FileStat> before = stat(source);
            if (before.isEmpty() || !before.get().sameAs(expected) || before.get().size() < offset + length) return false;
            flushBuffer();
            try (FileChannel src = FileChannel.open(resolve(source), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long done = 0;
                while (done < length) {
                    // In steps of at most WRITE_BEHIND (a multiple of COPY_ALIGN: alignment holds), with write-back started between them.
                    long n = src.transferTo(offset + done, Math.min(WRITE_BEHIND, copyStep(offset + done, ch.position(), length - done)), ch);
                    if (n <= 0) throw changedWhileCopied(source); // shorter than its stat said
                    done += n;
                    writeBehind();
                }
            }
            Optional<FileStat> after = stat(source);
            if (after.isEmpty() || !after.get().sameAs(expected)) throw changedWhileCopied(source);
            return true;
        }

        /**
         * Not a {@link ChangedMeanwhile}: that one means "skip this path", but here the file
         * being written is not the one that changed. The whole write fails, nothing is
         * recorded, and the next cycle starts over from a fresh scan.
         */
        private IOException changedWhileCopied(RelPath source) {
            return new IOException(source + " changed while its unchanged parts were being copied; the next cycle tries again");
        }

        @Override
        public void close() throws IOException {
            if (buf == null) return;
            try {
                flushBuffer();
            } finally {
                SINK_BUFFER.set(buf);
                buf = null;
                closeWriteBack();
                writeBackFd = -1;
            }
        }
    }

    /** Bytes written between two write-back hints. */
    static final long WRITE_BEHIND = 16 << 20;

    /** The block size range copies are aligned to, so file systems that share extents can. */
    static final long COPY_ALIGN = 4096;

    /**
     * How much of a range copy to ask for in one call. A reflink (btrfs, XFS) needs source and
     * destination offsets on block boundaries: when both sit at the same distance from one (an
     * overwrite or an append keeps offsets), the first call only goes up to the boundary, so the
     * rest starts aligned and is shared instead of copied.
     */
    static long copyStep(long sourceOffset, long destOffset, long remaining) {
        long step = remaining;
        long phase = Math.floorMod(sourceOffset, COPY_ALIGN);
        if (phase != 0 && phase == Math.floorMod(destOffset, COPY_ALIGN)) step = Math.min(step, COPY_ALIGN - phase);
        return step;
    }

    /** A temp file written beside its target, with its final mode and mtime, not yet renamed. */
    private record Staged(Path target, Path tmp, FileStat stat) {}

    /** Group and others' permissions: a file with none of them is owner-only. */
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final java.nio.file.attribute.FileAttribute<Set<PosixFilePermission>> OWNER_RW =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));

    /**
     * Writes {@code p}'s new content to a temp file beside it. Permissions are never widened:
     * an owner-only file is created 0600 (no moment readable by others); a file that replaces
     * one (when {@code replacing}) takes the permissions the old one has (an editor's save does
     * the same), with the exec and owner-only bits the entry says; a new file gets the umask's.
     */
    private Staged stage(RelPath p, Content content, long mtimeNanos, boolean executable, boolean ownerOnly, boolean replacing, boolean fsync)
            throws IOException {
        Path target = resolve(p);
        Path tmp = tempBeside(target);
        Optional<Set<PosixFilePermission>> old = Optional.empty();
        if (replacing) {
            try {
                old = Optional.of(Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions());
            } catch (NoSuchFileException | UnsupportedOperationException gone) {
                // the replace finds out below
            }
        }
        boolean done = false;
        try {
            try (FileChannel ch = ownerOnly
                    ? FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_RW)
                    : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    ChannelSink out = new ChannelSink(ch, tmp)) {
                content.writeTo(out);
                out.flush();
                if (old.isPresent()) {
                    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
                    perms.addAll(old.get());
                    if (ownerOnly) perms.removeAll(GROUP_OR_OTHERS);
                    perms.add(PosixFilePermission.OWNER_READ);
                    perms.add(PosixFilePermission.OWNER_WRITE);
                    Files.setPosixFilePermissions(tmp, perms);
                    setExecutable(tmp, executable);
                } else if (executable) {
                    // A file just created (mode 0666 & ~umask, or 0600) has no execute bits: only adding them costs a stat and a chmod.
                    setExecutable(tmp, true);
                }
                // In a batch behind a barrier libc is bound anyway; a lone write does not bind it for one call.
                setModified(tmp, mtimeNanos, fsync ? Optional.empty() : Libc.calls());
                if (fsync) ch.force(true);
            }
            // The stat of the temp file is the stat of the file once renamed (same inode), even
            // if the user deletes or changes it the moment it appears.
            Staged st = new Staged(target, tmp, statOf(tmp));
            done = true;
            return st;
        } catch (IOException | RuntimeException e) {
            // A big download cut off (the host went away, a stop): what it wrote stays for the
            // next cycle, which takes the chunks it holds from it (SyncEngine.salvage) instead of
            // fetching them again. Not on a full disk: there its space is what is missing.
            if (!String.valueOf(e.getMessage()).contains("No space left") && keepsPartial(tmp)) done = true;
            throw e;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /** A partial temp file at least this big is kept for the next cycle to take its chunks from. */
    public static final long SALVAGE_MIN = 4 << 20;

    private static boolean keepsPartial(Path tmp) {
        try {
            return Files.size(tmp) >= SALVAGE_MIN;
        } catch (IOException gone) {
            return false;
        }
    }

    @Override
    public FileStat writeSymlink(RelPath p, String target, Optional<FileStat> expected) throws IOException {
        Path at = resolve(p);
        Path tmp = tempBeside(at);
        try {
            Files.createSymbolicLink(tmp, Path.of(target));
            FileStat written = statOf(tmp);
            replace(p, at, tmp, expected, true);
            return written;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Checks {@code expected}, keeps what is there in the trash, renames {@code tmp} over it, fsyncs the directory. */
    private void replace(RelPath p, Path target, Path tmp, Optional<FileStat> expected, boolean syncDirectory) throws IOException {
        Optional<FileStat> now = stat(p);
        if (expected.isEmpty() ? now.isPresent() : now.isEmpty() || !now.get().sameAs(expected.get())) {
            throw new ChangedMeanwhile(p);
        }
        if (now.isPresent()) {
            if (now.get().kind() == FileStat.Kind.DIRECTORY) throw new ChangedMeanwhile(p);
            keepInTrash(p, target, false);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (syncDirectory) fsyncDirectory(target.getParent());
    }

    @Override
    public Optional<FileStat> setMetadata(RelPath p, boolean executable, boolean ownerOnly, long mtimeNanos, FileStat expected) throws IOException {
        Path f = resolve(p);
        Optional<FileStat> now = stat(p);
        if (now.isEmpty() || now.get().kind() != FileStat.Kind.FILE || !now.get().sameAs(expected)) throw new ChangedMeanwhile(p);
        // Never through a link (a file swapped for one since the stat): the mode is set on a
        // descriptor opened with O_NOFOLLOW, the time with utimensat(AT_SYMLINK_NOFOLLOW).
        if (Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS) == null) {
            return Optional.empty();
        }
        setOwnerOnly(f, ownerOnly);
        setExecutable(f, executable);
        setModified(f, mtimeNanos, Libc.calls());
        // Durable before the index records it: a crash must not leave the old mode and time
        // behind an index that says the new ones (the next scan would take them for a change).
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ch.force(true);
        }
        return stat(p);
    }

    @Override
    public void rename(RelPath from, RelPath to, FileStat expected) throws IOException {
        Path src = resolve(from);
        Path dst = resolve(to);
        Optional<FileStat> now = stat(from);
        if (now.isEmpty() || !sameKindAndFile(now.get(), expected)) throw new ChangedMeanwhile(from);
        if (stat(to).isPresent()) throw new ChangedMeanwhile(to);
        if (now.get().kind() == FileStat.Kind.DIRECTORY) {
            Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
        } else {
            // link + unlink: link(2) fails if the destination exists, so nothing is ever clobbered.
            Files.createLink(dst, src);
            Files.delete(src);
        }
        moved(from, to);
        fsyncDirectory(dst.getParent());
        if (!src.getParent().equals(dst.getParent())) fsyncDirectory(src.getParent());
    }

    private static boolean sameKindAndFile(FileStat now, FileStat expected) {
        return now.kind() == FileStat.Kind.DIRECTORY ? expected.kind() == FileStat.Kind.DIRECTORY : now.sameAs(expected);
    }

    @Override
    public void mkdirs(RelPath dir) throws IOException {
        Path at = resolve(dir);
        if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) return;
        if (!dir.isRoot()) mkdirs(dir.parent());
        try {
            Files.createDirectory(at);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) throw new ChangedMeanwhile(dir);
        }
        fsyncDirectory(at.getParent());
    }

    @Override
    public void trash(RelPath p, FileStat expected) throws IOException {
        Path at = resolve(p);
        Optional<FileStat> now = stat(p);
        if (now.isEmpty()) return;
        if (!now.get().sameAs(expected)) throw new ChangedMeanwhile(p);
        keepInTrash(p, at, true);
        fsyncDirectory(at.getParent());
    }

    @Override
    public void deleteTemp(RelPath p) throws IOException {
        if (!temps.isOurs(p.name())) throw new IllegalArgumentException(p + " is not a temp file of this client");
        Path at = resolve(p);
        if (Files.isRegularFile(at, LinkOption.NOFOLLOW_LINKS)) Files.deleteIfExists(at);
    }

    @Override
    public boolean removeEmptyDirectory(RelPath dir) throws IOException {
        Path at = resolve(dir);
        try {
            Files.delete(at);
            fsyncDirectory(at.getParent());
            return true;
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            return false;
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    /**
     * Moves (or, to keep the original in place, hard-links) a file into a fresh trash folder,
     * same relative path. Both ends are reached name by name without following a link
     * ({@link NoFollowDirs}): neither a symlink planted among the trash's folders nor one
     * swapped in above the file can send it outside the synced folder.
     */
    private void keepInTrash(RelPath p, Path at, boolean move) throws IOException {
        List<String> into = new ArrayList<>(trashNames);
        into.add(LocalDateTime.now().format(TRASH_STAMP) + "-" + TRASH_SEQ.incrementAndGet());
        into.addAll(p.parent().names());
        List<String> source = onDisk(p);
        String name = source.get(source.size() - 1);
        try (NoFollowDirs.Dir from = NoFollowDirs.open(root, source.subList(0, source.size() - 1), false);
                NoFollowDirs.Dir to = NoFollowDirs.open(trashBase, into, true)) {
            if (move) NoFollowDirs.rename(from, name, to, p.name());
            else NoFollowDirs.linkOrCopy(from, name, to, p.name());
        }
    }

    /**
     * Deletes trash folders older than {@code keep} (by the time in their name); returns how many.
     * The only place the client deletes anything for good.
     */
    public int expireTrash(java.time.Duration keep) throws IOException {
        LocalDateTime cutoff = LocalDateTime.now().minus(keep);
        int n = 0;
        NoFollowDirs.Dir dir;
        try {
            dir = NoFollowDirs.open(trashBase, trashNames, false);
        } catch (NoSuchFileException none) {
            return 0;
        }
        // Listed and deleted through the trash folder's own handle: never through a link put in its place.
        try (dir; DirectoryStream<Path> s = Files.newDirectoryStream(dir.entry("."))) {
            for (Path d : s) {
                String name = d.getFileName().toString();
                LocalDateTime when;
                try {
                    when = LocalDateTime.parse(name.substring(0, Math.min(name.length(), 21)), TRASH_STAMP);
                } catch (java.time.format.DateTimeParseException notOurs) {
                    continue;
                }
                if (when.isBefore(cutoff)) {
                    try (var walk = Files.walk(dir.entry(name))) {
                        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                    }
                    n++;
                }
            }
        }
        return n;
    }

    private Path tempBeside(Path target) {
        return target.resolveSibling(temps.fresh());
    }

    /**
     * Sets {@code f}'s modification time (access time: now), never through a link: one
     * {@code utimensat(AT_SYMLINK_NOFOLLOW)} where libc is at hand, else the JDK (which opens
     * the file, sets the times on the descriptor and closes it: three calls per file).
     */
    private static void setModified(Path f, long mtimeNanos, Optional<Libc.Calls> libc) throws IOException {
        if (libc.isPresent() && Libc.timespecIsTwoLongs()) {
            long[] times = {0, Libc.UTIME_NOW, Math.floorDiv(mtimeNanos, 1_000_000_000L), Math.floorMod(mtimeNanos, 1_000_000_000L)};
            // Any failure (even one the JDK would also meet) goes the JDK's way, which reports it properly.
            if (libc.get().utimensat(Libc.AT_FDCWD, f.toString(), times, Libc.AT_SYMLINK_NOFOLLOW) == 0) return;
        }
        // Both times given: with one left unchanged the JDK first reads the other (a stat per file).
        Files.getFileAttributeView(f, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(mtimeNanos, TimeUnit.NANOSECONDS), FileTime.from(java.time.Instant.now()), null);
    }

    /**
     * Takes every permission of group and others away, or where there is none gives them read
     * (a file made shareable again on another machine), never through a link.
     */
    private static void setOwnerOnly(Path f, boolean ownerOnly) throws IOException {
        var view = Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> was = view.readAttributes().permissions();
        boolean isOwnerOnly = java.util.Collections.disjoint(was, GROUP_OR_OTHERS);
        if (ownerOnly == isOwnerOnly) return;
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        perms.addAll(was);
        if (ownerOnly) {
            perms.removeAll(GROUP_OR_OTHERS);
        } else {
            perms.add(PosixFilePermission.GROUP_READ);
            perms.add(PosixFilePermission.OTHERS_READ);
        }
        view.setPermissions(perms);
    }

    /** Sets or clears the execute bits (x where r is), never through a link. */
    private static void setExecutable(Path f, boolean exec) throws IOException {
        var view = Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> was = view.readAttributes().permissions();
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        perms.addAll(was);
        if (exec) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            if (perms.contains(PosixFilePermission.GROUP_READ)) perms.add(PosixFilePermission.GROUP_EXECUTE);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) perms.add(PosixFilePermission.OTHERS_EXECUTE);
        } else {
            perms.removeAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
        }
        if (!perms.equals(was)) view.setPermissions(perms); // a new file usually has them already
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
