package net.saharasync.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.TreeObject.DirChild;
import net.saharasync.merkle.TreeObject.DirIndex;
import net.saharasync.merkle.TreeObject.DirLeaf;
import net.saharasync.merkle.TreeObject.FileChild;
import net.saharasync.merkle.TreeObject.FileIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EncodingTest {
    static Hash h(int i) {
        return Hash.of(new byte[] {(byte) i});
    }

    static final Entry FILE = new Entry("hello.txt", EntryKind.FILE, false, 1_700_000_000_123_456_789L, 12, h(1), 0);
    static final Entry SCRIPT = new Entry("run.sh", EntryKind.FILE, true, 5, 70_000, h(2), 1);
    static final Entry DIR = new Entry("src", EntryKind.DIRECTORY, false, 0, 0, h(3), 0);
    static final Entry LINK = new Entry("latest", EntryKind.SYMLINK, false, 7, 9, h(4), 0);

    static List<TreeObject> samples() {
        return List.of(
                new DirLeaf(List.of()),
                new DirLeaf(List.of(FILE, LINK, SCRIPT, DIR)),
                new FileIndex(1, List.of(new FileChild(h(5), 65536), new FileChild(h(6), 1))),
                new DirIndex(2, List.of(new DirChild("a", 3, h(7)), new DirChild("b", 1, h(8)))),
                new Commit(new DirRef(h(9), 1), List.of(h(10), h(11)), "laptop", 1_764_000_000_000L));
    }

    @Test
    void everyObjectRoundTripsAndReencodesToTheSameBytes() {
        for (TreeObject o : samples()) {
            byte[] bytes = o.encode();
            assertThat(bytes[0]).isEqualTo((byte) TreeObject.VERSION);
            TreeObject back = TreeObject.decode(bytes);
            assertThat(back).isEqualTo(o);
            assertThat(back.encode()).isEqualTo(bytes);
        }
    }

    /** Pinned hashes: the format is the same on every machine and in every version, or these break. */
    @Test
    void goldenHashesOfSmallTrees() {
        assertThat(samples().stream().map(o -> o.hash().toHex().substring(0, 16)).toList()).isEqualTo(GOLDEN);
        ObjectStore s = Trees.store();
        DirRef root = Trees.build(s, Map.of("a/b/c.txt", FILE, "a/run.sh", SCRIPT, "z", LINK));
        assertThat(root.root().toHex()).isEqualTo(GOLDEN_TREE);
    }

    static final List<String> GOLDEN = List.of("d7b3d4012540102c", "a8cce64272a17df1", "ce6f4155748f3b95", "a1099ddab1f90418", "2b68abf3f9ef6d27");
    static final String GOLDEN_TREE = "0112cb479cb5a21a33a6dd0f6e12a6993cb0c7a6e59d38fff9d1d06c68d4e4fd";

    static final Entry PRIVATE = new Entry("id_ed25519", EntryKind.FILE, false, 9, 411, h(12), 0, true);

    /** Flag bit 1: owner-only (a 0600 file). Only files carry it; unknown bits are refused. */
    @Test
    void anOwnerOnlyFileIsFlagBitOneAndOnlyFilesMayHaveIt() {
        DirLeaf leaf = new DirLeaf(List.of(PRIVATE));
        byte[] b = leaf.encode();
        byte[] name = "id_ed25519".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = -1;
        for (int i = 0; i + name.length <= b.length && at < 0; i++) if (Arrays.equals(Arrays.copyOfRange(b, i, i + name.length), name)) at = i;
        int flags = at + name.length + 1; // after the name, the entry kind, then the flags
        assertThat(b[flags - 1]).isEqualTo((byte) 1); // file
        assertThat(b[flags]).isEqualTo((byte) 2);
        assertThat(TreeObject.decode(b)).isEqualTo(leaf);
        assertThat(leaf.hash().toHex().substring(0, 16)).isEqualTo(GOLDEN_PRIVATE);
        assertMalformed(patch(b, x -> x[flags] = 4), "unknown flag bits");
        assertThatThrownBy(() -> new Entry("d", EntryKind.DIRECTORY, false, 0, 0, h(3), 0, true)).isInstanceOf(MalformedObjectException.class);
        assertThatThrownBy(() -> new Entry("l", EntryKind.SYMLINK, false, 0, 3, h(3), 0, true)).isInstanceOf(MalformedObjectException.class);
    }

    static final String GOLDEN_PRIVATE = "986565bdf6348717";

    @Test
    void everyTruncationIsRejected() {
        for (TreeObject o : samples()) {
            byte[] bytes = o.encode();
            for (int n = 0; n < bytes.length; n++) {
                byte[] cut = Arrays.copyOf(bytes, n);
                assertThatThrownBy(() -> TreeObject.decode(cut)).as("%s cut to %d", o, n).isInstanceOf(MalformedObjectException.class);
            }
        }
    }

    @Test
    void trailingBytesUnknownVersionsAndKindsAreRejected() {
        byte[] ok = new DirLeaf(List.of(FILE)).encode();
        assertMalformed(Arrays.copyOf(ok, ok.length + 1), "trailing");
        assertMalformed(patch(ok, b -> b[0] = 2), "unknown version");
        assertMalformed(patch(ok, b -> b[1] = 9), "unknown object kind");
    }

    @Test
    void nonMinimalVarintsAreRejected() {
        // DirLeaf with count 0 written as 0x80 0x00 instead of 0x00.
        assertMalformed(new byte[] {1, 2, (byte) 0x80, 0}, "not minimally encoded");
        assertMalformed(new byte[] {1, 2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1}, "");
    }

    @Test
    void countsThatCannotFitAreRejectedBeforeAllocating() {
        assertMalformed(new Writer().u8(1).u8(2).varint(Integer.MAX_VALUE).toBytes(), "does not fit");
        assertMalformed(new Writer().u8(1).u8(1).u8(1).varint(1L << 40).toBytes(), "does not fit");
    }

    /** A leaf with one raw entry, bypassing Entry's checks, as a hostile peer would send it. */
    static byte[] rawLeaf(byte[] nameBytes, int kind, int flags, long mtime, long size, int height) {
        Writer w = new Writer().u8(1).u8(2).varint(1).varint(nameBytes.length);
        for (byte b : nameBytes) w.u8(b & 0xFF);
        return w.u8(kind).u8(flags).i64(mtime).varint(size).u8(height).hash(h(1)).toBytes();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/abs", "nul\0byte", "e\u0301"})
    void hostileNamesAreRejected(String name) {
        assertMalformed(rawLeaf(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, 0, 0, 1, 0), "");
        assertThatThrownBy(() -> new Entry(name, EntryKind.FILE, false, 0, 1, h(1), 0)).isInstanceOf(MalformedObjectException.class);
    }

    @Test
    void overLongAndInvalidUtf8NamesAreRejected() {
        assertMalformed(rawLeaf("x".repeat(256).getBytes(), 1, 0, 0, 1, 0), "exceeds 255");
        assertMalformed(rawLeaf(new byte[] {(byte) 0xC3, (byte) 0x28}, 1, 0, 0, 1, 0), "not valid UTF-8");
        assertMalformed(rawLeaf(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 1, 0, 0, 1, 0), "not valid UTF-8"); // a surrogate
        assertThat(TreeObject.decode(rawLeaf("x".repeat(255).getBytes(), 1, 0, 0, 1, 0))).isInstanceOf(DirLeaf.class);
    }

    @Test
    void badKindsFlagsAndDirectoryMetadataAreRejected() {
        assertMalformed(rawLeaf("f".getBytes(), 7, 0, 0, 1, 0), "unknown entry kind");
        assertMalformed(rawLeaf("f".getBytes(), 1, 4, 0, 1, 0), "unknown flag");
        assertMalformed(rawLeaf("d".getBytes(), 2, 0, 5, 0, 0), "must have size, mtime 0");
        assertMalformed(rawLeaf("l".getBytes(), 3, 1, 0, 1, 0), "symlink");
        assertMalformed(rawLeaf("d".getBytes(), 2, 2, 0, 0, 0), "must have size, mtime 0");
        assertMalformed(rawLeaf("f".getBytes(), 1, 0, 0, 1, 33), "height");
    }

    @Test
    void duplicateOrUnsortedEntriesAreRejected() {
        Writer w = new Writer().u8(1).u8(2).varint(2);
        for (String n : new String[] {"b", "a"}) w.string(n).u8(1).u8(0).i64(0).varint(1).u8(0).hash(h(1));
        assertMalformed(w.toBytes(), "strictly increasing");
        Writer dup = new Writer().u8(1).u8(2).varint(2);
        for (String n : new String[] {"a", "a"}) dup.string(n).u8(1).u8(0).i64(0).varint(1).u8(0).hash(h(1));
        assertMalformed(dup.toBytes(), "strictly increasing");
        // UTF-8 byte order, not UTF-16: U+FF5E sorts before U+1F600.
        assertThat(Names.compare("\uFF5E", "\uD83D\uDE00")).isNegative();
        assertThat("\uFF5E".compareTo("\uD83D\uDE00")).isPositive();
    }

    @Test
    void fileIndexWithZeroLengthChildIsRejected() {
        assertMalformed(new Writer().u8(1).u8(1).u8(1).varint(1).hash(h(1)).varint(0).toBytes(), "length 0");
    }

    @Test
    void aTreeWhoseSizesDoNotAddUpIsRejectedWhenRead() {
        ObjectStore s = Trees.store();
        Hash node = s.write(new FileIndex(1, List.of(new FileChild(h(1), 10), new FileChild(h(2), 10))));
        assertThatThrownBy(() -> FileTree.chunks(s, new FileRef(node, 25, 1))).isInstanceOf(MalformedObjectException.class)
                .hasMessageContaining("holds 20 bytes");
        assertThatThrownBy(() -> FileTree.chunks(s, new FileRef(node, 20, 2))).hasMessageContaining("height");
    }

    static void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> TreeObject.decode(bytes)).isInstanceOf(MalformedObjectException.class).hasMessageContaining(message);
    }

    static byte[] patch(byte[] b, Consumer<byte[]> f) {
        byte[] c = b.clone();
        f.accept(c);
        return c;
    }
}
