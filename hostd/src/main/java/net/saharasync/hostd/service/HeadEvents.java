package net.saharasync.hostd.service;

import java.util.List;
import net.saharasync.hostd.store.VolumeStore.HistoryEntry;

/**
 * Who hears of new heads and of access that changed: the event streams over HTTP
 * ({@code http.EventHub}), in-process subscribers ({@link LocalHeads}); a later cross-instance
 * implementation fans out between hosts.
 */
public interface HeadEvents {
    /** A commit was accepted and is durable; called in sequence order per volume. */
    void published(long volume, HistoryEntry entry);

    /** A token was revoked or a grant changed: streams check whether their callers may still read. */
    void accessChanged();

    HeadEvents NONE = new HeadEvents() {
        @Override
        public void published(long volume, HistoryEntry entry) {}

        @Override
        public void accessChanged() {}
    };

    /** All of {@code events}, in order. */
    static HeadEvents all(List<HeadEvents> events) {
        List<HeadEvents> copy = List.copyOf(events);
        return new HeadEvents() {
            @Override
            public void published(long volume, HistoryEntry entry) {
                for (HeadEvents e : copy) e.published(volume, entry);
            }

            @Override
            public void accessChanged() {
                for (HeadEvents e : copy) e.accessChanged();
            }
        };
    }
}
