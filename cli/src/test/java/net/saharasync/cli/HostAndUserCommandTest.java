package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HostAndUserCommandTest {
    @TempDir
    Path data;

    private static int get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void usersAddedFromTheCommandLineCanUseARunningHostUntilTheirTokenIsRevoked() throws Exception {
        ChunkCommandTest.Run add = ChunkCommandTest.run("user", "add", "alice", "--admin", "--data", data.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        String token = add.out().trim();
        assertThat(token).matches("sst_[A-Za-z0-9_-]{43}");
        assertThat(ChunkCommandTest.run("user", "add", "alice", "--data", data.toString()).exit()).isEqualTo(1);
        assertThat(ChunkCommandTest.run("user", "add", "../evil", "--data", data.toString()).err()).contains("user name");

        // The host in this JVM, on a free loopback port; its first line says where it listens.
        PipedWriter pipe = new PipedWriter();
        BufferedReader lines = new BufferedReader(new PipedReader(pipe));
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(pipe, true));
        Thread host = Thread.ofPlatform().start(() -> cmd.execute("host", "--data", data.toString(), "--listen", "127.0.0.1:0"));
        String first = lines.readLine();
        Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(first);
        assertThat(m.find()).as(first).isTrue();
        String url = m.group(1);
        try {
            assertThat(get(url + "/v1/health", null)).isEqualTo(200);
            assertThat(get(url + "/v1/volumes", token)).isEqualTo(200);
            // A second device's token, made while the host runs, works at once.
            ChunkCommandTest.Run second = ChunkCommandTest.run("user", "token", "alice", "--device", "desktop", "--data", data.toString());
            String token2 = second.out().trim();
            assertThat(get(url + "/v1/volumes", token2)).isEqualTo(200);
            ChunkCommandTest.Run list = ChunkCommandTest.run("user", "list", "--data", data.toString());
            assertThat(list.out()).contains("alice (admin)").contains("device-1").contains("desktop").doesNotContain(token2);
            Matcher id = Pattern.compile("token ([0-9a-f]{16})  desktop").matcher(list.out());
            assertThat(id.find()).isTrue();
            assertThat(ChunkCommandTest.run("user", "revoke", id.group(1), "--data", data.toString()).exit()).isZero();
            assertThat(get(url + "/v1/volumes", token2)).isEqualTo(401);
            assertThat(get(url + "/v1/volumes", token)).isEqualTo(200);
        } finally {
            HostCommand.stop.countDown();
            host.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(host.isAlive()).isFalse();
    }

    /** `--max-tree-depth` reaches the host: a folder nested deeper is refused as tree_too_large, and said so. */
    @Test
    void treeLimitsSetOnTheCommandLineAreEnforced() throws Exception {
        String token = ChunkCommandTest.run("user", "add", "alice", "--data", data.resolve("host").toString()).out().trim();
        PipedWriter pipe = new PipedWriter();
        BufferedReader lines = new BufferedReader(new PipedReader(pipe));
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(pipe, true));
        Thread host = Thread.ofPlatform().start(() -> cmd.execute("host", "--data", data.resolve("host").toString(),
                "--listen", "127.0.0.1:0", "--max-tree-depth", "2"));
        Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(lines.readLine());
        assertThat(m.find()).isTrue();
        try {
            Path dir = data.resolve("folder");
            assertThat(ChunkCommandTest.run("join", m.group(1), dir.toString(), "--token", token).exit()).isZero();
            java.nio.file.Files.createDirectories(dir.resolve("a/b/c"));
            java.nio.file.Files.writeString(dir.resolve("a/b/c/deep.txt"), "too deep for this host");
            ChunkCommandTest.Run sync = ChunkCommandTest.run("sync", dir.toString(), "--once");
            assertThat(sync.exit()).isNotZero();
            assertThat(sync.err()).contains("tree_too_large");
            java.nio.file.Files.delete(dir.resolve("a/b/c/deep.txt"));
            java.nio.file.Files.delete(dir.resolve("a/b/c"));
            java.nio.file.Files.delete(dir.resolve("a/b"));
            ChunkCommandTest.Run again = ChunkCommandTest.run("sync", dir.toString(), "--once");
            assertThat(again.exit()).as(again.err()).isZero();
        } finally {
            HostCommand.stop.countDown();
            host.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void aBadListenAddressIsAClearError() {
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("host", "--data", data.toString(), "--listen", "nonsense")).isEqualTo(2);
        assertThat(err.toString()).contains("HOST:PORT");
    }
}
