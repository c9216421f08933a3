package net.saharasync.merkle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.saharasync.blockstore.Hash;

/**
 * Content-defined node boundaries (as bup's hashsplit and prolly trees): an item closes its
 * node when a hash of it, salted by the tree level, has its low {@code bits} bits zero. A node
 * also closes at {@code 4 << bits} items, and never before it has two (so repeated identical
 * items, e.g. the chunks of a zero-filled file, still shrink by half per level).
 */
final class Boundaries {
    private Boundaries() {}

    static long mix(long z) {
        // MurmurHash3's fmix64 finalizer: spreads every input bit over all output bits.
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }

    /** Whether a hash-addressed item (chunk or node) closes a node at {@code level}. */
    static boolean closes(Hash item, int level, int bits) {
        return (mix(item.prefixBits(64) + 0x9E3779B97F4A7C15L * (level + 1)) & ((1L << bits) - 1)) == 0;
    }

    /** Whether a named item (directory entry or child) closes a node at {@code level}: by name only, so editing a file never moves a boundary. */
    static boolean closes(String name, int level, int bits) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64 over the UTF-8 bytes
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return (mix(h + 0x9E3779B97F4A7C15L * (level + 1)) & ((1L << bits) - 1)) == 0;
    }

    /** Splits {@code items} into consecutive groups by the rule above. */
    static <T> List<List<T>> split(List<T> items, int bits, Predicate<T> closes) {
        int max = 4 << bits;
        List<List<T>> groups = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < items.size(); i++) {
            int n = i - start + 1;
            if ((n >= 2 && closes.test(items.get(i))) || n == max) {
                groups.add(items.subList(start, i + 1));
                start = i + 1;
            }
        }
        if (start < items.size()) groups.add(items.subList(start, items.size()));
        return groups;
    }
}
