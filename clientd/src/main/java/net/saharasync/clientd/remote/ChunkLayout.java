package net.saharasync.clientd.remote;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.TreeObject.FileChild;

/**
 * A file version's chunks with where each starts, for finding "the old chunk at the same
 * place" of a changed chunk in O(log n): a 100 GiB file has 1.6 million chunks, and scanning
 * the list from the start for each changed chunk would be quadratic.
 */
public final class ChunkLayout {
    private final List<FileChild> chunks;
    private final long[] starts;

    public ChunkLayout(List<FileChild> chunks) {
        this.chunks = List.copyOf(chunks);
        this.starts = new long[chunks.size()];
        long at = 0;
        for (int i = 0; i < starts.length; i++) {
            starts[i] = at;
            at += chunks.get(i).length();
        }
    }

    public static final ChunkLayout EMPTY = new ChunkLayout(List.of());

    public boolean isEmpty() {
        return chunks.isEmpty();
    }

    /** The chunk that overlaps [offset, offset+length) the most (the first of equals), if any does. */
    public Optional<Hash> overlapping(long offset, long length) {
        if (chunks.isEmpty() || length <= 0) return Optional.empty();
        int i = Arrays.binarySearch(starts, offset);
        if (i < 0) i = Math.max(0, -i - 2); // the chunk containing offset
        long best = 0;
        Hash found = null;
        for (; i < starts.length && starts[i] < offset + length; i++) {
            long from = Math.max(starts[i], offset), to = Math.min(starts[i] + chunks.get(i).length(), offset + length);
            if (to - from > best) {
                best = to - from;
                found = chunks.get(i).hash();
            }
        }
        return Optional.ofNullable(found);
    }
}
