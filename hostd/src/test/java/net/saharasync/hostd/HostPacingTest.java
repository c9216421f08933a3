package net.saharasync.hostd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and greedy callers (a body trickled a byte at a time, many requests at once) cannot
 * hold the host: trickled bodies are cut off, a request has a deadline, and one user's
 * requests beyond their share are answered 429 at once while everyone else is served.
 */
class HostPacingTest {
    @TempDir
    Path data;

    /** A request whose body is sent a byte every {@code gapMillis}, over a raw socket. */
    static final class Trickle implements AutoCloseable {
        final Socket socket;
        final Thread sender;

        Trickle(String url, String token, String path, int length, long gapMillis) throws IOException {
            java.net.URI u = java.net.URI.create(url);
            socket = new Socket(u.getHost(), u.getPort());
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + u.getHost() + "\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < length; i++) {
                        Thread.sleep(gapMillis);
                        out.write(7);
                        out.flush();
                    }
                } catch (IOException | InterruptedException stopped) {
                    // the host closed it, or the test is over
                }
            });
        }

        /**
         * Waits up to {@code millis} for the host to answer or close: the status line's code,
         * -1 when it closed without an answer, 0 when it is still open.
         */
        int outcome(long millis) throws IOException {
            if (known == 0) known = read(millis);
            return known;
        }

        private int known;

        private int read(long millis) throws IOException {
            long end = System.nanoTime() + millis * 1_000_000;
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            while (System.nanoTime() < end) {
                int b;
                try {
                    b = in.read();
                } catch (SocketTimeoutException t) {
                    continue;
                } catch (IOException reset) {
                    return -1;
                }
                if (b < 0) return -1;
                if (b == '\n') return Integer.parseInt(line.toString().split(" ")[1]);
                line.append((char) b);
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            sender.interrupt();
            socket.close();
        }
    }

    private static HostConfig paced(Path data, HostConfig.Pacing p) {
        return HostConfig.loopback(data, 0).withLimits(HostConfig.Limits.DEFAULT.withPacing(p));
    }

    @Test
    void aBodyTrickledUnderTheMinimumRateIsCutOffLongBeforeTheReadTimeout() throws Exception {
        // 1 KiB/s over 1 s windows; the socket read timeout stays at its 60 s default.
        try (HostFixture host = new HostFixture(paced(data, new HostConfig.Pacing(1024, 1000, 600_000, 16, 2, 8)));
             Trickle upload = new Trickle(host.url(), host.bobToken, "/v1/blocks", 100_000, 100);
             Trickle commit = new Trickle(host.url(), host.bobToken, "/v1/blocks/missing", 3200, 100)) {
            assertThat(upload.outcome(15_000)).as("trickled upload").isEqualTo(-1);
            assertThat(commit.outcome(15_000)).as("trickled negotiation").isEqualTo(-1);
            // The host is none the worse: bob's next upload goes through.
            assertThat(host.bob().upload(new byte[0]).status()).isEqualTo(200);
        }
    }

    @Test
    void aRequestFastEnoughButLongerThanTheDeadlineIsCutOff() throws Exception {
        // 20 B/s satisfies a 10 B/s minimum; the 3 s deadline still ends it.
        try (HostFixture host = new HostFixture(paced(data, new HostConfig.Pacing(10, 1000, 3_000, 16, 2, 8)));
             Trickle upload = new Trickle(host.url(), host.bobToken, "/v1/blocks", 100_000, 50)) {
            assertThat(upload.outcome(1_500)).as("still within its deadline").isZero();
            assertThat(upload.outcome(15_000)).isEqualTo(-1);
        }
    }

    @Test
    void oneUsersSlowRequestsNeverStallOtherUsersAndTheirExtraRequestsAre429AtOnce() throws Exception {
        // Windows long enough that nothing is cut during the test: only the per-user caps act.
        try (HostFixture host = new HostFixture(paced(data, new HostConfig.Pacing(1, 60_000, 600_000, 6, 2, 8)))) {
            List<Trickle> trickles = new ArrayList<>();
            try {
                // Twenty trickled uploads: two admitted, the others refused before their bodies.
                for (int i = 0; i < 20; i++) trickles.add(new Trickle(host.url(), host.bobToken, "/v1/blocks", 10_000, 500));
                for (Trickle t : trickles) t.outcome(300);
                int refused = 0;
                for (Trickle t : trickles) if (t.outcome(100) == 429) refused++;
                assertThat(refused).isEqualTo(18);
                // Other small requests of bob are refused past his 6 at once (2 uploads still open).
                List<Trickle> more = new ArrayList<>();
                for (int i = 0; i < 6; i++) more.add(new Trickle(host.url(), host.bobToken, "/v1/blocks/missing", 32_000, 500));
                trickles.addAll(more);
                int moreRefused = 0;
                for (Trickle t : more) if (t.outcome(2_000) == 429) moreRefused++;
                assertThat(moreRefused).isEqualTo(2);

                // Meanwhile alice is served as usual: health, her volumes, an upload and a commit.
                TestClient alice = host.alice();
                assertThat(alice.get("/v1/health").status()).isEqualTo(200);
                String vol = alice.createVolume("docs");
                LocalTree local = new LocalTree();
                Entry f = local.file("a.txt", "served while bob trickles".getBytes());
                DirRef root = local.dir(List.of(f));
                Hash c = local.commit(root, List.of());
                assertThat(local.push(alice, vol, root, c, Optional.empty()).status()).isEqualTo(200);
                try (EventStream events = new EventStream(alice, "/v1/volumes/" + vol + "/events", null)) {
                    assertThat(events.status).isEqualTo(200);
                    assertThat(events.next().data()).contains(c.toHex());
                }
                // ...while bob's admitted requests are all still open.
                int open = 0;
                for (Trickle t : trickles) if (t.outcome(10) == 0) open++;
                assertThat(open).isEqualTo(6);
            } finally {
                for (Trickle t : trickles) t.close();
            }
        }
    }

    @Test
    void oneUsersEventStreamsAreCapped() throws Exception {
        try (HostFixture host = new HostFixture(paced(data, new HostConfig.Pacing(1024, 30_000, 600_000, 16, 2, 2)))) {
            TestClient bob = host.bob();
            String vol = bob.createVolume("mine");
            String path = "/v1/volumes/" + vol + "/events";
            try (EventStream a = new EventStream(bob, path, null); EventStream b = new EventStream(bob, path, null)) {
                assertThat(List.of(a.status, b.status)).containsOnly(200);
                assertThat(bob.get(path).status()).isEqualTo(429);
                // Other requests of bob are not counted against his streams.
                assertThat(bob.get("/v1/volumes").status()).isEqualTo(200);
            }
        }
    }
}
