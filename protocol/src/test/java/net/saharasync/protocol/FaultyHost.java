package net.saharasync.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.saharasync.blockstore.Hash;

/**
 * A host whose requests fail where a real network would fail them: before a request reaches
 * the host, in the middle of an upload batch (the host keeps the frames it had read: the first
 * half), and after the host did the work but before its answer arrived (an upload stored, a
 * commit accepted). Each point is named ({@code "upload midway"}, {@code "commit answer"}, ...)
 * and asked of {@link Fault}, which throws to inject. Requests run one at a time, so a seeded
 * fault plan meets the same requests in the same order every run.
 */
public final class FaultyHost extends ForwardingHost {
    /** Throws (an {@link IOException} or a runtime crash) to inject a fault at {@code where}. */
    @FunctionalInterface
    public interface Fault {
        void at(String where) throws IOException;
    }

    private final Fault fault;

    public FaultyHost(HostApi real, Fault fault) {
        super(real);
        this.fault = fault;
    }

    @Override
    public Head head(String volume) throws IOException {
        fault.at("head");
        return real.head(volume);
    }

    @Override
    public Set<Hash> missing(List<Hash> hashes) throws IOException {
        fault.at("missing");
        return real.missing(hashes);
    }

    @Override
    public void upload(List<Upload> blocks) throws IOException {
        if (blocks.isEmpty()) return;
        fault.at("upload");
        try {
            fault.at("upload midway");
        } catch (IOException | RuntimeException cut) {
            // The connection cut mid-batch: the host keeps the frames it had read (parents come first).
            real.upload(blocks.subList(0, blocks.size() / 2));
            throw cut;
        }
        real.upload(blocks);
        fault.at("upload answer");
    }

    @Override
    public CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException {
        fault.at("commit");
        CommitResult r = real.commit(volume, commit, expected);
        // Committed, but the client never hears of it.
        if (r instanceof CommitResult.Accepted) fault.at("commit answer");
        return r;
    }

    @Override
    public void fetch(List<Hash> hashes, BlockSink sink) throws IOException {
        fault.at("fetch");
        real.fetch(hashes, sink);
    }

    @Override
    public List<byte[]> signatures(List<Hash> hashes) throws IOException {
        fault.at("signatures");
        return real.signatures(hashes);
    }

    @Override
    public void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, Function<Hash, Optional<byte[]>> localBase, BlockSink sink)
            throws IOException {
        fault.at("fetch-delta");
        real.fetchDelta(hashes, bases, localBase, sink);
    }

    /** One request at a time: faults follow the order of requests. */
    @Override
    public boolean concurrentRequests() {
        return false;
    }

    @Override
    public int concurrentUploads() {
        return 1;
    }
}
