package net.saharasync.clientd.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockDelta;
import net.saharasync.blockstore.BlockFrames;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.CorruptBlockException;
import net.saharasync.blockstore.Hash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link HostConnection} over HTTP (java.net.http; HTTP/2 over TLS when the host offers it). */
public final class HttpHost implements HostConnection {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHost.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hashes per negotiation request and per download request (the host allows 1,048,576 and 131,072). */
    static final int MISSING_BATCH = 100_000;
    static final int FETCH_BATCH = 1024;

    private final String base;
    private final String token;
    private final HttpClient http;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    public HttpHost(String url, String token, Optional<String> pinnedFingerprint) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        pinnedFingerprint.ifPresent(f -> b.sslContext(Pinning.context(f)));
        this.http = b.build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token);
    }

    private byte[] send(HttpRequest.Builder r, String method, byte[] body) throws IOException {
        HttpRequest req = r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)).build();
        if (body != null) sent.addAndGet(body.length);
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
        received.addAndGet(resp.body().length);
        if (resp.statusCode() / 100 != 2) throw error(resp.statusCode(), resp.body());
        return resp.body();
    }

    private static HostError error(int status, byte[] body) {
        JsonNode j;
        try {
            j = JSON.readTree(body);
        } catch (IOException notJson) {
            j = JSON.createObjectNode().put("error", "unknown").put("message", new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (j == null || !j.isObject()) j = JSON.createObjectNode();
        return new HostError(status, j.path("error").asText("unknown"), j.path("message").asText(""), j);
    }

    private JsonNode json(String method, String path, Object body) throws IOException {
        byte[] b = body == null ? null : JSON.writeValueAsBytes(body);
        HttpRequest.Builder r = request(path);
        if (b != null) r.header("Content-Type", "application/json");
        return JSON.readTree(send(r, method, b));
    }

    private static Volume volume(JsonNode v) {
        JsonNode c = v.get("chunking");
        return new Volume(v.get("id").asText(), v.get("name").asText(),
                new ChunkerParams(c.get("min").asInt(), c.get("avg").asInt(), c.get("max").asInt()), head(v));
    }

    private static Head head(JsonNode v) {
        JsonNode h = v.get("head");
        return new Head(v.path("seq").asLong(), h == null || h.isNull() ? Optional.empty() : Optional.of(Hash.fromHex(h.asText())));
    }

    @Override
    public Volume volume(String id) throws IOException {
        return volume(json("GET", "/v1/volumes/" + id, null));
    }

    @Override
    public List<Volume> volumes() throws IOException {
        List<Volume> out = new ArrayList<>();
        for (JsonNode v : json("GET", "/v1/volumes", null).get("volumes")) out.add(volume(v));
        return out;
    }

    @Override
    public Volume createVolume(String name) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        return volume(json("POST", "/v1/volumes", body));
    }

    @Override
    public Head head(String volume) throws IOException {
        return head(json("GET", "/v1/volumes/" + volume + "/head", null));
    }

    @Override
    public Set<Hash> missing(List<Hash> hashes) throws IOException {
        Set<Hash> out = new HashSet<>();
        for (int from = 0; from < hashes.size(); from += MISSING_BATCH) {
            List<Hash> batch = hashes.subList(from, Math.min(hashes.size(), from + MISSING_BATCH));
            byte[] bitmap = send(request("/v1/blocks/missing").header("Content-Type", "application/octet-stream"), "POST", hashList(batch));
            for (int i = 0; i < batch.size(); i++) {
                if ((bitmap[i >> 3] >> (i & 7) & 1) == 1) out.add(batch.get(i));
            }
        }
        return out;
    }

    @Override
    public boolean concurrentRequests() {
        return true;
    }

    /** Two batches in flight: the host checks and durably stores one while the next is on the way. */
    @Override
    public int concurrentUploads() {
        return 2;
    }

    @Override
    public void upload(List<Upload> blocks) throws IOException {
        if (blocks.isEmpty()) return;
        // One exactly sized body: no growing and copying a 16 MiB buffer.
        long size = 0;
        for (Upload u : blocks) size += BlockFrames.frameLength(u.stored());
        ByteBuffer body = ByteBuffer.allocate(Math.toIntExact(size));
        for (Upload u : blocks) {
            u.hash().writeTo(body);
            body.putInt(u.stored().length).put(u.stored());
        }
        send(request("/v1/blocks").header("Content-Type", "application/x-sahara-blocks"), "POST", body.array());
    }

    @Override
    public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("commit", commit.toHex());
        expected.ifPresent(e -> body.put("expected", e.toHex()));
        try {
            return new Accepted(head(json("POST", "/v1/volumes/" + volume + "/commits", body)));
        } catch (HostError e) {
            if (e.status() == 409 && e.code().equals("head_moved")) return new Moved(head(e.body()));
            throw e;
        }
    }

    @Override
    public void fetch(List<Hash> hashes, BlockSink sink) throws IOException {
        for (int from = 0; from < hashes.size(); from += FETCH_BATCH) {
            List<Hash> batch = hashes.subList(from, Math.min(hashes.size(), from + FETCH_BATCH));
            streamFrames(request("/v1/blocks/fetch"), hashList(batch), batch,
                    (h, form) -> BlockCodec.decode(h, ByteBuffer.wrap(form), true), sink);
        }
    }

    /** Turns a received form into the block's bytes, checked against its hash. */
    private interface Decoder {
        byte[] decode(Hash h, byte[] form);
    }

    /** Posts {@code body} and hands each returned frame, decoded and checked, to {@code sink}, in the order asked. */
    private void streamFrames(HttpRequest.Builder req, byte[] body, List<Hash> batch, Decoder decoder, BlockSink sink) throws IOException {
        sent.addAndGet(body.length);
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) throw error(resp.statusCode(), in.readAllBytes());
            BlockFrames.Reader r = new BlockFrames.Reader(in);
            int i = 0;
            for (var f = r.next(); f.isPresent(); f = r.next(), i++) {
                received.addAndGet(BlockFrames.frameLength(f.get().stored()));
                if (i >= batch.size() || !f.get().hash().equals(batch.get(i))) {
                    throw new IOException("the host sent block " + f.get().hash().toHex() + " out of order");
                }
                byte[] data;
                try {
                    data = decoder.decode(f.get().hash(), f.get().stored());
                } catch (CorruptBlockException bad) {
                    throw new IOException("the host sent a corrupt block: " + bad.getMessage(), bad);
                }
                sink.accept(f.get().hash(), data);
            }
            if (i != batch.size()) throw new IOException("the host sent " + i + " of " + batch.size() + " blocks");
        }
    }

    @Override
    public List<byte[]> signatures(List<Hash> hashes) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < hashes.size(); from += FETCH_BATCH) {
            List<Hash> batch = hashes.subList(from, Math.min(hashes.size(), from + FETCH_BATCH));
            ByteBuffer b = ByteBuffer.wrap(send(request("/v1/blocks/signatures").header("Content-Type", "application/octet-stream"),
                    "POST", hashList(batch)));
            for (int i = 0; i < batch.size(); i++) {
                byte[] sig = new byte[b.getInt()];
                b.get(sig);
                out.add(sig);
            }
        }
        return out;
    }

    @Override
    public void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, java.util.function.Function<Hash, Optional<byte[]>> localBase,
                           BlockSink sink) throws IOException {
        if (bases.stream().allMatch(Optional::isEmpty)) {
            fetch(hashes, sink);
            return;
        }
        Hash none = Hash.fromBytes(new byte[Hash.BYTES]);
        for (int from = 0; from < hashes.size(); from += FETCH_BATCH) {
            int to = Math.min(hashes.size(), from + FETCH_BATCH);
            ByteBuffer body = ByteBuffer.allocate((to - from) * 2 * Hash.BYTES);
            for (int i = from; i < to; i++) {
                hashes.get(i).writeTo(body);
                bases.get(i).orElse(none).writeTo(body);
            }
            streamFrames(request("/v1/blocks/fetch-delta"), body.array(), hashes.subList(from, to),
                    (h, form) -> BlockDelta.resolve(h, form, localBase), sink);
        }
    }

    @Override
    public AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead) {
        AtomicBoolean open = new AtomicBoolean(true);
        AtomicLong last = new AtomicLong(afterSeq);
        List<Stream<String>> current = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread t = Thread.ofVirtual().name("sahara-events-" + volume).start(() -> {
            long backoff = 200;
            while (open.get()) {
                try {
                    HttpResponse<Stream<String>> resp = http.send(request("/v1/volumes/" + volume + "/events")
                            .timeout(Duration.ofDays(365)).header("Last-Event-ID", Long.toString(last.get())).GET().build(),
                            HttpResponse.BodyHandlers.ofLines());
                    if (resp.statusCode() != 200) throw new IOException("events: HTTP " + resp.statusCode());
                    backoff = 200;
                    try (Stream<String> lines = resp.body()) {
                        current.add(lines);
                        if (!open.get()) return;
                        lines.forEach(line -> {
                            if (!line.startsWith("data:")) return;
                            try {
                                JsonNode j = JSON.readTree(line.substring(5).trim());
                                Head h = head(j);
                                if (h.seq() > last.get()) {
                                    last.set(h.seq());
                                    onHead.accept(h);
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                        current.remove(lines);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (!open.get()) return;
                    LOG.debug("event stream of {} broke ({}); reconnecting", volume, e.toString());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = Math.min(5_000, backoff * 2);
            }
        });
        return () -> {
            open.set(false);
            current.forEach(Stream::close);
            t.interrupt();
        };
    }

    private static byte[] hashList(List<Hash> hashes) {
        ByteBuffer b = ByteBuffer.allocate(hashes.size() * Hash.BYTES);
        for (Hash h : hashes) h.writeTo(b);
        return b.array();
    }

    @Override
    public long bytesSent() {
        return sent.get();
    }

    @Override
    public long bytesReceived() {
        return received.get();
    }

    @Override
    public void close() {
        http.close();
    }
}
