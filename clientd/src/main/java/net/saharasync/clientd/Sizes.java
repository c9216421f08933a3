package net.saharasync.clientd;

/** Byte counts for a person, in decimal units: 512 B, 12.3 kB, 31.5 MB, 1.2 GB. */
public final class Sizes {
    private Sizes() {}

    public static String human(long bytes) {
        if (bytes < 1000) return bytes + " B";
        if (bytes < 1_000_000) return String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1e3);
        if (bytes < 1_000_000_000) return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
