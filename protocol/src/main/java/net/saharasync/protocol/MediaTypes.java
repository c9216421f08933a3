package net.saharasync.protocol;

/** The media types of the host API's bodies. */
public final class MediaTypes {
    private MediaTypes() {}

    /** A batch of block frames ({@code net.saharasync.protocol.wire.BlockFrames}). */
    public static final String BLOCKS = "application/x-sahara-blocks";
    /** Hash lists, bitmaps and signature lists. */
    public static final String OCTETS = "application/octet-stream";
    public static final String JSON = "application/json";
    public static final String EVENTS = "text/event-stream";
}
