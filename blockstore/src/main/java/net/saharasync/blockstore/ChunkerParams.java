package net.saharasync.blockstore;

/**
 * FastCDC size parameters: no chunk is shorter than {@code min} (except a file's last) or longer
 * than {@code max}; sizes gather around {@code avg}. Fixed per volume at creation, since they
 * decide what deduplicates.
 *
 * @param min minimum chunk size, at least 64 bytes
 * @param avg the "normal" size, a power of two with min &lt; avg &lt; max
 * @param max maximum chunk size, at most {@link BlockStore#MAX_BLOCK_BYTES}
 */
public record ChunkerParams(int min, int avg, int max) {
    /** 16 KiB / 64 KiB / 256 KiB. */
    public static final ChunkerParams DEFAULT = new ChunkerParams(16 << 10, 64 << 10, 256 << 10);

    public ChunkerParams {
        if (min < 64) throw new IllegalArgumentException("min chunk size must be at least 64 bytes, got " + min);
        if (Integer.bitCount(avg) != 1) throw new IllegalArgumentException("avg chunk size must be a power of two, got " + avg);
        if (!(min < avg && avg < max)) {
            throw new IllegalArgumentException("need min < avg < max, got " + min + " / " + avg + " / " + max);
        }
        if (max > BlockStore.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("max chunk size must be at most " + BlockStore.MAX_BLOCK_BYTES + ", got " + max);
        }
    }

    /** log2 of {@code avg}. */
    public int avgBits() {
        return Integer.numberOfTrailingZeros(avg);
    }
}
