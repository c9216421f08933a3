package net.saharasync.hostd.service;

import net.saharasync.hostd.store.lmdb.LmdbHostStore;
import net.saharasync.hostd.store.memory.MemoryHostStore;
import java.nio.file.Path;
import java.util.Optional;
import net.saharasync.hostd.HostConfig;
import net.saharasync.hostd.HostServer;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.HostStore;
import net.saharasync.protocol.HostApi;
import net.saharasync.protocol.HostApiContract;
import net.saharasync.protocol.http.HttpHost;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The host-API contract three ways: over HTTP against a real host on loopback, and in-process over the LMDB and the in-memory stores. */
class HostApiContractTest {
    @TempDir
    Path dir;

    private static String addUser(HostStore store, String name, boolean admin) {
        AccountStore a = store.accounts();
        return a.issueToken(a.addUser(name, admin), "contract").secret();
    }

    /** The in-process API over {@code store}. */
    private static HostApiContract.Host inProcess(HostStore store) {
        HostServices services = HostServices.over(store, HostConfig.Limits.DEFAULT, HeadEvents.NONE);
        return new HostApiContract.Host() {
            @Override
            public String addUser(String name, boolean admin) {
                return HostApiContractTest.addUser(store, name, admin);
            }

            @Override
            public HostApi as(String token) {
                return new LocalHost(services, token);
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

    @Nested
    class OverHttp extends HostApiContract {
        @Override
        protected Host start() {
            HostServer server = HostServer.start(HostConfig.loopback(dir.resolve("http"), 0));
            return new Host() {
                @Override
                public String addUser(String name, boolean admin) {
                    return HostApiContractTest.addUser(server.store(), name, admin);
                }

                @Override
                public HostApi as(String token) {
                    return new HttpHost(server.url("127.0.0.1"), token, Optional.empty());
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }
    }

    @Nested
    class InProcessOverLmdb extends HostApiContract {
        @Override
        protected Host start() {
            return inProcess(LmdbHostStore.open(dir.resolve("lmdb")));
        }
    }

    @Nested
    class InProcessInMemory extends HostApiContract {
        @Override
        protected Host start() {
            return inProcess(new MemoryHostStore());
        }
    }
}
