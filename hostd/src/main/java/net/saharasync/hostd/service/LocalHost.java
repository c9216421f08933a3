package net.saharasync.hostd.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.CorruptBlockException;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.store.AccountStore;
import net.saharasync.hostd.store.VolumeStore;
import net.saharasync.protocol.Access;
import net.saharasync.protocol.BlockSink;
import net.saharasync.protocol.Caller;
import net.saharasync.protocol.CommitResult;
import net.saharasync.protocol.Head;
import net.saharasync.protocol.HistoryEntry;
import net.saharasync.protocol.HostApi;
import net.saharasync.protocol.HostError;
import net.saharasync.protocol.Invitation;
import net.saharasync.protocol.IssuedToken;
import net.saharasync.protocol.Member;
import net.saharasync.protocol.ShareOutcome;
import net.saharasync.protocol.Upload;
import net.saharasync.protocol.Volume;
import net.saharasync.protocol.wire.BlockDelta;
import net.saharasync.protocol.wire.BlockFrames;

/**
 * The host API in-process, for the holder of one token: every call authenticates the token
 * afresh (a revoked one is refused at once, as over HTTP) and runs the host's services, so the
 * simulation and the contract suite exercise the real rules without a socket. Refusals are
 * {@link HostError}s with the codes and bodies HTTP would carry; uploads pass through the
 * real frame reader; downloads are checked against their hashes as the HTTP client does.
 * Byte counts are what the wire would carry in bodies.
 */
