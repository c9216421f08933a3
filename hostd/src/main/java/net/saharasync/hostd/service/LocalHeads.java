package net.saharasync.hostd.service;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.hostd.store.VolumeStore.HistoryEntry;
import net.saharasync.protocol.Limits;

/**
 * New heads for subscribers in this process ({@link LocalHost#subscribe}), with the same
 * promise as the event stream: the heads after the one asked for, in order, none twice, then
 * live ones; a subscriber that fell more than {@link Limits#MAX_REPLAY} behind gets the
 * current head only. A subscription ends when its caller may no longer read the volume.
 */
public final class LocalHeads implements HeadEvents {
    private final VolumeStore volumes;
    private final Map<Long, Set<Subscriber>> topics = new ConcurrentHashMap<>();

    LocalHeads(VolumeStore volumes) {
        this.volumes = volumes;
    }

    private final class Subscriber implements AutoCloseable {
        final long volume;
        final Consumer<HistoryEntry> listener;
        final BooleanSupplier allowed;
        long lastSent;

        Subscriber(long volume, long after, Consumer<HistoryEntry> listener, BooleanSupplier allowed) {
            this.volume = volume;
            this.lastSent = after;
            this.listener = listener;
            this.allowed = allowed;
        }

        synchronized void send(List<HistoryEntry> entries) {
            for (HistoryEntry e : entries) {
                if (e.seq() <= lastSent) continue;
                listener.accept(e);
                lastSent = e.seq();
            }
        }

        @Override
        public void close() {
            topic(volume).remove(this);
        }
    }

    private Set<Subscriber> topic(long volume) {
        return topics.computeIfAbsent(volume, v -> ConcurrentHashMap.newKeySet());
    }

    /** Subscribes {@code listener} to {@code volume}'s heads after {@code after} while {@code allowed} holds. */
    public AutoCloseable subscribe(long volume, long after, Consumer<HistoryEntry> listener, BooleanSupplier allowed) {
        Subscriber s = new Subscriber(volume, after, listener, allowed);
        // Caught up while holding the subscriber, so a head published meanwhile waits and then
        // goes out after the missed ones (or is skipped, if the catch-up already read it).
        synchronized (s) {
            topic(volume).add(s);
            List<HistoryEntry> missed = volumes.after(volume, after, Limits.MAX_REPLAY + 1);
            if (missed.size() > Limits.MAX_REPLAY) {
                s.send(volumes.head(volume).map(h -> volumes.after(volume, h.seq() - 1, 1)).orElse(List.of()));
            } else {
                s.send(missed);
            }
        }
        return s;
    }

    @Override
    public void published(long volume, HistoryEntry entry) {
        for (Subscriber s : topic(volume)) s.send(List.of(entry));
    }

    @Override
    public void accessChanged() {
        for (Set<Subscriber> t : topics.values()) t.removeIf(s -> !s.allowed.getAsBoolean());
    }
}
