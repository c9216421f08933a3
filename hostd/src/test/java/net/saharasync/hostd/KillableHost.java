package net.saharasync.hostd;

import java.nio.file.Path;

/** A host in its own process, for kill -9 tests: prints {@code PORT n} once listening, then runs until killed. */
public final class KillableHost {
    private KillableHost() {}

    public static void main(String[] args) throws Exception {
        HostServer server = HostServer.start(HostConfig.loopback(Path.of(args[0]), 0));
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
