package net.saharasync.protocol;

/** The protocol's fixed limits (docs/PROTOCOL.md, "Limits"), as both sides count them. */
public final class Limits {
    private Limits() {}

    /** Missing objects a refused commit lists at most; {@code missingCount} tells the rest. */
    public static final int MAX_LISTED_MISSING = 1000;
    /** Hashes per {@code missing} request the host accepts by default. */
    public static final int MAX_MISSING_HASHES = 1 << 20;
    /** Hashes per {@code fetch}, {@code fetch-delta} and {@code signatures} request the host accepts by default. */
    public static final int MAX_FETCH_HASHES = 1 << 17;
    /** JSON request bodies the host accepts by default. */
    public static final int MAX_JSON_BYTES = 1 << 20;
    /** An upload batch the host accepts by default. */
    public static final long MAX_BATCH_BYTES = 64L << 20;
    /** Heads an event stream replays at most before it sends {@code reset} instead. */
    public static final int MAX_REPLAY = 1000;
}
