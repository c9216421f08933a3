package net.saharasync.hostd.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import net.saharasync.blockstore.BlockStore;

/**
 * The host's Prometheus metrics ({@code GET /metrics}, administrators only: store-wide
 * figures such as the block count would otherwise be a side channel telling one user whether
 * an upload was new to the store).
 */
public final class HostMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("sahara_http_requests_total")
            .help("HTTP requests by route template, method and status").labelNames("route", "method", "status").register(registry);
    private final Counter bytesIn = Counter.builder().name("sahara_http_received_bytes_total")
            .help("request body bytes read").register(registry);
    private final Counter bytesOut = Counter.builder().name("sahara_http_sent_bytes_total")
            .help("response bytes sent (event streams count when they close)").register(registry);
    private final Counter uploadedBlocks = Counter.builder().name("sahara_uploaded_blocks_total")
            .help("blocks received in uploads, duplicates included").register(registry);
    private final Counter uploadedRaw = Counter.builder().name("sahara_uploaded_raw_bytes_total")
            .help("bytes the uploaded blocks decode to, duplicates included").register(registry);
    private final Counter newRaw = Counter.builder().name("sahara_stored_new_raw_bytes_total")
            .help("of those, bytes that were new to the store").register(registry);
    private final Counter commits = Counter.builder().name("sahara_commits_total")
            .help("commits accepted").register(registry);

    public HostMetrics(BlockStore blocks, IntSupplier connectedClients) {
        GaugeWithCallback.builder().name("sahara_blocks_stored").help("blocks and tree objects held")
                .callback(cb -> cb.call(blocks.stats().blocks())).register(registry);
        GaugeWithCallback.builder().name("sahara_block_raw_bytes").help("bytes the stored blocks decode to")
                .callback(cb -> cb.call(blocks.stats().rawBytes())).register(registry);
        GaugeWithCallback.builder().name("sahara_block_stored_bytes").help("bytes the stored blocks take after compression")
                .callback(cb -> cb.call(blocks.stats().storedBytes())).register(registry);
        GaugeWithCallback.builder().name("sahara_dedup_ratio")
                .help("raw bytes uploaded per raw byte newly stored, since start (1 = no duplicates)")
                .callback(cb -> cb.call(newRaw.get() == 0 ? 1.0 : uploadedRaw.get() / newRaw.get())).register(registry);
        GaugeWithCallback.builder().name("sahara_event_clients").help("connected event subscribers")
                .callback(cb -> cb.call(connectedClients.getAsInt())).register(registry);
    }

    void uploaded(int blocks, long rawBytes, long newRawBytes) {
        uploadedBlocks.inc(blocks);
        uploadedRaw.inc(rawBytes);
        newRaw.inc(newRawBytes);
    }

    void committed() {
        commits.inc();
    }

    /** The wrapper that counts every request when it completes. */
    public HttpHandler counting(HttpHandler next) {
        return ex -> {
            LongAdder in = new LongAdder();
            ex.putAttachment(Exchanges.BYTES_IN, in);
            ex.addExchangeCompleteListener((done, proceed) -> {
                try {
                    PathTemplateMatch m = done.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
                    String route = m == null ? "unmatched" : m.getMatchedTemplate();
                    requests.labelValues(route, done.getRequestMethod().toString(), Integer.toString(done.getStatusCode())).inc();
                    bytesIn.inc(in.sum());
                    bytesOut.inc(done.getResponseBytesSent());
                } finally {
                    proceed.proceed();
                }
            });
            next.handleRequest(ex);
        };
    }

    /** {@code GET /metrics}. */
    void scrape(HttpServerExchange ex) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, PrometheusTextFormatWriter.CONTENT_TYPE);
        ex.getResponseSender().send(java.nio.ByteBuffer.wrap(out.toByteArray()));
    }
}
