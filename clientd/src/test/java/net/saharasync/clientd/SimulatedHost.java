package net.saharasync.clientd;

import net.saharasync.protocol.Access;
import net.saharasync.protocol.Caller;
import net.saharasync.protocol.Head;
import net.saharasync.protocol.HistoryEntry;
import net.saharasync.protocol.Invitation;
import net.saharasync.protocol.IssuedToken;
import net.saharasync.protocol.Member;
import net.saharasync.protocol.ShareOutcome;
import net.saharasync.protocol.Volume;
import net.saharasync.protocol.Upload;
import net.saharasync.protocol.BlockSink;
import net.saharasync.protocol.CommitResult;
import net.saharasync.protocol.HostApi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.BlockStore;
import net.saharasync.blockstore.ChunkerParams;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.protocol.HostError;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeCheck;

/**
 * The host for simulation tests: the real host's rules (every upload checked against its hash,
 * commits checked with {@link TreeCheck} and moved by compare-and-swap) over memory, with faults
 * before requests and after them (the host did it, but the answer was lost).
 */
final class SimulatedHost implements HostApi {
    /** What every client's connection shares: the host's store and head. */
    static final class State {
        final InMemoryBlockStore blocks = new InMemoryBlockStore();
        Optional<Hash> head = Optional.empty();
        long seq;
        final List<Hash> history = new ArrayList<>();
        /** Every object reachable from a commit the volume had, as the real host's reach set. */
        final Set<Hash> reach = new HashSet<>();
        /** Told of every accepted commit (seq, device). */
        java.util.function.BiConsumer<Long, String> onCommit = (seq, device) -> {};
    }

    private final State state;
    private final Faults faults;
    private long sent;
    private long received;

    SimulatedHost(State state, Faults faults) {
        this.state = state;
        this.faults = faults;
    }

    @Override
    public Volume volume(String id) {
        return new Volume(id, id, ChunkerParams.DEFAULT, new Head(state.seq, state.head));
    }

    @Override
    public List<Volume> volumes() {
        return List.of(volume("v"));
    }

    @Override
    public Volume createVolume(String name) {
        return volume(name);
    }

    @Override
    public Caller whoAmI() {
        return new Caller("sim", true, "sim", "0000000000000000");
    }

    @Override
    public IssuedToken issueDeviceToken(String device) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void revokeToken(String tokenId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<HistoryEntry> history(String volume, long beforeSeq, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ShareOutcome share(String volume, String user, Access access) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Member> members(String volume) {
        return List.of();
    }

    @Override
    public List<Invitation> invitations() {
        return List.of();
    }

    @Override
    public Volume accept(String volume) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void leave(String volume) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Head head(String volume) throws IOException {
        faults.maybe("head");
        received += 40;
        return new Head(state.seq, state.head);
    }

    @Override
    public Set<Hash> missing(List<Hash> hashes) throws IOException {
        faults.maybe("missing");
        sent += 32L * hashes.size();
        return new HashSet<>(state.blocks.missing(hashes));
    }

    @Override
    public void upload(List<Upload> blocks) throws IOException {
        if (blocks.isEmpty()) return;
        faults.maybe("upload");
        List<BlockStore.StoredBlock> ok = new ArrayList<>();
        BlockCodec codec = new BlockCodec(1);
        for (Upload u : blocks) {
            // Deltas are rebuilt from their base, as the real host does; a bad one fails the batch.
            byte[] raw;
            try {
                raw = net.saharasync.protocol.wire.BlockDelta.resolve(u.hash(), u.stored(), b -> state.blocks.get(b));
            } catch (net.saharasync.blockstore.CorruptBlockException e) {
                throw new HostError(400, "hash_mismatch", e.getMessage(), null); // as the real host answers
            }
            ok.add(new BlockStore.StoredBlock(u.hash(), codec.encode(raw)));
            sent += u.length();
        }
        try {
            faults.maybe("upload midway");
        } catch (IOException | RuntimeException cut) {
            // The connection cut mid-batch: the host keeps the frames it had read (parents come first).
            state.blocks.putAllStored(ok.subList(0, ok.size() / 2));
            throw cut;
        }
        state.blocks.putAllStored(ok);
        faults.maybe("upload answer");
    }

    @Override
    public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException {
        faults.maybe("commit");
        ObjectStore objects = new ObjectStore(state.blocks);
        TreeCheck.Result check = TreeCheck.check(objects, commit, hs -> {
            Set<Hash> known = new HashSet<>(hs);
            known.retainAll(state.reach);
            return known;
        }, hs -> {
            Set<Hash> present = new HashSet<>(hs);
            present.removeAll(state.blocks.missing(hs));
            return present;
        });
        if (!check.complete()) {
            // As the real host answers: the first 1,000 missing objects listed.
            return new CommitResult.Incomplete(check.missing().stream().limit(1000).toList(), check.missing().size());
        }
        Commit c = (Commit) objects.read(commit);
        if (expected.isPresent() && !c.parents().contains(expected.get())) {
            throw new AssertionError("client committed " + commit + " onto " + expected.get() + " without listing it as a parent");
        }
        if (!state.head.equals(expected)) return new CommitResult.Moved(new Head(state.seq, state.head));
        state.head = Optional.of(commit);
        state.seq++;
        state.history.add(commit);
        state.reach.addAll(check.reached());
        state.onCommit.accept(state.seq, c.device());
        faults.maybe("commit answer"); // committed, but the client never hears of it
        return new CommitResult.Accepted(new Head(state.seq, state.head));
    }

    @Override
    public void fetch(List<Hash> hashes, BlockSink sink) throws IOException {
        faults.maybe("fetch");
        for (Hash h : hashes) {
            byte[] data = state.blocks.get(h, true).orElseThrow(() -> new HostError(404, "not_found", h.toHex(), null));
            received += data.length;
            sink.accept(h, data);
        }
    }

    @Override
    public List<byte[]> signatures(List<Hash> hashes) throws IOException {
        faults.maybe("signatures");
        List<byte[]> out = new ArrayList<>();
        for (Hash h : hashes) {
            out.add(net.saharasync.protocol.wire.BlockDelta.signature(
                    state.blocks.get(h).orElseThrow(() -> new HostError(404, "not_found", h.toHex(), null))));
        }
        return out;
    }

    @Override
    public void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, java.util.function.Function<Hash, Optional<byte[]>> localBase,
                           BlockSink sink) throws IOException {
        faults.maybe("fetch-delta");
        for (int i = 0; i < hashes.size(); i++) {
            Hash h = hashes.get(i);
            byte[] data = state.blocks.get(h, true).orElseThrow(() -> new HostError(404, "not_found", h.toHex(), null));
            Optional<byte[]> base = bases.get(i).flatMap(state.blocks::get);
            byte[] form = base.isPresent() ? net.saharasync.protocol.wire.BlockDelta.patch(bases.get(i).get(), base.get(), data)
                    : codec.encode(data).toBytes();
            received += form.length;
            sink.accept(h, net.saharasync.protocol.wire.BlockDelta.resolve(h, form, localBase));
        }
    }

    private final BlockCodec codec = new BlockCodec(1);

    @Override
    public AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead) {
        return () -> {};
    }

    @Override
    public long bytesSent() {
        return sent;
    }

    @Override
    public long bytesReceived() {
        return received;
    }

    @Override
    public void close() {}
}
