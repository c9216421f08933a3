package net.saharasync.hostd;

import java.nio.file.Path;
import net.saharasync.hostd.store.AccountStore;

/** A real host on a loopback port over a temp directory, with an admin (alice) and a plain user (bob). */
final class HostFixture implements AutoCloseable {
    final Path data;
    final HostConfig config;
    HostServer server;
    String aliceToken;
    String bobToken;

    HostFixture(Path data) {
        this(HostConfig.loopback(data, 0));
    }

    HostFixture(HostConfig config) {
        this.data = config.data();
        this.config = config;
        server = HostServer.start(config);
        AccountStore a = server.store().accounts();
        aliceToken = a.issueToken(a.addUser("alice", true), "laptop").secret();
        bobToken = a.issueToken(a.addUser("bob", false), "phone").secret();
    }

    String url() {
        return server.url("127.0.0.1");
    }

    TestClient alice() {
        return new TestClient(url(), aliceToken);
    }

    TestClient bob() {
        return new TestClient(url(), bobToken);
    }

    /** Stops the host and starts it again on the same data and port. */
    void restart() {
        int port = server.port();
        server.close();
        server = HostServer.start(new HostConfig(config.data(), config.host(), port, config.tls(), config.limits()));
    }

    @Override
    public void close() {
        server.close();
    }
}
