package net.saharasync.clientd;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.remote.HostConnection;

/** A {@link HostConnection} that passes every call on: tests override what a hostile or faulty host does differently. */
class ForwardingHost implements HostConnection {
    protected final HostConnection real;

    ForwardingHost(HostConnection real) {
        this.real = real;
    }

    @Override public Volume volume(String id) throws IOException { return real.volume(id); }
    @Override public List<Volume> volumes() throws IOException { return real.volumes(); }
    @Override public Volume createVolume(String name) throws IOException { return real.createVolume(name); }
    @Override public Head head(String volume) throws IOException { return real.head(volume); }
    @Override public Set<Hash> missing(List<Hash> hashes) throws IOException { return real.missing(hashes); }
    @Override public void upload(List<Upload> blocks) throws IOException { real.upload(blocks); }
    @Override public boolean concurrentRequests() { return real.concurrentRequests(); }
    @Override public int concurrentUploads() { return real.concurrentUploads(); }
    @Override public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException { return real.commit(volume, commit, expected); }
    @Override public void fetch(List<Hash> hashes, BlockSink sink) throws IOException { real.fetch(hashes, sink); }
    @Override public List<byte[]> signatures(List<Hash> hashes) throws IOException { return real.signatures(hashes); }
    @Override public AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead) { return real.subscribe(volume, afterSeq, onHead); }
    @Override public long bytesSent() { return real.bytesSent(); }
    @Override public long bytesReceived() { return real.bytesReceived(); }
    @Override public void close() { real.close(); }
}
