package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mistakes people make on their first day, against real hosts on loopback: each answer is
 * a sentence naming what was tried and the fix, with the exit status README documents (2
 * usage, 3 host unreachable, 4 refused), never a Java exception's text, and nothing is
 * written to the folder. Before: "Illegal character in scheme name at index 0: …",
 * "nosuchhost.invalid", "Connection refused", a PKIX stack message, a 300 s hang.
 */
class ErrorMessagesTest {
    @TempDir
    Path tmp;

    private ChunkCommandTest.Run join(String url, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "join";
        args[1] = url;
        args[2] = tmp.resolve("folder").toString();
        args[3] = "--token=sst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        System.arraycopy(more, 0, args, 4, more.length);
        return ChunkCommandTest.run(args);
    }

    private void saysAndExits(ChunkCommandTest.Run r, int status, String... phrases) {
        assertThat(r.exit()).as(r.err()).isEqualTo(status);
        assertThat(r.err()).startsWith("sahara: ").contains(phrases).doesNotContain("Exception").doesNotContain("java.");
        assertThat(tmp.resolve("folder/.sahara")).doesNotExist();
    }

    @Test
    void aUrlWithoutItsSchemeIsAUsageErrorThatShowsTheFix() {
        saysAndExits(join("127.0.0.1:7420"), ExitCodes.USAGE, "not a host URL", "http://127.0.0.1:7420");
    }

    @Test
    void unknownNamesAndClosedPortsSayWhatWasTried() throws Exception {
        saysAndExits(join("http://no-such-host.invalid:7420"), ExitCodes.UNREACHABLE, "cannot find the host 'no-such-host.invalid'");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        saysAndExits(join("http://127.0.0.1:" + closed), ExitCodes.UNREACHABLE, "cannot reach http://127.0.0.1:" + closed,
                "is `sahara host`");
    }

    @Test
    void aHostThatAcceptsAndNeverAnswersIsNamedAfterTheTimeout() throws Exception {
        System.setProperty("sahara.http.controlTimeoutMillis", "1500");
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        Socket s = silent.accept(); // and say nothing
                        s.setSoTimeout(0);
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            long t0 = System.nanoTime();
            saysAndExits(join("http://127.0.0.1:" + silent.getLocalPort()), ExitCodes.UNREACHABLE, "did not answer within 1 s");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("well before the 5-minute transfer timeout").isLessThan(60_000);
            acceptor.interrupt();
        } finally {
            System.clearProperty("sahara.http.controlTimeoutMillis");
        }
    }

    @Test
    void tlsOnOneSideOnlyAnUnpinnedCertificateAndAWrongTokenSayTheFix() throws Exception {
        try (HostServer plain = HostServer.start(HostConfig.loopback(tmp.resolve("plain"), 0));
             HostServer tls = HostServer.start(HostConfig.loopback(tmp.resolve("tls"), 0).withTls(true))) {
            saysAndExits(join("https://127.0.0.1:" + plain.port()), ExitCodes.UNREACHABLE, "does not speak TLS", "use http://");
            saysAndExits(join("http://127.0.0.1:" + tls.port()), ExitCodes.UNREACHABLE, "use https:// and --fingerprint");
            saysAndExits(join("https://127.0.0.1:" + tls.port()), ExitCodes.UNREACHABLE, "does not trust", "--fingerprint");
            String other = tls.tls().orElseThrow().fingerprint().startsWith("00") ? "11" : "00";
            saysAndExits(join("https://127.0.0.1:" + tls.port(), "--fingerprint", other + tls.tls().orElseThrow().fingerprint().substring(2)),
                    ExitCodes.UNREACHABLE, "other than the pinned one");
            saysAndExits(join("http://127.0.0.1:" + plain.port()), ExitCodes.REFUSED, "refused this device's token",
                    "sahara user token NAME --device DEVICE");
        }
    }

    @Test
    void anAddressInUseIsNamedWithTheOptionToChooseAnother() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ChunkCommandTest.Run r = ChunkCommandTest.run("host", "--data", tmp.resolve("h").toString(), "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "--listen HOST:PORT").doesNotContain("Exception");
        }
        assertThat(Files.exists(tmp.resolve("folder"))).isFalse();
    }

    @Test
    void aVolumeNameThatMatchesNothingIsRefusedOnceYouHaveVolumesUnlessCreateIsGiven() throws Exception {
        try (HostServer host = HostServer.start(HostConfig.loopback(tmp.resolve("h"), 0))) {
            var acc = host.store().accounts();
            String token = acc.issueToken(acc.addUser("me", false), "cli").secret();
            String url = host.url("127.0.0.1");
            // The first join makes the first volume.
            assertThat(ChunkCommandTest.run("join", url, tmp.resolve("first").toString(), "--token", token, "--volume", "Documents").exit()).isZero();
            ChunkCommandTest.Run typo = ChunkCommandTest.run("join", url, tmp.resolve("folder").toString(), "--token", token, "--volume", "Documnets");
            saysAndExits(typo, ExitCodes.USAGE, "no volume named 'Documnets'", "'Documents'", "--create");
            assertThat(host.store().volumes().visibleTo(acc.authenticate(token).orElseThrow().userId())).hasSize(1);
            ChunkCommandTest.Run create = ChunkCommandTest.run("join", url, tmp.resolve("folder").toString(), "--token", token, "--volume", "Photos", "--create");
            assertThat(create.exit()).as(create.err()).isZero();
            assertThat(create.out()).contains("a new volume 'Photos'");
        }
    }

    @Test
    void aNegativeTimeoutAndUpOnAFolderOfAnotherHostAreRefused() throws Exception {
        ChunkCommandTest.Run neg = ChunkCommandTest.run("host", "--data", tmp.resolve("h").toString(), "--listen", "127.0.0.1:0", "--read-timeout", "-5");
        assertThat(neg.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(neg.err()).contains("--read-timeout must be a positive number");
        try (HostServer other = HostServer.start(HostConfig.loopback(tmp.resolve("other"), 0))) {
            String token = ClientCommandsTest.newUser(other);
            Path dir = tmp.resolve("elsewhere");
            assertThat(ChunkCommandTest.run("join", other.url("127.0.0.1"), dir.toString(), "--token", token).exit()).isZero();
            var up = java.util.concurrent.CompletableFuture.supplyAsync(() -> ChunkCommandTest.run("up", dir.toString(),
                    "--data", tmp.resolve("mine").toString(), "--listen", "127.0.0.1:0"));
            ChunkCommandTest.Run r = up.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).contains("is synced with " + other.url("127.0.0.1"), "give `up` another folder");
        }
    }
}