public final class LocalHost implements HostApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HostServices services;
    private final String token;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    public LocalHost(HostServices services, String token) {
        this.services = services;
        this.token = token;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(AccountStore.Principal p) throws IOException;
    }

    private <T> T call(Call<T> c) throws IOException {
        try {
            return c.run(services.accounts().authenticate(Optional.of(token)));
        } catch (RuntimeException e) {
            Optional<HostException> refusal = Refusals.of(e);
            if (refusal.isEmpty()) throw e;
            HostException h = refusal.get();
            throw new HostError(h.code().httpStatus(), h.code().wireName(), h.getMessage(), JSON.valueToTree(h.body()));
        }
    }

    private static Volume volume(VolumeService.View v) {
        VolumeStore.Volume vol = v.volume();
        Head head = v.head().map(h -> new Head(h.seq(), Optional.of(h.commit()))).orElse(Head.EMPTY);
        return new Volume(vol.idHex(), vol.name(), vol.chunking(), head, v.ownerName(), v.access(), v.entries());
    }

    @Override
    public Caller whoAmI() throws IOException {
        return call(p -> new Caller(p.user().name(), p.user().admin(), p.token().device(), p.token().id()));
    }

    @Override
    public IssuedToken issueDeviceToken(String device) throws IOException {
        return call(p -> {
            AccountStore.Issued t = services.accounts().issue(p, device);
            return new IssuedToken(t.secret(), t.token().id(), t.token().device());
        });
    }

    @Override
    public void revokeToken(String tokenId) throws IOException {
        call(p -> {
            services.accounts().revoke(p, tokenId);
            return null;
        });
    }

    @Override
    public Volume volume(String id) throws IOException {
        return call(p -> volume(services.volumes().get(p, id)));
    }

    @Override
    public List<Volume> volumes() throws IOException {
        return call(p -> services.volumes().list(p).stream().map(LocalHost::volume).toList());
    }

    @Override
    public Volume createVolume(String name) throws IOException {
        return call(p -> volume(services.volumes().create(p, name, Optional.empty())));
    }

    @Override
    public Head head(String volume) throws IOException {
        return call(p -> services.volumes().head(p, volume).map(h -> new Head(h.seq(), Optional.of(h.commit()))).orElse(Head.EMPTY));
    }

    @Override
    public List<HistoryEntry> history(String volume, long beforeSeq, int limit) throws IOException {
        return call(p -> services.volumes().history(p, volume, Optional.of(beforeSeq), limit).commits().stream()
                .map(e -> new HistoryEntry(e.seq(), e.commit(), e.acceptedMillis(), e.user())).toList());
    }

    @Override
    public ShareOutcome share(String volume, String user, Access access) throws IOException {
        return call(p -> ShareOutcome.valueOf(services.volumes().share(p, volume, user, access).outcome().name()));
    }

    @Override
    public List<Member> members(String volume) throws IOException {
        return call(p -> services.volumes().members(p, volume).stream().map(m -> new Member(m.user(), m.access(), m.invited())).toList());
    }

    @Override
    public List<Invitation> invitations() throws IOException {
        return call(p -> services.volumes().invitations(p).stream()
                .map(i -> new Invitation(i.volume().idHex(), i.volume().name(), i.ownerName(), i.access())).toList());
    }

    @Override
    public Volume accept(String volume) throws IOException {
        return call(p -> volume(services.volumes().accept(p, volume)));
    }

    @Override
    public void leave(String volume) throws IOException {
        call(p -> {
            services.volumes().leave(p, volume);
            return null;
        });
    }

    @Override
    public Set<Hash> missing(List<Hash> hashes) throws IOException {
        return call(p -> {
            sent.addAndGet((long) Hash.BYTES * hashes.size());
            received.addAndGet((hashes.size() + 7) / 8);
            BitSet missing = services.blocks().missing(p, hashes);
            Set<Hash> out = new HashSet<>();
            for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(i + 1)) out.add(hashes.get(i));
            return out;
        });
    }

    @Override
    public void upload(List<Upload> blocks) throws IOException {
        if (blocks.isEmpty()) return;
        call(p -> {
            // Framed and read back as the HTTP edge reads a body: the same checks of lengths.
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (Upload u : blocks) BlockFrames.write(body, u.hash(), u.stored());
            sent.addAndGet(body.size());
            List<BlockFrames.Frame> frames = new ArrayList<>();
            // An arena the size of the body: every frame fits and is kept (never released).
            BlockFrames.Reader r = new BlockFrames.Reader(new ByteArrayInputStream(body.toByteArray()), new byte[body.size()]);
            for (Optional<BlockFrames.Frame> f = r.next(); f.isPresent(); f = r.next()) frames.add(f.get());
            services.blocks().intake(p, frames);
            return null;
        });
    }

    @Override
    public boolean concurrentRequests() {
        return true;
    }

    @Override
    public int concurrentUploads() {
        return 2;
    }

    @Override
    public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException {
        return call(p -> switch (services.commits().commit(p, volume, commit, expected)) {
            case CommitService.Accepted a -> new CommitResult.Accepted(new Head(a.head().seq(), Optional.of(a.head().commit())));
            case CommitService.Moved m -> new CommitResult.Moved(m.current().map(h -> new Head(h.seq(), Optional.of(h.commit()))).orElse(Head.EMPTY));
            case CommitService.Incomplete i -> new CommitResult.Incomplete(i.missing(), i.missingCount());
        });
    }

    @Override
    public void fetch(List<Hash> hashes, BlockSink sink) throws IOException {
        call(p -> {
            sent.addAndGet((long) Hash.BYTES * hashes.size());
            services.blocks().fetch(p, hashes).writeTo((h, stored) -> {
                received.addAndGet(BlockFrames.FRAME_HEADER + stored.remaining());
                byte[] data;
                try {
                    data = BlockCodec.decode(h, stored, true);
                } catch (CorruptBlockException bad) {
                    throw new IOException("the host sent a corrupt block: " + bad.getMessage(), bad);
                }
                sink.accept(h, data);
            });
            return null;
        });
    }

    @Override
    public List<byte[]> signatures(List<Hash> hashes) throws IOException {
        return call(p -> {
            sent.addAndGet((long) Hash.BYTES * hashes.size());
            List<byte[]> out = services.blocks().signatures(p, hashes);
            for (byte[] s : out) received.addAndGet(4 + s.length);
            return out;
        });
    }

    @Override
    public void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, Function<Hash, Optional<byte[]>> localBase, BlockSink sink)
            throws IOException {
        call(p -> {
            sent.addAndGet(2L * Hash.BYTES * hashes.size());
            services.blocks().fetchDelta(p, hashes, bases, (h, stored) -> {
                byte[] form = new byte[stored.remaining()];
                stored.duplicate().get(form);
                received.addAndGet(BlockFrames.FRAME_HEADER + form.length);
                byte[] data;
                try {
                    data = BlockDelta.resolve(h, form, localBase);
                } catch (CorruptBlockException bad) {
                    throw new IOException("the host sent a corrupt block: " + bad.getMessage(), bad);
                }
                sink.accept(h, data);
            });
            return null;
        });
    }

    /** Heads arrive on the committing thread, in order; a caller who may no longer read the volume hears nothing more. */
    @Override
    public AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead) {
        try {
            AccountStore.Principal p = services.accounts().authenticate(Optional.of(token));
            long id = services.policy().volume(p, volume, Access.READ).id();
            return services.localHeads().subscribe(id, afterSeq, e -> onHead.accept(new Head(e.seq(), Optional.of(e.commit()))),
                    () -> services.store().accounts().live(p.token().id()) && services.store().volumes().access(p.userId(), id).atLeast(Access.READ));
        } catch (HostException refused) {
            // As over HTTP: a stream that cannot be opened delivers nothing.
            return () -> {};
        }
    }

    @Override
    public long bytesSent() {
        return sent.get();
    }

    @Override
    public long bytesReceived() {
        return received.get();
    }

    @Override
    public void close() {}
}
