package net.saharasync.protocol.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
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
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.CorruptBlockException;
import net.saharasync.blockstore.Hash;
import net.saharasync.protocol.Access;
import net.saharasync.protocol.BlockSink;
import net.saharasync.protocol.Caller;
import net.saharasync.protocol.CommitResult;
import net.saharasync.protocol.ErrorCode;
import net.saharasync.protocol.Head;
import net.saharasync.protocol.HistoryEntry;
import net.saharasync.protocol.HostApi;
import net.saharasync.protocol.HostError;
import net.saharasync.protocol.HostUnreachable;
import net.saharasync.protocol.Invitation;
import net.saharasync.protocol.IssuedToken;
import net.saharasync.protocol.Limits;
import net.saharasync.protocol.MediaTypes;
import net.saharasync.protocol.Member;
import net.saharasync.protocol.ShareOutcome;
import net.saharasync.protocol.Upload;
import net.saharasync.protocol.Volume;
import net.saharasync.protocol.wire.BlockDelta;
import net.saharasync.protocol.wire.BlockFrames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HostApi} over HTTP. Requests go over {@link HttpURLConnection} (HTTP/1.1,
 * kept-alive connections), the event stream over java.net.http. The JDK's newer client hands
 * every 16 KiB read from its selector thread to a worker and on to the reading thread; on this
 * project's 2-core test machine that capped a 1 GiB download at 300-400 MB/s where the
 * blocking client, which reads on the caller's thread, moved 1.2-1.5 GB/s from the same host
 * (docs/BENCHMARKS.md). Request bodies are written straight to the socket, in fixed-length
 * streaming mode: an upload batch is never copied together first.
 */
