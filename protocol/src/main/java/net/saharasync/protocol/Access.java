package net.saharasync.protocol;

import java.util.Locale;
import java.util.Optional;

/** What a user may do with a volume, each level including the ones before it. */
public enum Access {
    NONE, READ, WRITE, OWNER;

    public boolean atLeast(Access a) {
        return compareTo(a) >= 0;
    }

    /** As on the wire: {@code none}, {@code read}, {@code write}, {@code owner}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Access> fromWire(String text) {
        for (Access a : values()) {
            if (a.wireName().equals(text)) return Optional.of(a);
        }
        return Optional.empty();
    }
}
