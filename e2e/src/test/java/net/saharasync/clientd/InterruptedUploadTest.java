package net.saharasync.clientd;

import net.saharasync.protocol.Upload;
import net.saharasync.protocol.HostApi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.saharasync.protocol.http.HttpHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload cut off mid-batch (a killed process, a dropped connection) leaves the host with a
 * folder's node but not everything below it; the next upload's walk trusts that node, so the
 * commit finds objects missing. Real host on loopback, real folders.
 */
class InterruptedUploadTest {
    @TempDir
    Path tmp;

    /** The host connection of {@code m}'s A, except that its first upload stores the first half of its batch and then fails. */
    static HostApi cutOnce(TwoMachines m) {
        return cutOnce(m, new java.util.concurrent.atomic.AtomicBoolean());
    }

    /** As {@link #cutOnce(TwoMachines)}, setting {@code cut} once the cut happened (from whichever thread uploads). */
    static HostApi cutOnce(TwoMachines m, java.util.concurrent.atomic.AtomicBoolean cut) {
        HostApi real = new HttpHost(m.url(), m.token, Optional.empty());
        return (HostApi) Proxy.newProxyInstance(HostApi.class.getClassLoader(), new Class<?>[] {HostApi.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("upload") && cut.compareAndSet(false, true)) {
                        @SuppressWarnings("unchecked")
                        List<Upload> batch = (List<Upload>) args[0];
                        real.upload(batch.subList(0, batch.size() / 2)); // parents come first in a batch
                        throw new IOException("connection reset (test)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void theNextCycleSendsWhatTheHostFoundMissingAndCommits() throws IOException {
        try (TwoMachines m = new TwoMachines(tmp)) {
            for (int d = 0; d < 4; d++) {
                for (int f = 0; f < 10; f++) PartialScanTest.write(m.a, "d" + d + "/f" + f, "file " + d + "/" + f);
            }
            m.ea.close(); // one engine per folder: A's is replaced by one whose first upload is cut off
            m.ea = new SyncEngine(m.a, ClientConfig.load(m.a), cutOnce(m));

            assertThatThrownBy(m.ea::cycle).isInstanceOf(IOException.class).hasMessageContaining("connection reset");
            CycleReport r = m.ea.cycle();

            assertThat(r.agreed()).isTrue();
            assertThat(r.filesUp()).isEqualTo(40);
            m.settle();
            m.assertSame();
            assertThat(TwoMachines.snapshot(m.b)).containsEntry("d3/f9", "file 3/9");
        }
    }
}
