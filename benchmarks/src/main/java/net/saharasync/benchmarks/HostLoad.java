package net.saharasync.benchmarks;

import net.saharasync.hostd.store.lmdb.LmdbHostStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.saharasync.blockstore.Block;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.blockstore.Chunk;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.FileTree;
import net.saharasync.merkle.Missing;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeParams;

/**
 * End-to-end figures of a real host on loopback, measured with wall clocks around whole
 * requests: upload and download of a volume (default 1 GiB of random data), negotiation of
 * 1,000,000 hashes, commit latency, and how long a new head takes to reach 100 subscribers.
 * The client side is deliberately plain (java.net.http, one request at a time) so the
 * figures are the host's.
 */
public final class HostLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH_BYTES = 32 << 20;
    private static final int IN_FLIGHT = Integer.getInteger("inFlight", 2);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String token;

    private HostLoad(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--serve")) {
            serve(Path.of(args[1]));
            return;
        }
        Map<String, String> opt = options(args);
        int mib = Integer.parseInt(opt.getOrDefault("mib", "1024"));
        int hashes = Integer.parseInt(opt.getOrDefault("hashes", "1000000"));
        int commits = Integer.parseInt(opt.getOrDefault("commits", "200"));
        int subscribers = Integer.parseInt(opt.getOrDefault("subscribers", "100"));
        Path dir = opt.containsKey("dir") ? Path.of(opt.get("dir")) : Files.createTempDirectory("sahara-host-load");
        System.out.printf("host-load: JDK %s, %d cores, data in %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(), dir);
        String token;
        try (HostStore store = LmdbHostStore.open(dir)) {
            token = store.accounts().issueToken(store.accounts().addUser("bench", true), "bench").secret();
        }
        // The host runs in its own JVM (as in real use), so the client's garbage is not the host's.
        Process host = spawnHost(dir);
        try {
            HostLoad load = new HostLoad("http://127.0.0.1:" + readPort(host), token);
            String volume = load.json("POST", "/v1/volumes", "{\"name\":\"bench\"}").get("id").asText();
            load.volumeRoundTrip(volume, mib);
            load.negotiation(hashes);
            load.commitsAndFanOut(volume, commits, subscribers);
        } finally {
            host.destroy();
            if (!host.waitFor(30, TimeUnit.SECONDS)) host.destroyForcibly().waitFor();
            if (!opt.containsKey("dir")) deleteTree(dir);
        }
    }

    private static void serve(Path dir) throws InterruptedException {
        HostServer server = HostServer.start(HostConfig.loopback(dir, 0));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static Process spawnHost(Path dir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), HostLoad.class.getName(), "--serve", dir.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int readPort(Process p) throws IOException {
        var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith("PORT ")) return Integer.parseInt(line.substring(5).trim());
        }
        throw new IllegalStateException("the host process exited before listening");
    }

    // ---- the workloads ----

    private void volumeRoundTrip(String volume, int mib) throws Exception {
        // Client-side preparation (not timed): chunk seeded random data, encode stored forms as a client would.
        InMemoryBlockStore local = new InMemoryBlockStore();
        ObjectStore objects = new ObjectStore(local);
        List<Entry> files = new ArrayList<>();
        List<Hash> chunkHashes = new ArrayList<>();
        int fileMib = 64;
        for (int f = 0; f * fileMib < mib; f++) {
            byte[] data = new byte[Math.min(fileMib, mib - f * fileMib) << 20];
            SplittableRandom r = new SplittableRandom(f);
            for (int i = 0; i < data.length; i += 8) ByteBuffer.wrap(data, i, 8).putLong(r.nextLong());
            List<Chunk> chunks = Chunker.defaults().chunkAndHash(new ByteArrayInputStream(data));
            List<Block> blocks = new ArrayList<>();
            for (Chunk c : chunks) {
                blocks.add(Block.withHash(c.hash(), Arrays.copyOfRange(data, (int) c.offset(), (int) c.end())));
                chunkHashes.add(c.hash());
            }
            local.putAll(blocks);
            FileRef ref = FileTree.fromChunks(chunks, objects, TreeParams.DEFAULT);
            files.add(Entry.file(String.format("file-%03d.bin", f), ref, false, 1));
        }
        DirRef root = DirectoryTree.build(files, objects, TreeParams.DEFAULT);
        Hash commit = objects.write(new Commit(root, List.of(), "bench", System.currentTimeMillis()));
        objects.flush();
        List<Hash> toSend = new ArrayList<>(Missing.missing(objects, root, this::missing));
        toSend.add(commit);
        List<byte[]> bodies = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Hash h : toSend) {
            BlockFrames.write(body, h, local.getStored(h).orElseThrow());
            if (body.size() >= BATCH_BYTES) {
                bodies.add(body.toByteArray());
                body.reset();
            }
        }
        if (body.size() > 0) bodies.add(body.toByteArray());
        long wire = bodies.stream().mapToLong(b -> b.length).sum();

        // IN_FLIGHT batches at once (default 2, as a client should: the host checks one while
        // the other's durable LMDB write is under way), each a plain blocking POST.
        // (java.net.http's HttpClient tops out near 180 MB/s sending large bodies on this
        // machine, below what the host takes, so uploads go through HttpURLConnection.)
        long t0 = System.nanoTime();
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(IN_FLIGHT);
        List<java.util.concurrent.Future<Integer>> sent = new ArrayList<>();
        for (byte[] b : bodies) sent.add(senders.submit(() -> post("/v1/blocks", b)));
        for (var f : sent) {
            if (f.get() != 200) throw new IllegalStateException("upload failed: " + f.get());
        }
        senders.shutdown();
        long t1 = System.nanoTime();
        json("POST", "/v1/volumes/" + volume + "/commits", "{\"commit\":\"" + commit.toHex() + "\"}");
        long t2 = System.nanoTime();
        System.out.printf("upload   %5d MiB in %d batches of 32 MiB, %d in flight: %7.1f MB/s (%.2f s); first commit of %d objects: %.0f ms%n",
                mib, bodies.size(), IN_FLIGHT, wire / 1e6 / secs(t1 - t0), secs(t1 - t0), toSend.size(), (t2 - t1) / 1e6);

        // Download every chunk, in requests of 1024 chunks (~64 MiB), reading every frame: the
        // first pass right after the upload, then warm passes with each of the JDK's two HTTP
        // clients (java.net.http hands every 16 KiB between threads; HttpURLConnection reads
        // on the caller's thread; the client uses the latter for requests since 2026-12-01).
        System.out.printf("download %5d MiB, first pass (HttpURLConnection): %s%n", mib, download(chunkHashes, false));
        for (int rep = 0; rep < 3; rep++) {
            System.out.printf("download %5d MiB, warm: HttpURLConnection %s, java.net.http %s%n", mib,
                    download(chunkHashes, false), download(chunkHashes, true));
        }
    }

    /** Fetches every chunk once; returns the rate. */
    private String download(List<Hash> chunkHashes, boolean jdkHttpClient) throws Exception {
        long t0 = System.nanoTime(), got = 0;
        for (int i = 0; i < chunkHashes.size(); i += 1024) {
            byte[] asked = hashList(chunkHashes.subList(i, Math.min(chunkHashes.size(), i + 1024)));
            InputStream body;
            if (jdkHttpClient) {
                HttpResponse<InputStream> resp = http.send(req("/v1/blocks/fetch").POST(HttpRequest.BodyPublishers.ofByteArray(asked)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (resp.statusCode() != 200) throw new IllegalStateException("fetch: " + resp.statusCode());
                body = resp.body();
            } else {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(base + "/v1/blocks/fetch").toURL().openConnection();
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.setRequestProperty("Authorization", "Bearer " + token);
                c.setFixedLengthStreamingMode(asked.length);
                try (java.io.OutputStream o = c.getOutputStream()) {
                    o.write(asked);
                }
                if (c.getResponseCode() != 200) throw new IllegalStateException("fetch: " + c.getResponseCode());
                body = new java.io.BufferedInputStream(c.getInputStream(), 1 << 16);
            }
            try (InputStream in = body) {
                BlockFrames.Reader r = new BlockFrames.Reader(in);
                for (var f = r.next(); f.isPresent(); f = r.next()) got += BlockFrames.FRAME_HEADER + f.get().length();
            }
        }
        double secs = secs(System.nanoTime() - t0);
        return String.format("%7.1f MB/s (%.2f s)", got / 1e6 / secs, secs);
    }

    private void negotiation(int n) throws Exception {
        SplittableRandom r = new SplittableRandom(99);
        List<Hash> hashes = new ArrayList<>(n);
        byte[] b = new byte[32];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 32; j += 8) ByteBuffer.wrap(b, j, 8).putLong(r.nextLong());
            hashes.add(Hash.fromBytes(b));
        }
        byte[] body = hashList(hashes);
        missingBitmap(body); // warm-up
        long t0 = System.nanoTime();
        byte[] bitmap = missingBitmap(body);
        long t1 = System.nanoTime();
        System.out.printf("negotiate %,d hashes in one request: %.0f ms (%,.0f hashes/s; %d KB up, %d KB down)%n",
                n, (t1 - t0) / 1e6, n / secs(t1 - t0), body.length / 1000, bitmap.length / 1000);
    }

    private void commitsAndFanOut(String volume, int commits, int subscribers) throws Exception {
        List<Subscriber> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) subs.add(new Subscriber("/v1/volumes/" + volume + "/events"));
        for (Subscriber s : subs) s.take(); // each starts with the current head
        InMemoryBlockStore local = new InMemoryBlockStore();
        ObjectStore objects = new ObjectStore(local);
        Optional<Hash> head = Optional.of(Hash.fromHex(json("GET", "/v1/volumes/" + volume + "/head", null).get("head").asText()));
        long[] commitNanos = new long[commits];
        long[] lastSubscriberNanos = new long[commits];
        for (int i = 0; i < commits; i++) {
            // A one-file edit: the new chunk, the changed folder node and the commit.
            byte[] content = ("edit " + i).getBytes();
            Block chunk = Block.of(content);
            local.put(chunk);
            DirRef root = DirectoryTree.build(List.of(Entry.file("notes.txt", new FileRef(chunk.hash(), content.length, 0), false, i)),
                    objects, TreeParams.DEFAULT);
            Hash c = objects.write(new Commit(root, List.of(head.get()), "bench", System.currentTimeMillis()));
            objects.flush();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (Hash h : List.of(chunk.hash(), root.root(), c)) BlockFrames.write(body, h, local.getStored(h).orElseThrow());
            request("POST", "/v1/blocks", body.toByteArray(), 200);
            long t0 = System.nanoTime();
            json("POST", "/v1/volumes/" + volume + "/commits", "{\"commit\":\"" + c.toHex() + "\",\"expected\":\"" + head.get().toHex() + "\"}");
            commitNanos[i] = System.nanoTime() - t0;
            long last = 0;
            for (Subscriber s : subs) last = Math.max(last, s.take() - t0);
            lastSubscriberNanos[i] = last;
            head = Optional.of(c);
        }
        subs.forEach(Subscriber::close);
        System.out.printf("commit latency (small edit, %d commits): p50 %.2f ms, p99 %.2f ms%n",
                commits, pct(commitNanos, 50), pct(commitNanos, 99));
        System.out.printf("fan-out to %d subscribers (commit sent -> last subscriber has the event): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                subscribers, pct(lastSubscriberNanos, 50), pct(lastSubscriberNanos, 99), pct(lastSubscriberNanos, 100));
    }

    // ---- a plain client ----

    private final class Subscriber implements AutoCloseable {
        final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        final Stream<String> lines;

        Subscriber(String path) throws Exception {
            HttpResponse<Stream<String>> resp = http.send(req(path).GET().build(), HttpResponse.BodyHandlers.ofLines());
            lines = resp.body();
            Thread.ofVirtual().start(() -> {
                try {
                    net.saharasync.protocol.http.ServerSentEvents.read(lines.iterator(), e -> arrivals.add(System.nanoTime()));
                } catch (RuntimeException closed) {
                    // closed by us
                }
            });
        }

        long take() throws InterruptedException {
            Long t = arrivals.poll(30, TimeUnit.SECONDS);
            if (t == null) throw new IllegalStateException("no event within 30 s");
            return t;
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token);
    }

    private byte[] request(String method, String path, byte[] body, int want) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpResponse<byte[]> resp = http.send(req(path).method(method, p).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != want) throw new IllegalStateException(method + " " + path + ": " + resp.statusCode() + " " + new String(resp.body()));
        return resp.body();
    }

    /** A POST through HttpURLConnection (fixed-length streaming, no Expect header); returns the status. */
    private int post(String path, byte[] body) throws IOException {
        var c = (java.net.HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(body.length);
        c.setRequestProperty("Authorization", "Bearer " + token);
        c.setRequestProperty("Content-Type", "application/x-sahara-blocks");
        try (var out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) in.readAllBytes();
        }
        return status;
    }

    private JsonNode json(String method, String path, String body) throws IOException, InterruptedException {
        byte[] out = request(method, path, body == null ? null : body.getBytes(), method.equals("POST") && path.equals("/v1/volumes") ? 201 : 200);
        return JSON.readTree(out);
    }

    private byte[] missingBitmap(byte[] hashList) {
        try {
            return request("POST", "/v1/blocks/missing", hashList, 200);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private java.util.Set<Hash> missing(List<Hash> hashes) {
        byte[] bitmap = missingBitmap(hashList(hashes));
        java.util.Set<Hash> out = new java.util.HashSet<>();
        for (int i = 0; i < hashes.size(); i++) if ((bitmap[i >> 3] >> (i & 7) & 1) == 1) out.add(hashes.get(i));
        return out;
    }

    private static byte[] hashList(List<Hash> hashes) {
        ByteBuffer b = ByteBuffer.allocate(hashes.size() * Hash.BYTES);
        for (Hash h : hashes) h.writeTo(b);
        return b.array();
    }

    // ---- odds and ends ----

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1);
        return s[Math.max(0, i)] / 1e6;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("options are --name value pairs: " + args[i]);
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

}
