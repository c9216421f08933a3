package net.saharasync.hostd.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.saharasync.hostd.service.HeadEvents;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.AccountStore.Principal;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.hostd.store.VolumeStore.HistoryEntry;
import net.saharasync.protocol.Access;
import net.saharasync.protocol.Limits;

/**
 * Live heads over server-sent events: {@code GET /v1/volumes/{id}/events}. Each accepted
 * commit is one event {@code id: <seq>, event: head, data: {"volume","seq","head","accepted"}}.
 * A client that reconnects sends the last seq it saw ({@code Last-Event-ID}, or
 * {@code ?after=}) and first gets every head it missed, in order, then live ones.
 *
 * <p>The volume store hands over a volume's heads one at a time, in order; each is published
 * under the volume's topic lock, and a new subscriber is added and replayed under that same
 * lock, so no head can fall between the replay and the live stream, and none arrives twice or
 * out of order.
 */
public final class EventHub implements HeadEvents {
    /** Missed heads replayed at most; beyond this the client gets a {@code reset} event with the current head and reads history. */
    static final int MAX_REPLAY = Limits.MAX_REPLAY;
    private static final long KEEPALIVE_MILLIS = 15_000;

    /** How often every open stream's access is checked again (catches a token revoked by {@code sahara user revoke} in another process). */
    public static final long RECHECK_MILLIS = 2_000;

    private final VolumeStore volumes;
    private final AccountStore accounts;
    private final Map<Long, Topic> topics = new ConcurrentHashMap<>();
    private final ScheduledExecutorService recheck = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sahara-events-recheck");
        t.setDaemon(true);
        return t;
    });

    public EventHub(VolumeStore volumes, AccountStore accounts) {
        this.volumes = volumes;
        this.accounts = accounts;
        recheck.scheduleWithFixedDelay(this::accessChanged, RECHECK_MILLIS, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static final class Topic {
        final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
        long lastPublished;
    }

    private static final class Subscriber {
        final ServerSentEventConnection connection;
        final Principal principal;
        long lastSent;

        Subscriber(ServerSentEventConnection connection, Principal principal, long lastSent) {
            this.connection = connection;
            this.principal = principal;
            this.lastSent = lastSent;
        }
    }

    /**
     * Closes every stream whose access has ended: its token revoked (or its user gone), or
     * the user's access to the volume removed. Called at once when the API changes a grant
     * or revokes a token, and every {@link #RECHECK_MILLIS} for changes made outside the API.
     * A stream must never go on telling the heads of a volume to someone who may no longer read it.
     */
    @Override
    public void accessChanged() {
        try {
            for (Map.Entry<Long, Topic> e : topics.entrySet()) {
                for (Subscriber s : e.getValue().subscribers) {
                    boolean live = accounts.live(s.principal.token().id())
                            && volumes.access(s.principal.userId(), e.getKey()).atLeast(Access.READ);
                    if (!live) {
                        e.getValue().subscribers.remove(s);
                        s.connection.shutdown();
                    }
                }
            }
        } catch (RuntimeException x) {
            // The store is closing (host shutdown) or a stream broke while closing: the next round tries again.
        }
    }

    private Topic topic(long volume) {
        return topics.computeIfAbsent(volume, v -> new Topic());
    }

    /** Connected subscribers, across volumes. */
    public int connected() {
        return topics.values().stream().mapToInt(t -> t.subscribers.size()).sum();
    }

    /** Sends an accepted head to every subscriber of its volume. */
    @Override
    public void published(long volume, HistoryEntry e) {
        Topic t = topic(volume);
        String data = data(volume, e);
        synchronized (t) {
            t.lastPublished = Math.max(t.lastPublished, e.seq());
            for (Subscriber s : t.subscribers) {
                if (e.seq() > s.lastSent && s.connection.isOpen()) {
                    s.connection.send(data, "head", Long.toString(e.seq()), null);
                    s.lastSent = e.seq();
                }
            }
        }
    }

    /** Turns the exchange into an event stream of {@code volume}, replaying heads after {@code after}. */
    void subscribe(HttpServerExchange ex, Principal principal, long volume, long after) throws Exception {
        new ServerSentEventHandler((connection, lastEventId) -> connected(connection, principal, volume, after)).handleRequest(ex);
    }

    private void connected(ServerSentEventConnection connection, Principal principal, long volume, long after) {
        connection.setKeepAliveTime(KEEPALIVE_MILLIS);
        Topic t = topic(volume);
        // Read what was missed before taking the lock (this runs on an I/O thread, and commits
        // hold the lock across their durable write); catch up under the lock only if a head
        // was published meanwhile.
        List<HistoryEntry> missed = volumes.after(volume, after, MAX_REPLAY + 1);
        Subscriber s = new Subscriber(connection, principal, after);
        synchronized (t) {
            if (missed.size() > MAX_REPLAY) {
                volumes.head(volume).ifPresent(h -> {
                    HistoryEntry last = volumes.after(volume, h.seq() - 1, 1).getFirst();
                    connection.send(data(volume, last), "reset", Long.toString(last.seq()), null);
                    s.lastSent = last.seq();
                });
            } else {
                send(s, volume, missed);
            }
            if (t.lastPublished > s.lastSent) send(s, volume, volumes.after(volume, s.lastSent, MAX_REPLAY));
            t.subscribers.add(s);
            connection.addCloseTask(c -> t.subscribers.remove(s));
        }
    }

    private static void send(Subscriber s, long volume, List<HistoryEntry> entries) {
        for (HistoryEntry e : entries) {
            if (e.seq() <= s.lastSent) continue;
            s.connection.send(data(volume, e), "head", Long.toString(e.seq()), null);
            s.lastSent = e.seq();
        }
    }

    /** Closes every stream (host shutdown). */
    public void closeAll() {
        recheck.shutdownNow();
        for (Topic t : topics.values()) {
            for (Subscriber s : t.subscribers) s.connection.shutdown();
        }
    }

    private static String data(long volume, HistoryEntry e) {
        try {
            return Exchanges.JSON.writeValueAsString(Map.of(
                    "volume", VolumeStore.hex(volume), "seq", e.seq(), "head", e.commit().toHex(), "accepted", e.acceptedMillis()));
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }
}
