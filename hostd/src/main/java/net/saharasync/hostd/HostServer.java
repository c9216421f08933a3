package net.saharasync.hostd;

import net.saharasync.hostd.store.lmdb.LmdbHostStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.net.InetSocketAddress;
import java.util.Optional;
import net.saharasync.hostd.http.Api;
import net.saharasync.hostd.http.EventHub;
import net.saharasync.hostd.http.HostMetrics;
import net.saharasync.hostd.http.Pacer;
import net.saharasync.hostd.service.HostServices;
import net.saharasync.hostd.store.HostStore;
import org.xnio.Options;

/**
 * A running host: the store, the event hub and Undertow listening on one address (HTTP, or
 * HTTPS with HTTP/2 when TLS is on). {@link #start} returns once it accepts connections;
 * {@link #close} stops it and closes the store.
 */
public final class HostServer implements AutoCloseable {
    private final HostStore store;
    private final HostServices services;
    private final EventHub events;
    private final Undertow undertow;
    private final Optional<Tls> tls;
    private final int port;
    private final Pacer pacer;

    private HostServer(HostStore store, HostServices services, EventHub events, Undertow undertow, Optional<Tls> tls, Pacer pacer) {
        this.pacer = pacer;
        this.services = services;
        this.store = store;
        this.events = events;
        this.undertow = undertow;
        this.tls = tls;
        this.port = ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
    }

    public static HostServer start(HostConfig config) {
        HostStore store = LmdbHostStore.open(config.data());
        try {
            EventHub events = new EventHub(store.volumes(), store.accounts());
            HostServices services = HostServices.over(store, config.limits(), events);
            HostMetrics metrics = new HostMetrics(store.blocks(), events::connected);
            Optional<Tls> tls = config.tls() ? Optional.of(Tls.loadOrCreate(config.data())) : Optional.empty();
            Pacer pacer = new Pacer(config.limits().pacing());
            Undertow.Builder b = Undertow.builder()
                    .setHandler(Api.handler(services, events, metrics, pacer))
                    // More workers than one user may hold (requestsPerUser), so others are served.
                    .setWorkerThreads(Math.max(4 * config.limits().pacing().requestsPerUser(), 8 * Runtime.getRuntime().availableProcessors()))
                    // 64 KiB I/O buffers (Undertow's default is 16 KiB): a GiB of uploads took
                    // ~0.9-1.0 s of CPU in socket reads, 0.6 s with these (fewer system calls).
                    .setBufferSize(64 << 10)
                    // A stalled upload fails after this long without a byte, and its memory is freed.
                    .setSocketOption(Options.READ_TIMEOUT, config.limits().readTimeoutMillis())
                    .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 5 * 60_000)
                    // Headers trickled byte by byte (slowloris) are cut off after this long.
                    .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
                    .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L);
            if (tls.isPresent()) {
                b.setServerOption(UndertowOptions.ENABLE_HTTP2, true).addHttpsListener(config.port(), config.host(), tls.get().context());
            } else {
                b.addHttpListener(config.port(), config.host());
            }
            Undertow u = b.build();
            try {
                u.start();
            } catch (RuntimeException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof java.net.BindException) {
                        throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": the address is in use"
                                + " (another `sahara host` or `sahara up`?); choose another with --listen HOST:PORT", e);
                    }
                }
                throw e;
            }
            return new HostServer(store, services, events, u, tls, pacer);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The port listened on (useful when started on port 0). */
    public int port() {
        return port;
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8443}. */
    public String url(String host) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (tls.isPresent() ? "https://" : "http://") + h + ":" + port;
    }

    public Optional<Tls> tls() {
        return tls;
    }

    public HostStore store() {
        return store;
    }

    /** The host's use cases, for in-process callers ({@link net.saharasync.hostd.service.LocalHost}). */
    public HostServices services() {
        return services;
    }

    @Override
    public void close() {
        events.closeAll();
        undertow.stop();
        pacer.close();
        store.close();
    }
}
