package net.saharasync.clientd;

import net.saharasync.protocol.CommitResult;
import net.saharasync.protocol.Head;
import net.saharasync.protocol.Volume;
import net.saharasync.protocol.Upload;
import net.saharasync.protocol.BlockSink;
import net.saharasync.protocol.HostApi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.saharasync.blockstore.Hash;
import net.saharasync.protocol.HostError;
import net.saharasync.protocol.http.HttpHost;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's HTTP layer against a real host on loopback: TLS with a pinned certificate, errors, kept-alive connections. */
class HttpHostTest {
    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void foldersSyncOverTlsWithThePinnedCertificateAndAnotherPinIsRefused() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp, true)) {
            assertThat(m.url()).startsWith("https://");
            // More than one upload batch (16 MiB), so several requests share kept-alive connections.
            Files.write(m.a.resolve("big.bin"), random(20 << 20, 1));
            Files.writeString(m.a.resolve("note.txt"), "over TLS");
            m.settle();
            m.assertSame();
            assertThat(Files.mismatch(m.a.resolve("big.bin"), m.b.resolve("big.bin"))).isEqualTo(-1);

            String fingerprint = m.host.tls().orElseThrow().fingerprint();
            String wrong = (fingerprint.startsWith("00") ? "11" : "00") + fingerprint.substring(2);
            try (HttpHost other = new HttpHost(m.url(), m.token, Optional.of(wrong))) {
                assertThatThrownBy(() -> other.volumes()).isInstanceOf(net.saharasync.protocol.HostUnreachable.class)
                        .hasMessageContaining("other than the pinned one").hasCauseInstanceOf(javax.net.ssl.SSLException.class);
            }
        }
    }

    /**
     * A host whose certificate names neither the address nor the name the client uses (a LAN IP, a
     * second name): the pin is the whole check, so the event stream connects too. Before the pin
     * covered every connection, the JDK's HTTP client (the event stream) still checked the host
     * name and live events never came.
     */
    @Test
    void theEventStreamTrustsThePinNotTheHostName() throws Exception {
        Path hostData = tmp.resolve("host");
        writeIdentityNamed(hostData.resolve("tls"), "elsewhere.invalid");
        try (HostServer host = HostServer.start(HostConfig.loopback(hostData, 0).withTls(true))) {
            var acc = host.store().accounts();
            String token = acc.issueToken(acc.addUser("me", false), "test").secret();
            String url = host.url("127.0.0.1");
            String pin = host.tls().orElseThrow().fingerprint();
            Path a = tmp.resolve("A");
            Join.join(url, token, a, "docs", "A", Optional.of(pin));
            try (SyncEngine ea = SyncEngine.open(a); HttpHost h = new HttpHost(url, token, Optional.of(pin))) {
                java.util.concurrent.BlockingQueue<Head> heads = new java.util.concurrent.LinkedBlockingQueue<>();
                try (AutoCloseable events = h.subscribe(ea.config().volume(), 0, heads::add)) {
                    Files.writeString(a.resolve("note.txt"), "live over TLS by another name");
                    long committed = ea.cycle().seq();
                    Head seen = null;
                    for (int i = 0; i < 200 && (seen == null || seen.seq() < committed); i++) {
                        seen = heads.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                    assertThat(seen).as("a live event over the pinned connection").isNotNull();
                    assertThat(seen.seq()).isGreaterThanOrEqualTo(committed);
                }
            }
        }
    }

    /** A host identity (as the host keeps it: PKCS12 "host" + its password file) whose certificate names only {@code dns}. */
    private static void writeIdentityNamed(Path dir, String dns) throws Exception {
        Files.createDirectories(dir);
        var gen = java.security.KeyPairGenerator.getInstance("EC");
        gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        var keys = gen.generateKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=" + dns);
        long now = System.currentTimeMillis();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.valueOf(now),
                new java.util.Date(now - 3_600_000L), new java.util.Date(now + 86_400_000L), name, keys.getPublic());
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.dNSName, dns)));
        var cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        char[] password = "test-password".toCharArray();
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("host", keys.getPrivate(), password, new java.security.cert.X509Certificate[] {cert});
        try (var out = Files.newOutputStream(dir.resolve("host.p12"))) {
            ks.store(out, password);
        }
        Files.writeString(dir.resolve("host.p12.password"), new String(password) + "\n");
    }

    /** A fingerprint pins a TLS certificate: with an http:// URL the token would go in clear text, so join refuses it. */
    @Test
    void joiningAPlainHttpUrlWithAFingerprintIsRefusedAndWritesNothing() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Path c = tmp.resolve("c");
            assertThatThrownBy(() -> Join.join(m.url(), m.token, c, "docs", "C", Optional.of("AB:CD")))
                    .isInstanceOf(ClientException.class).hasMessageContaining("not https://");
            assertThat(c.resolve(".sahara")).doesNotExist();
        }
    }

    @Test
    void closingWhileAnEventStreamConnectsNeverHangs() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            String volume = m.ea.config().volume();
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < 40; i++) {
                HttpHost h = new HttpHost(m.url(), m.token, Optional.empty());
                AutoCloseable events = h.subscribe(volume, 0, head -> {});
                // Stopped at every stage of connecting: before the request, mid-request, with the stream open.
                Thread.sleep(r.nextInt(8));
                long t0 = System.nanoTime();
                Thread closer = Thread.ofPlatform().start(() -> {
                    try {
                        events.close();
                    } catch (Exception ignored) {
                        // closing
                    }
                    h.close();
                });
                closer.join(java.time.Duration.ofSeconds(15));
                assertThat(closer.isAlive()).as("close %d still running after %d ms", i, (System.nanoTime() - t0) / 1_000_000).isFalse();
            }
        }
    }

    /** With A's progress back to normal, the next cycles bring B the rewritten {@code name}. */
    private static void nextCyclesSendTheRewrite(TwoMachines m, String name, byte[] rewritten) throws Exception {
        m.ea.progress(Progress.NONE);
        m.settle();
        m.assertSame();
        assertThat(Files.readAllBytes(m.b.resolve(name))).isEqualTo(rewritten);
    }

    /** Progress that rewrites {@code file} in place (same size, new content) when the upload starts: after the scan read it. */
    private static Progress rewriteWhenTheUploadStarts(Path file, byte[] content) {
        return new Progress() {
            @Override
            public void start(String phase, long total) {
                if (!phase.equals("upload")) return;
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(content));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public void advance(long bytes, int files) {}

            @Override
            public void finish() {}
        };
    }

    /**
     * Chunks are read for upload without being hashed again: a file rewritten between its scan
     * and its upload is caught by the host's check, nothing of it is committed, and the same
     * cycle scans again and sends the new content (no failure to report).
     */
    @Test
    void aFileRewrittenBetweenItsScanAndItsUploadIsRefusedByTheHostAndScannedAgain() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            Path f = m.a.resolve("log.bin");
            Files.write(f, random(3 << 20, 7));
            m.settle();
            long seq = m.ea.host().head(m.ea.config().volume()).seq();
            byte[] changed = random(3 << 20, 8);
            byte[] rewritten = random(3 << 20, 9);
            Files.write(f, changed);
            m.ea.progress(rewriteWhenTheUploadStarts(f, rewritten));
            CycleReport r = m.ea.cycle();
            assertThat(r.agreed()).isTrue();
            assertThat(m.ea.host().head(m.ea.config().volume()).seq()).as("one commit: the rewrite, never the refused version").isEqualTo(seq + 1);
            m.eb.cycle();
            assertThat(Files.readAllBytes(m.b.resolve("log.bin"))).isEqualTo(rewritten);
            nextCyclesSendTheRewrite(m, "log.bin", rewritten);
        }
    }

    /**
     * A small file's bytes are uploaded as the scan read them: no file is opened again for the
     * upload, and one rewritten after the scan goes up in the version that was scanned (the
     * one its commit describes); the next cycle sends the rewrite.
     */
    @Test
    void smallFilesGoUpAsTheScanReadThemWithoutBeingReadAgain() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            m.settle();
            for (int i = 0; i < 50; i++) Files.write(m.a.resolve("s" + i + ".txt"), random(1_000 + 150 * i, 40 + i));
            byte[] scanned = Files.readAllBytes(m.a.resolve("s7.txt"));
            byte[] rewritten = random(scanned.length, 99);
            OldVersionCopyTest.Counting fsA = m.reopen(true, OldVersionCopyTest.Counting::new);
            m.ea.progress(rewriteWhenTheUploadStarts(m.a.resolve("s7.txt"), rewritten));
            assertThat(m.ea.cycle().filesUp()).isEqualTo(50);
            assertThat(fsA.bytesRead.get()).isZero();
            m.eb.cycle();
            assertThat(Files.readAllBytes(m.b.resolve("s7.txt"))).isEqualTo(scanned);
            assertThat(Files.readAllBytes(m.b.resolve("s49.txt"))).isEqualTo(Files.readAllBytes(m.a.resolve("s49.txt")));
            nextCyclesSendTheRewrite(m, "s7.txt", rewritten);
        }
    }

    @Test
    void aBatchOfSmallFilesIsWrittenWhileItsChunksArriveAndSharedChunksAreFetchedOnce() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            byte[] shared = random(9_000, 3);
            for (int i = 0; i < 300; i++) {
                Path f = m.a.resolve("d" + (i % 7) + "/f" + i);
                Files.createDirectories(f.getParent());
                Files.write(f, i % 10 == 0 ? shared : random(1_000 + i * 37, 100 + i));
            }
            m.ea.cycle();
            CycleReport down = m.eb.cycle();
            assertThat(down.agreed()).isTrue();
            assertThat(down.filesDown()).isEqualTo(300);
            m.assertSame();
            // 30 copies of one chunk came once (the rest of what B received is tree objects and framing).
            long folderBytes = 0;
            for (int i = 0; i < 300; i++) folderBytes += Files.size(m.a.resolve("d" + (i % 7) + "/f" + i));
            assertThat(down.bytesReceived()).isLessThan(folderBytes - 20L * shared.length);
        }
    }

    /** The real host, except that downloads break after {@code frames} blocks (as when the host goes away mid-answer). */
    static HostApi breakingDownloads(HostApi real, int frames) {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(frames);
        return (HostApi) java.lang.reflect.Proxy.newProxyInstance(HostApi.class.getClassLoader(),
                new Class<?>[] {HostApi.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("fetch") && args != null && args[args.length - 1] instanceof BlockSink sink) {
                        args = args.clone();
                        args[args.length - 1] = (BlockSink) (h, data) -> {
                            if (left.decrementAndGet() < 0) throw new java.io.IOException("the host went away");
                            sink.accept(h, data);
                        };
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aDownloadThatBreaksWhileFilesAreWrittenLeavesNoFileAndNoTempFileAndTheNextCycleFinishes() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            for (int i = 0; i < 200; i++) {
                Path f = m.a.resolve("d" + (i % 5) + "/f" + i);
                Files.createDirectories(f.getParent());
                Files.write(f, random(2_000 + i, 500 + i));
            }
            m.ea.cycle();
            m.eb.close();
            ClientConfig cb = ClientConfig.load(m.b);
            HttpHost real = new HttpHost(cb.host(), cb.token(), Optional.empty());
            try (SyncEngine broken = new SyncEngine(m.b, cb, breakingDownloads(real, 120))) {
                assertThatThrownBy(broken::cycle).hasMessageContaining("the host went away");
            }
            try (var files = Files.walk(m.b)) {
                assertThat(files.filter(Files::isRegularFile).map(p -> m.b.relativize(p).toString())
                        .filter(p -> !p.startsWith(".sahara/")).toList()).isEmpty();
            }
            m.eb = SyncEngine.open(m.b);
            assertThat(m.eb.cycle().agreed()).isTrue();
            m.assertSame();
        }
    }

    @Test
    void errorsCarryTheHostsStatusAndCodeAndTheConnectionStaysUsable() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            try (HttpHost bad = new HttpHost(m.url(), "not-a-token", Optional.empty())) {
                assertThatThrownBy(bad::volumes).isInstanceOfSatisfying(HostError.class, e -> assertThat(e.status()).isEqualTo(401));
            }
            HttpHost h = (HttpHost) m.ea.host();
            String volume = m.ea.config().volume();
            // A commit of an object the host does not have: refused, and the next requests still work.
            Hash absent = Hash.of("no such commit".getBytes());
            assertThat(h.commit(volume, absent, Optional.empty())).isEqualTo(new CommitResult.Incomplete(List.of(absent), 1));
            byte[] block = random(100_000, 2);
            Hash bh = Hash.of(block);
            assertThat(h.missing(List.of(bh))).containsExactly(bh);
            h.upload(List.of(new Upload(bh, new net.saharasync.blockstore.BlockCodec(1).encode(block).buffers())));
            assertThat(h.missing(List.of(bh))).isEmpty();
            byte[][] got = new byte[1][];
            h.fetch(List.of(bh), (hash, data) -> got[0] = data);
            assertThat(got[0]).isEqualTo(block);
        }
    }

    /** A full host disk (507 insufficient_storage) reaches the user as "the host is out of space". */
    @Test
    void aHostOutOfSpaceIsSaidSoNotAsAnInternalError() throws Exception {
        // The host's answer on a full disk (hostd's HostDiskFullTest makes a real one on a tmpfs).
        com.sun.net.httpserver.HttpServer full = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        full.createContext("/", ex -> {
            byte[] body = "{\"error\":\"insufficient_storage\",\"message\":\"no space left on the host's disk\"}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("Retry-After", "60");
            ex.sendResponseHeaders(507, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        full.start();
        try (HttpHost h = new HttpHost("http://127.0.0.1:" + full.getAddress().getPort(), "sst_x", Optional.empty())) {
            byte[] block = random(1_000, 5);
            assertThatThrownBy(() -> h.upload(List.of(new Upload(Hash.of(block),
                    new net.saharasync.blockstore.BlockCodec(1).encode(block).buffers()))))
                    .isInstanceOfSatisfying(HostError.class, e -> {
                        assertThat(e.status()).isEqualTo(507);
                        assertThat(e.code()).isEqualTo("insufficient_storage");
                        assertThat(e.getMessage()).contains("the host is out of space");
                    });
        } finally {
            full.stop(0);
        }
    }

    /**
     * A host that refuses with 429 (this user has as many uploads open as it serves at once) is
     * asked again after its Retry-After; the upload goes through once the other one ends.
     * Without the retry the upload failed with the 429.
     */
    @Test
    void anUploadRefusedAsBusyIsSentAgainAndGoesThrough() throws Exception {
        HostConfig.Pacing onePerUser = new HostConfig.Pacing(1, 60_000, 600_000, 16, 1, 8);
        Path hostData = tmp.resolve("host");
        try (HostServer host = HostServer.start(HostConfig.loopback(hostData, 0)
                .withLimits(HostConfig.Limits.DEFAULT.withPacing(onePerUser)))) {
            var accounts = host.store().accounts();
            String token = accounts.issueToken(accounts.addUser("carol", false), "laptop").secret();
            String url = host.url("127.0.0.1");
            // Another upload of carol's stays open (its body still coming).
            java.net.Socket slow = new java.net.Socket("127.0.0.1", host.port());
            slow.getOutputStream().write(("POST /v1/blocks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: 1000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            Thread.sleep(300);
            try (HttpHost h = new HttpHost(url, token, Optional.empty())) {
                byte[] block = random(100_000, 3);
                Hash bh = Hash.of(block);
                var done = new java.util.concurrent.CompletableFuture<Void>();
                Thread.ofPlatform().start(() -> {
                    try {
                        h.upload(List.of(new Upload(bh, new net.saharasync.blockstore.BlockCodec(1).encode(block).buffers())));
                        done.complete(null);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
                Thread.sleep(2_000);
                assertThat(done).as("refused while the other upload is open").isNotDone();
                slow.close();
                done.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(h.missing(List.of(bh))).isEmpty();
            } finally {
                slow.close();
            }
        }
    }

    @Test
    void concurrentDownloadsEachSeeTheirOwnBlocksThoughFrameArraysAreReused() throws Exception {
        try (TwoMachines m = new TwoMachines(tmp)) {
            HttpHost h = (HttpHost) m.ea.host();
            // Blocks of many sizes, raw (random) and compressed (zeros), uploaded once.
            List<byte[]> blocks = new java.util.ArrayList<>();
            List<Upload> up = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                byte[] b = i % 5 == 0 ? new byte[1000 + 997 * i] : random(1 + 3001 * i, 100 + i);
                if (i % 5 == 0) b[0] = (byte) i;
                blocks.add(b);
                up.add(new Upload(Hash.of(b), new net.saharasync.blockstore.BlockCodec(1).encode(b).buffers()));
            }
            h.upload(up);
            List<Hash> hashes = blocks.stream().map(Hash::of).toList();
            // Four threads (two of them virtual, as downloads run) fetch overlapping sets, each in
            // its own order, many times; every block a sink sees must be the one it asked for.
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < 4; t++) {
                List<Hash> order = new java.util.ArrayList<>(hashes);
                java.util.Collections.shuffle(order, new java.util.Random(t));
                Runnable job = () -> {
                    try {
                        for (int round = 0; round < 15; round++) {
                            int[] seen = {0};
                            h.fetch(order, new BlockSink() {
                                @Override
                                public void accept(Hash hash, byte[] data) {
                                    throw new AssertionError("the view form is used");
                                }

                                @Override
                                public void accept(Hash hash, byte[] buf, int off, int len) {
                                    assertThat(hash).isEqualTo(order.get(seen[0]++));
                                    assertThat(Hash.of(java.util.Arrays.copyOfRange(buf, off, off + len))).isEqualTo(hash);
                                }
                            });
                            assertThat(seen[0]).isEqualTo(order.size());
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                };
                threads.add(t % 2 == 0 ? Thread.ofPlatform().start(job) : Thread.ofVirtual().start(job));
            }
            for (Thread t : threads) t.join(60_000);
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void aRequestAfterTheHostRestartedIsNotLostToAStaleConnection() throws Exception {
        Path data = tmp.resolve("host");
        HostServer host = HostServer.start(HostConfig.loopback(data, 0));
        int port = host.port();
        var acc = host.store().accounts();
        String token = acc.issueToken(acc.addUser("me", false), "test").secret();
        try (HttpHost h = new HttpHost(host.url("127.0.0.1"), token, Optional.empty())) {
            String volume = h.createVolume("docs").id();
            Hash absent = Hash.of(new byte[] {1});
            assertThat(h.missing(List.of(absent))).containsExactly(absent);
            // The connection the last request left open dies with the host; the next request (a
            // POST with a streamed body) must not fail on it. (The JDK drops a pooled connection
            // it sees closed; HttpHost's one retry covers a close that races with the request.)
            host.close();
            host = HostServer.start(HostConfig.loopback(data, port));
            assertThat(h.missing(List.of(absent))).containsExactly(absent);
            assertThat(h.head(volume).commit()).isEmpty();
            assertThat(h.volumes()).extracting(Volume::id).containsExactly(volume);
        } finally {
            host.close();
        }
    }
}
