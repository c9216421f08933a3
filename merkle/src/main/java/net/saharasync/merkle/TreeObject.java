package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.List;
import net.saharasync.blockstore.Hash;

/**
 * Every object of the format, with its one canonical encoding:
 * {@code u8 version (1) | u8 kind | body}. Objects are stored in the block store like chunks,
 * addressed by the SHA-256 of that encoding; the kind byte tells them apart.
 */
public sealed interface TreeObject permits TreeObject.FileIndex, TreeObject.DirLeaf, TreeObject.DirIndex, Commit {
    int VERSION = 1;
    int KIND_FILE_INDEX = 1;
    int KIND_DIR_LEAF = 2;
    int KIND_DIR_INDEX = 3;
    int KIND_COMMIT = 4;

    /** The canonical encoding. */
    byte[] encode();

    /** The address: SHA-256 of the encoding. */
    default Hash hash() {
        return Hash.of(encode());
    }

    /** Decodes and validates; anything not canonical is a {@link MalformedObjectException}. */
    static TreeObject decode(byte[] data) {
        Reader r = new Reader(data);
        int version = r.u8("version");
        if (version != VERSION) throw new MalformedObjectException("unknown version " + version);
        int kind = r.u8("kind");
        TreeObject o = switch (kind) {
            case KIND_FILE_INDEX -> FileIndex.read(r);
            case KIND_DIR_LEAF -> DirLeaf.read(r);
            case KIND_DIR_INDEX -> DirIndex.read(r);
            case KIND_COMMIT -> Commit.read(r);
            default -> throw new MalformedObjectException("unknown object kind " + kind);
        };
        r.end();
        return o;
    }

    /** A child of a file index node: a chunk (at height 1) or a lower index node, and the bytes under it. */
    record FileChild(Hash hash, long length) {
        public FileChild {
            if (length <= 0) throw new MalformedObjectException("file child of length " + length);
        }
    }

    /** An interior node of a file's tree: its children in file order. */
    record FileIndex(int height, List<FileChild> children) implements TreeObject {
        public FileIndex {
            if (height < 1 || height > Entry.MAX_HEIGHT) throw new MalformedObjectException("file index height " + height);
            if (children.isEmpty()) throw new MalformedObjectException("file index without children");
            children = List.copyOf(children);
        }

        public long length() {
            long n = 0;
            for (FileChild c : children) n = Math.addExact(n, c.length());
            return n;
        }

        @Override
        public byte[] encode() {
            Writer w = new Writer().u8(VERSION).u8(KIND_FILE_INDEX).u8(height).varint(children.size());
            for (FileChild c : children) w.hash(c.hash()).varint(c.length());
            return w.toBytes();
        }

        static FileIndex read(Reader r) {
            int height = r.u8("height");
            int n = r.count("child count", Hash.BYTES + 1);
            List<FileChild> cs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) cs.add(new FileChild(r.hash("child hash"), r.varint("child length")));
            return new FileIndex(height, cs);
        }
    }

    /** A leaf of a directory's tree: entries in canonical order (UTF-8 bytes of the name, no repeats). */
    record DirLeaf(List<Entry> entries) implements TreeObject {
        public DirLeaf {
            entries = List.copyOf(entries);
            for (int i = 1; i < entries.size(); i++) {
                if (Names.compare(entries.get(i - 1).name(), entries.get(i).name()) >= 0) {
                    throw new MalformedObjectException("entries not in strictly increasing order at "
                            + Names.printable(entries.get(i).name()));
                }
            }
        }

        @Override
        public byte[] encode() {
            Writer w = new Writer().u8(VERSION).u8(KIND_DIR_LEAF).varint(entries.size());
            for (Entry e : entries) {
                w.string(e.name()).u8(e.kind().code).u8((e.executable() ? 1 : 0) | (e.ownerOnly() ? 2 : 0)).i64(e.mtimeNanos())
                        .varint(e.size()).u8(e.height()).hash(e.content());
            }
            return w.toBytes();
        }

        static DirLeaf read(Reader r) {
            int n = r.count("entry count", 1 + 1 + 1 + 8 + 1 + 1 + Hash.BYTES);
            List<Entry> es = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = r.string("name", Names.MAX_BYTES);
                EntryKind kind = EntryKind.of(r.u8("entry kind"));
                int flags = r.u8("flags");
                if (flags > 3) throw new MalformedObjectException("unknown flag bits " + flags);
                long mtime = r.i64("mtime");
                long size = r.varint("size");
                int height = r.u8("height");
                es.add(new Entry(name, kind, (flags & 1) != 0, mtime, size, r.hash("content"), height, (flags & 2) != 0));
            }
            return new DirLeaf(es);
        }
    }

    /** A child of a directory index node: the first name under it, how many entries, and the node. */
    record DirChild(String firstName, long count, Hash hash) {
        public DirChild {
            Names.check(firstName);
            if (count <= 0) throw new MalformedObjectException("directory child with " + count + " entries");
        }
    }

    /** An interior node of a directory's tree, children in name order. */
    record DirIndex(int height, List<DirChild> children) implements TreeObject {
        public DirIndex {
            if (height < 1 || height > Entry.MAX_HEIGHT) throw new MalformedObjectException("directory index height " + height);
            if (children.isEmpty()) throw new MalformedObjectException("directory index without children");
            children = List.copyOf(children);
            for (int i = 1; i < children.size(); i++) {
                if (Names.compare(children.get(i - 1).firstName(), children.get(i).firstName()) >= 0) {
                    throw new MalformedObjectException("directory index children out of order");
                }
            }
        }

        public long count() {
            long n = 0;
            for (DirChild c : children) n = Math.addExact(n, c.count());
            return n;
        }

        @Override
        public byte[] encode() {
            Writer w = new Writer().u8(VERSION).u8(KIND_DIR_INDEX).u8(height).varint(children.size());
            for (DirChild c : children) w.string(c.firstName()).varint(c.count()).hash(c.hash());
            return w.toBytes();
        }

        static DirIndex read(Reader r) {
            int height = r.u8("height");
            int n = r.count("child count", 1 + 1 + 1 + Hash.BYTES);
            List<DirChild> cs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                cs.add(new DirChild(r.string("first name", Names.MAX_BYTES), r.varint("count"), r.hash("child hash")));
            }
            return new DirIndex(height, cs);
        }
    }
}
