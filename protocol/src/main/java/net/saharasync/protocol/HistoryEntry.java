package net.saharasync.protocol;

import net.saharasync.blockstore.Hash;

/** One accepted commit of a volume: its sequence number, commit, when the host accepted it and by whom (user name). */
public record HistoryEntry(long seq, Hash commit, long acceptedMillis, String user) {}