public final class HttpHost implements HostApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHost.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hashes per negotiation request and per download request (the host allows 1,048,576 and 131,072). */
    public static final int MISSING_BATCH = 100_000;
    public static final int FETCH_BATCH = 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int READ_TIMEOUT_MILLIS = 5 * 60_000;
    /** Bodies up to this size are sent with their headers in one write (see {@link #open}). */
    private static final long STREAM_ABOVE = 4096;

    private final String base;
    private final String token;
    private final Optional<javax.net.ssl.SSLContext> pinned;
    /** The event stream's client, made on the first subscription (`sync --once` never needs its threads). */
    private HttpClient events;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    /** Connections in use, disconnected by {@link #close} so no caller waits out a read timeout. */
    private final Set<HttpURLConnection> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public HttpHost(String url, String token, Optional<String> pinnedFingerprint) {
        if (url == null || !url.matches("(?i)https?://[^/\\s]+(/.*)?")) {
            String example = url == null ? "http://127.0.0.1:7420" : "http://" + url.replaceFirst("^[a-zA-Z]+:/*", "");
            throw new IllegalArgumentException("'" + url + "' is not a host URL: write it with its scheme, e.g. " + example
                    + " (or https://… for a host started with --tls)");
        }
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
        this.pinned = pinnedFingerprint.map(Pinning::context);
    }

    private synchronized HttpClient events() {
        if (events == null) {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS));
            pinned.ifPresent(b::sslContext);
            events = b.build();
        }
        return events;
    }

    /** A request body, written straight to the connection. */
    private interface Body {
        long length();

        void writeTo(OutputStream out) throws IOException;
    }

    private static Body bytes(byte[] b) {
        return new Body() {
            @Override
            public long length() {
                return b.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(b);
            }
        };
    }

    /** Reads a successful response's body (the stream is closed afterwards). */
    private interface Reader<T> {
        T read(InputStream in) throws IOException;
    }

    /**
     * One request. A request that fails before any answer arrives (e.g. on a kept-alive
     * connection the host closed meanwhile) is sent once more on a new connection when
     * {@code idempotent}; never once an answer has started, since its reader may have consumed
     * part of it. An error status becomes a {@link HostError}.
     */
    private <T> T call(String method, String path, String contentType, Body body, boolean idempotent, Reader<T> reader) throws IOException {
        try {
            return attempt(method, path, contentType, body, idempotent, reader);
        } catch (HostError | HostUnreachable known) {
            throw known;
        } catch (IOException e) {
            HostUnreachable why = Unreachable.explain(base, pinned.isPresent(), e, readTimeout(method, body));
            if (why != null) throw why;
            throw e;
        }
    }

    /**
     * How long a request may wait for the host's answer: a small GET (volumes, head, who am I)
     * 30 s, so a host that accepts and never answers is named at once; anything that moves
     * blocks or has the host check a tree 5 minutes.
     */
    private static int readTimeout(String method, Body body) {
        return method.equals("GET") && body == null ? Integer.getInteger("sahara.http.controlTimeoutMillis", 30_000) : READ_TIMEOUT_MILLIS;
    }

    private <T> T attempt(String method, String path, String contentType, Body body, boolean idempotent, Reader<T> reader) throws IOException {
        int busy = 0;
        for (int attempt = 0; ; attempt++) {
            if (closed) throw new IOException("the connection to the host is closed");
            HttpURLConnection c = open(method, path, contentType, body);
            active.add(c);
            try {
                int status;
                try {
                    if (body != null) {
                        try (OutputStream out = c.getOutputStream()) {
                            body.writeTo(out);
                        }
                        sent.addAndGet(body.length());
                    }
                    status = c.getResponseCode();
                } catch (java.net.SocketTimeoutException | java.net.UnknownHostException | javax.net.ssl.SSLException e) {
                    c.disconnect();
                    throw e;
                } catch (IOException e) {
                    c.disconnect();
                    if (!idempotent || attempt > 0 || closed) throw e;
                    LOG.debug("{} {} failed before an answer ({}); trying once more on a new connection", method, path, e.toString());
                    continue;
                }
                if (status / 100 != 2) {
                    byte[] err;
                    try (InputStream e = c.getErrorStream()) {
                        err = e == null ? new byte[0] : e.readAllBytes();
                    }
                    received.addAndGet(err.length);
                    // 429: the host refused before doing anything (this user has as many requests
                    // in flight as it serves at once), so any request may be sent again.
                    if (status == 429 && busy < MAX_BUSY_RETRIES && !closed) {
                        busy++;
                        attempt--;
                        waitBusy(c.getHeaderField("Retry-After"), busy);
                        continue;
                    }
                    throw error(status, err);
                }
                boolean done = false;
                try (InputStream in = new CountingStream(c.getInputStream())) {
                    T t = reader.read(in);
                    done = true;
                    return t;
                } finally {
                    // A body not read to its end leaves the connection unusable for the next request.
                    if (!done) c.disconnect();
                }
            } finally {
                active.remove(c);
            }
        }
    }

    /** How often a request refused with 429 is sent again (about ten minutes of waiting at most). */
    static final int MAX_BUSY_RETRIES = 60;

    private static void waitBusy(String retryAfter, int busy) throws IOException {
        long seconds = 1;
        try {
            if (retryAfter != null) seconds = Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException ignored) {
            // a date or garbage: the default
        }
        // At least what the host asked, growing with each refusal up to 10 s, with jitter so
        // a user's devices do not come back in step.
        long millis = Math.min(10_000, Math.max(1, seconds) * 1000L * Math.min(busy, 10) / 2 + 500);
        millis += java.util.concurrent.ThreadLocalRandom.current().nextLong(250);
        LOG.debug("host busy (429); trying again in {} ms", millis);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the host was busy");
        }
    }

    private HttpURLConnection open(String method, String path, String contentType, Body body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        if (c instanceof javax.net.ssl.HttpsURLConnection https && pinned.isPresent()) {
            https.setSSLSocketFactory(pinned.get().getSocketFactory());
            // The pinned certificate is the host's identity; its name is not what is trusted.
            https.setHostnameVerifier((name, session) -> true);
        }
        c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        c.setReadTimeout(readTimeout(method, body));
        c.setUseCaches(false);
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(method);
        c.setRequestProperty("Authorization", "Bearer " + token);
        if (contentType != null) c.setRequestProperty("Content-Type", contentType);
        if (body != null) {
            c.setDoOutput(true);
            // A small body is buffered and goes out in the same write as the headers. Streamed,
            // it was a second small write that Nagle's algorithm held until the host acknowledged
            // the headers, which the host delays: up to 40 ms per request (JDK sockets here have
            // no TCP_NODELAY), most of a small edit's tree fetch.
            if (body.length() > STREAM_ABOVE) c.setFixedLengthStreamingMode(body.length());
        }
        return c;
    }

    /** Counts the response bytes read. */
    private final class CountingStream extends java.io.FilterInputStream {
        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) received.incrementAndGet();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) received.addAndGet(n);
            return n;
        }
    }

    private byte[] send(String method, String path, String contentType, byte[] body, boolean idempotent) throws IOException {
        return call(method, path, contentType, body == null ? null : bytes(body), idempotent, InputStream::readAllBytes);
    }

    private static HostError error(int status, byte[] body) {
        JsonNode j;
        try {
            j = JSON.readTree(body);
        } catch (IOException notJson) {
            j = JSON.createObjectNode().put("error", "unknown").put("message", new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (j == null || !j.isObject()) j = JSON.createObjectNode();
        String code = j.path("error").asText("unknown");
        String message = j.path("message").asText("");
        if (status == 507 || code.equals("insufficient_storage")) message = "the host is out of space: " + message;
        return new HostError(status, code, message, j);
    }

    private JsonNode json(String method, String path, Object body) throws IOException {
        byte[] b = body == null ? null : JSON.writeValueAsBytes(body);
        // Of the JSON calls only a commit and a new volume change state on the host.
        boolean idempotent = method.equals("GET");
        return JSON.readTree(send(method, path, b == null ? null : "application/json", b, idempotent));
    }

    private static Volume volume(JsonNode v) {
        JsonNode c = v.get("chunking");
        return new Volume(v.get("id").asText(), v.get("name").asText(),
                new ChunkerParams(c.get("min").asInt(), c.get("avg").asInt(), c.get("max").asInt()), head(v),
                v.path("owner").asText(""), Access.fromWire(v.path("access").asText("")).orElse(Access.READ), v.path("entries").asLong(0));
    }

    /**
     * {@inheritDoc} ({@code POST /v1/tokens}). The device name is made to fit the host's rule
     * (1-64 letters, digits, spaces, '.', '_', '-').
     */
    @Override
    public IssuedToken issueDeviceToken(String device) throws IOException {
        String name = device.replaceAll("[^\\p{L}\\p{N} ._-]", "_");
        if (name.isBlank()) name = "device";
        if (name.length() > 64) name = name.substring(0, 64);
        JsonNode t = json("POST", "/v1/tokens", java.util.Map.of("device", name));
        return new IssuedToken(t.path("token").asText(), t.path("id").asText(), t.path("device").asText());
    }

    @Override
    public Caller whoAmI() throws IOException {
        JsonNode me = json("GET", "/v1/me", null);
        return new Caller(me.path("user").asText(), me.path("admin").asBoolean(), me.path("device").asText(), me.path("token").asText());
    }

    @Override
    public void revokeToken(String tokenId) throws IOException {
        json("DELETE", "/v1/tokens/" + encode(tokenId), null);
    }

    @Override
    public List<Invitation> invitations() throws IOException {
        List<Invitation> out = new ArrayList<>();
        for (JsonNode v : json("GET", "/v1/invitations", null).path("invitations")) {
            out.add(new Invitation(v.path("id").asText(), v.path("name").asText(), v.path("owner").asText(),
                    Access.fromWire(v.path("access").asText()).orElse(Access.READ)));
        }
        return out;
    }

    @Override
    public Volume accept(String volumeId) throws IOException {
        return volume(json("POST", "/v1/volumes/" + encode(volumeId) + "/accept", JSON.createObjectNode()));
    }

    @Override
    public void leave(String volumeId) throws IOException {
        json("DELETE", "/v1/volumes/" + encode(volumeId) + "/membership", null);
    }

    @Override
    public ShareOutcome share(String volumeId, String user, Access access) throws IOException {
        String state = json("PUT", "/v1/volumes/" + encode(volumeId) + "/grants/" + encode(user),
                JSON.createObjectNode().put("access", access.wireName())).path("state").asText();
        return ShareOutcome.valueOf(state.toUpperCase(java.util.Locale.ROOT));
    }

    @Override
    public List<Member> members(String volumeId) throws IOException {
        List<Member> out = new ArrayList<>();
        for (JsonNode m : json("GET", "/v1/volumes/" + encode(volumeId) + "/members", null).path("members")) {
            out.add(new Member(m.path("user").asText(), Access.fromWire(m.path("access").asText()).orElse(Access.NONE),
                    m.path("state").asText().equals("invited")));
        }
        return out;
    }

    @Override
    public List<HistoryEntry> history(String volumeId, long beforeSeq, int limit) throws IOException {
        List<HistoryEntry> out = new ArrayList<>();
        JsonNode page = json("GET", "/v1/volumes/" + encode(volumeId) + "/commits?before=" + beforeSeq + "&limit=" + limit, null);
        for (JsonNode c : page.path("commits")) {
            out.add(new HistoryEntry(c.path("seq").asLong(), Hash.fromHex(c.path("commit").asText()), c.path("accepted").asLong(),
                    c.path("user").asText()));
        }
        return out;
    }

    /** A path segment as the caller gave it, never able to reach another endpoint. */
    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Head head(JsonNode v) {
        JsonNode h = v.get("head");
        return new Head(v.path("seq").asLong(), h == null || h.isNull() ? Optional.empty() : Optional.of(Hash.fromHex(h.asText())));
    }

    @Override
    public Volume volume(String id) throws IOException {
        return volume(json("GET", "/v1/volumes/" + encode(id), null));
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
        return head(json("GET", "/v1/volumes/" + encode(volume) + "/head", null));
    }

    @Override
    public Set<Hash> missing(List<Hash> hashes) throws IOException {
        Set<Hash> out = new HashSet<>();
        for (int from = 0; from < hashes.size(); from += MISSING_BATCH) {
            List<Hash> batch = hashes.subList(from, Math.min(hashes.size(), from + MISSING_BATCH));
            byte[] bitmap = send("POST", "/v1/blocks/missing", "application/octet-stream", hashList(batch), true);
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
        long size = 0;
        for (Upload u : blocks) size += BlockFrames.FRAME_HEADER + (long) u.length();
        long length = size;
        // Frames are written from where they lie (a chunk's payload is not copied into a body).
        Body body = new Body() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                ByteBuffer head = ByteBuffer.allocate(BlockFrames.FRAME_HEADER);
                for (Upload u : blocks) {
                    head.clear();
                    u.hash().writeTo(head);
                    head.putInt(u.length());
                    out.write(head.array());
                    for (ByteBuffer part : u.parts()) {
                        ByteBuffer p = part.duplicate();
                        if (p.hasArray()) {
                            out.write(p.array(), p.arrayOffset() + p.position(), p.remaining());
                        } else {
                            byte[] copy = new byte[p.remaining()];
                            p.get(copy);
                            out.write(copy);
                        }
                    }
                }
            }
        };
        // Blocks are content-addressed: storing a batch twice changes nothing.
        call("POST", "/v1/blocks", MediaTypes.BLOCKS, body, true, InputStream::readAllBytes);
    }

    @Override
    public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("commit", commit.toHex());
        expected.ifPresent(e -> body.put("expected", e.toHex()));
        try {
            return new CommitResult.Accepted(head(json("POST", "/v1/volumes/" + encode(volume) + "/commits", body)));
        } catch (HostError e) {
            if (e.is(ErrorCode.HEAD_MOVED) && e.body() != null) return new CommitResult.Moved(head(e.body()));
            if (e.is(ErrorCode.MISSING_OBJECTS) && e.body() != null) {
                List<Hash> missing = new ArrayList<>();
                for (JsonNode h : e.body().path("missing")) missing.add(Hash.fromHex(h.asText()));
                return new CommitResult.Incomplete(missing, e.body().path("missingCount").asLong(missing.size()));
            }
            throw e;
        }
    }

    @Override
    public void fetch(List<Hash> hashes, BlockSink sink) throws IOException {
        for (int from = 0; from < hashes.size(); from += FETCH_BATCH) {
            List<Hash> batch = hashes.subList(from, Math.min(hashes.size(), from + FETCH_BATCH));
            streamFrames("/v1/blocks/fetch", hashList(batch), batch, BlockCodec::decodeView, sink);
        }
    }

    /** Turns a received form into the block's bytes, checked against its hash. */
    private interface Decoder {
        ByteBuffer decode(Hash h, byte[] a, int off, int len);
    }

    /**
     * Where downloads read each frame (a sink sees a block only during its call, so one array
     * serves a whole response), reused across responses. A pool rather than a thread-local:
     * downloads run on virtual threads, one per batch of files, which would each allocate and
     * zero their own array.
     */
    private static final java.util.concurrent.ConcurrentLinkedQueue<byte[]> FRAME_BUFFERS = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int POOLED_FRAME_BUFFERS = 8;

    /** Posts {@code body} and hands each returned frame, decoded and checked, to {@code sink}, in the order asked. */
    private void streamFrames(String path, byte[] body, List<Hash> batch, Decoder decoder, BlockSink sink) throws IOException {
        call("POST", path, "application/octet-stream", bytes(body), true, in -> {
            byte[] frames = FRAME_BUFFERS.poll();
            if (frames == null) frames = new byte[BlockFrames.MAX_STORED];
            try {
                readFrames(new BlockFrames.Reader(new java.io.BufferedInputStream(in, 1 << 16), frames), batch, decoder, sink);
            } finally {
                if (FRAME_BUFFERS.size() < POOLED_FRAME_BUFFERS) FRAME_BUFFERS.offer(frames);
            }
            return null;
        });
    }

    /** Checks each frame's order and hash and hands its block to {@code sink}; the frame array is reused. */
    private static void readFrames(BlockFrames.Reader r, List<Hash> batch, Decoder decoder, BlockSink sink) throws IOException {
        int i = 0;
        for (var f = r.next(); f.isPresent(); f = r.next(), i++) {
            if (i >= batch.size() || !f.get().hash().equals(batch.get(i))) {
                throw new IOException("the host sent block " + f.get().hash().toHex() + " out of order");
            }
            ByteBuffer data;
            try {
                data = decoder.decode(f.get().hash(), f.get().array(), f.get().offset(), f.get().length());
            } catch (CorruptBlockException bad) {
                throw new IOException("the host sent a corrupt block: " + bad.getMessage(), bad);
            }
            sink.accept(f.get().hash(), data.array(), data.arrayOffset() + data.position(), data.remaining());
            r.release();
        }
        if (i != batch.size()) throw new IOException("the host sent " + i + " of " + batch.size() + " blocks");
    }

    @Override
    public List<byte[]> signatures(List<Hash> hashes) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < hashes.size(); from += FETCH_BATCH) {
            List<Hash> batch = hashes.subList(from, Math.min(hashes.size(), from + FETCH_BATCH));
            ByteBuffer b = ByteBuffer.wrap(send("POST", "/v1/blocks/signatures", "application/octet-stream", hashList(batch), true));
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
            streamFrames("/v1/blocks/fetch-delta", body.array(), hashes.subList(from, to),
                    (h, a, off, len) -> ByteBuffer.wrap(BlockDelta.resolve(h, java.util.Arrays.copyOfRange(a, off, off + len), localBase)), sink);
        }
    }

    @Override
    public AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead) {
        AtomicBoolean open = new AtomicBoolean(true);
        AtomicLong last = new AtomicLong(afterSeq);
        List<Stream<String>> current = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpClient events = events();
        Thread t = Thread.ofVirtual().name("sahara-events-" + volume).start(() -> {
            long backoff = 200;
            // The first failure of a run is a warning (a stream that cannot connect means no live
            // events: changes arrive only with the next rescan); its repeats are debug lines.
            boolean failing = false;
            while (open.get()) {
                try {
                    HttpResponse<Stream<String>> resp = events.send(HttpRequest.newBuilder(URI.create(base + "/v1/volumes/" + encode(volume) + "/events"))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofDays(365)).header("Last-Event-ID", Long.toString(last.get())).GET().build(),
                            HttpResponse.BodyHandlers.ofLines());
                    if (resp.statusCode() != 200) throw new IOException("events: HTTP " + resp.statusCode());
                    backoff = 200;
                    if (failing) LOG.info("event stream of {} connected again", volume);
                    failing = false;
                    try (Stream<String> lines = resp.body()) {
                        current.add(lines);
                        if (!open.get()) return;
                        ServerSentEvents.read(lines.iterator(), e -> {
                            if (e.type().equals("head") || e.type().equals("reset")) {
                                Head h;
                                try {
                                    h = head(JSON.readTree(e.data()));
                                } catch (IOException bad) {
                                    throw new UncheckedIOException(bad);
                                }
                                if (h.seq() > last.get()) {
                                    last.set(h.seq());
                                    onHead.accept(h);
                                }
                            }
                        });
                        current.remove(lines);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (!open.get()) return;
                    if (!failing) {
                        LOG.warn("event stream of {} at {} failed ({}); no live events until it reconnects", volume, base, describe(e));
                    } else {
                        LOG.debug("event stream of {} still failing ({}); reconnecting", volume, e.toString());
                    }
                    failing = true;
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

    /** An exception with its causes, so a TLS failure wrapped by the HTTP client still says what TLS said. */
    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(e.toString());
        java.util.Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable c = e.getCause(); c != null && seen.add(c) && seen.size() < 5; c = c.getCause()) {
            if (c.getMessage() == null || !b.toString().contains(c.getMessage())) b.append(": ").append(c);
        }
        return b.toString();
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
        closed = true;
        for (HttpURLConnection c : active) c.disconnect();
        synchronized (this) {
            if (events != null) {
                // Not close(): it waits for every exchange to finish, and an event stream whose
                // request was interrupted just as its response arrived never finishes (a daemon
                // stopped at that moment hung for good). Event streams are only ever cut off.
                events.shutdownNow();
                try {
                    if (!events.awaitTermination(Duration.ofSeconds(5))) LOG.debug("event client of {} did not stop within 5 s", base);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
