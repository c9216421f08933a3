package net.saharasync.clientd.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.TreeObject.FileChild;
import org.junit.jupiter.api.Test;

/** The old chunk at the same place: the binary search answers what a scan from the start would. */
class ChunkLayoutTest {
    /** The definition: scan every chunk, keep the one overlapping most (the first of equals). */
    private static Optional<Hash> byScanning(List<FileChild> chunks, long offset, long length) {
        long pos = 0, best = 0;
        Hash found = null;
        for (FileChild c : chunks) {
            long from = Math.max(pos, offset), to = Math.min(pos + c.length(), offset + length);
            if (to - from > best) {
                best = to - from;
                found = c.hash();
            }
            pos += c.length();
        }
        return Optional.ofNullable(found);
    }

    @Test
    void findsTheChunkOverlappingMostAsAScanWould() {
        Random r = new Random(31);
        for (int round = 0; round < 200; round++) {
            List<FileChild> chunks = new ArrayList<>();
            long size = 0;
            int n = r.nextInt(40);
            for (int i = 0; i < n; i++) {
                int len = 1 + r.nextInt(r.nextBoolean() ? 10 : 1000);
                chunks.add(new FileChild(Hash.of(new byte[] {(byte) round, (byte) i, (byte) (i >> 8)}), len));
                size += len;
            }
            ChunkLayout layout = new ChunkLayout(chunks);
            for (int q = 0; q < 50; q++) {
                long offset = size == 0 ? 0 : (long) (r.nextDouble() * (size + 20)) - 10;
                long length = r.nextInt(2000);
                assertThat(layout.overlapping(offset, length)).as("offset %d length %d of %s", offset, length, chunks)
                        .isEqualTo(byScanning(chunks, offset, length));
            }
        }
    }

    @Test
    void aLayoutOfAMillionChunksAnswersEveryQueryOfItsSecondHalf() {
        List<FileChild> chunks = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) chunks.add(new FileChild(Hash.of(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)}), 65536));
        ChunkLayout layout = new ChunkLayout(chunks);
        // 500,000 queries over 1,000,000 chunks (scanning from the start each time: ~10^11 steps).
        for (int i = 500_000; i < 1_000_000; i++) {
            assertThat(layout.overlapping((long) i * 65536 + 100, 65536)).contains(chunks.get(i).hash());
        }
    }
}
