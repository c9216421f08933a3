package net.saharasync.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import net.saharasync.blockstore.Hash;

/**
 * A {@link HostApi} that passes every call on, the default methods included (so a wrapper
 * never silently takes a default's path that the wrapped host does not): tests override what a
 * hostile or faulty host does differently. {@code ForwardingHostTest} holds it to that.
 */
public class ForwardingHost implements HostApi {
    protected final HostApi real;

    public ForwardingHost(HostApi real) {
        this.real = real;
    }

    @Override public Caller whoAmI() throws IOException { return real.whoAmI(); }
    @Override public IssuedToken issueDeviceToken(String device) throws IOException { return real.issueDeviceToken(device); }
    @Override public void revokeToken(String tokenId) throws IOException { real.revokeToken(tokenId); }
    @Override public Volume volume(String id) throws IOException { return real.volume(id); }
    @Override public List<Volume> volumes() throws IOException { return real.volumes(); }
    @Override public Volume createVolume(String name) throws IOException { return real.createVolume(name); }
    @Override public Head head(String volume) throws IOException { return real.head(volume); }
    @Override public List<HistoryEntry> history(String volume, long beforeSeq, int limit) throws IOException { return real.history(volume, beforeSeq, limit); }
    @Override public ShareOutcome share(String volume, String user, Access access) throws IOException { return real.share(volume, user, access); }
    @Override public List<Member> members(String volume) throws IOException { return real.members(volume); }
    @Override public List<Invitation> invitations() throws IOException { return real.invitations(); }
    @Override public Volume accept(String volume) throws IOException { return real.accept(volume); }
    @Override public void leave(String volume) throws IOException { real.leave(volume); }
    @Override public Set<Hash> missing(List<Hash> hashes) throws IOException { return real.missing(hashes); }
    @Override public void upload(List<Upload> blocks) throws IOException { real.upload(blocks); }
    @Override public boolean concurrentRequests() { return real.concurrentRequests(); }
    @Override public int concurrentUploads() { return real.concurrentUploads(); }
    @Override public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException { return real.commit(volume, commit, expected); }
    @Override public void fetch(List<Hash> hashes, BlockSink sink) throws IOException { real.fetch(hashes, sink); }
    @Override public List<byte[]> signatures(List<Hash> hashes) throws IOException { return real.signatures(hashes); }
    @Override public void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, Function<Hash, Optional<byte[]>> localBase, BlockSink sink)
            throws IOException { real.fetchDelta(hashes, bases, localBase, sink); }
    @Override public AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead) { return real.subscribe(volume, afterSeq, onHead); }
    @Override public long bytesSent() { return real.bytesSent(); }
    @Override public long bytesReceived() { return real.bytesReceived(); }
    @Override public void close() { real.close(); }
}
