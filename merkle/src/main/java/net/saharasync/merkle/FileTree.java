package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.List;
import net.saharasync.blockstore.Chunk;
import net.saharasync.merkle.TreeObject.FileChild;
import net.saharasync.merkle.TreeObject.FileIndex;

/**
 * A file's chunk list as a Merkle tree with content-defined node boundaries: inserting bytes
 * in the middle of a huge file changes one or two chunks and so O(height) nodes, not every
 * node after the edit as a fixed fanout would.
 */
public final class FileTree {
    private FileTree() {}

    /** Builds the tree over {@code chunks} (in file order), writing its nodes to {@code out}. */
    public static FileRef build(List<FileChild> chunks, ObjectStore out, TreeParams params) {
        if (chunks.isEmpty()) return FileRef.EMPTY;
        long size = 0;
        for (FileChild c : chunks) size = Math.addExact(size, c.length());
        List<FileChild> level = chunks;
        int height = 0;
        while (level.size() > 1) {
            int h = height;
            List<FileChild> up = new ArrayList<>();
            for (List<FileChild> group : Boundaries.split(level, params.fileBits(), c -> Boundaries.closes(c.hash(), h, params.fileBits()))) {
                FileIndex node = new FileIndex(h + 1, group);
                up.add(new FileChild(out.write(node), node.length()));
            }
            level = up;
            height++;
        }
        return new FileRef(level.getFirst().hash(), size, height);
    }

    /** Builds from the chunker's output. */
    public static FileRef fromChunks(List<Chunk> chunks, ObjectStore out, TreeParams params) {
        return build(chunks.stream().map(c -> new FileChild(c.hash(), c.length())).toList(), out, params);
    }

    /** The file's chunks, in order. */
    public static List<FileChild> chunks(ObjectStore in, FileRef ref) {
        if (ref.size() == 0) return List.of();
        List<FileChild> out = new ArrayList<>();
        collect(in, new FileChild(ref.root(), ref.size()), ref.height(), out);
        long total = out.stream().mapToLong(FileChild::length).sum();
        if (total != ref.size()) {
            throw new MalformedObjectException("file tree " + ref.root().toHex() + " holds " + total + " bytes, its entry says " + ref.size());
        }
        return out;
    }

    private static void collect(ObjectStore in, FileChild node, int height, List<FileChild> out) {
        if (height == 0) {
            out.add(node);
            return;
        }
        FileIndex idx = in.read(node.hash(), FileIndex.class);
        if (idx.height() != height) {
            throw new MalformedObjectException("file node " + node.hash().toHex() + " has height " + idx.height() + ", expected " + height);
        }
        if (idx.length() != node.length()) {
            throw new MalformedObjectException("file node " + node.hash().toHex() + " holds " + idx.length() + " bytes, its parent says " + node.length());
        }
        for (FileChild c : idx.children()) collect(in, c, height - 1, out);
    }
}
