package net.saharasync.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import net.saharasync.blockstore.Hash;

/**
 * The host API (docs/PROTOCOL.md, "Host API") as one caller sees it: every call is made as the
 * principal the implementation was opened for. Implementations: the HTTP client
 * ({@code protocol.http.HttpHost}), the host's in-process service ({@code hostd.service.LocalHost}),
 * and test wrappers that forward it or inject faults. A refusal is a {@link HostError} with a
 * stable {@link ErrorCode}; a host that cannot be reached is {@link HostUnreachable}.
 */
public interface HostApi extends AutoCloseable {
    /** Who the caller is ({@code GET /v1/me}). */
    Caller whoAmI() throws IOException;

    /** A new token of the caller's user for one device; the caller's own token stays as it is. */
    IssuedToken issueDeviceToken(String device) throws IOException;

    /** Revokes one of the caller's tokens (an administrator: anyone's) by id. */
    void revokeToken(String tokenId) throws IOException;

    Volume volume(String id) throws IOException;

    List<Volume> volumes() throws IOException;

    Volume createVolume(String name) throws IOException;

    Head head(String volume) throws IOException;

    /** Accepted commits, newest first, with a sequence number below {@code beforeSeq}; at most {@code limit}. */
    List<HistoryEntry> history(String volume, long beforeSeq, int limit) throws IOException;

    /** Shares a volume the caller owns with {@code user} ({@link Access#NONE}: unshares). */
    ShareOutcome share(String volume, String user, Access access) throws IOException;

    /** Who has access to a volume the caller owns, and who is invited. */
    List<Member> members(String volume) throws IOException;

    List<Invitation> invitations() throws IOException;

    /** Accepts an invitation; the volume as the caller now sees it. */
    Volume accept(String volume) throws IOException;

    /** Declines an invitation or leaves a shared volume. */
    void leave(String volume) throws IOException;

    /** Of {@code hashes}, those the host lacks (for this caller). */
    Set<Hash> missing(List<Hash> hashes) throws IOException;

    /** Uploads blocks in their stored form ({@code BlockCodec}) or as deltas; one durable batch. */
    void upload(List<Upload> blocks) throws IOException;

    /**
     * Whether requests may be made from several threads at once (a real host: yes; a
     * fault-injecting one: no, its faults follow the order of requests).
     */
    default boolean concurrentRequests() {
        return false;
    }

    /** How many {@link #upload} calls may run at once. */
    default int concurrentUploads() {
        return 1;
    }

    /** Moves the head from {@code expected} to {@code commit} if it is still {@code expected}. */
    CommitResult commit(String volume, Hash commit, Optional<Hash> expected) throws IOException;

    /** Downloads blocks, each checked against its hash, handed to {@code sink} in the order asked. */
    void fetch(List<Hash> hashes, BlockSink sink) throws IOException;

    /** The {@code BlockDelta} signatures of blocks the host has, in order. */
    List<byte[]> signatures(List<Hash> hashes) throws IOException;

    /**
     * Like {@link #fetch}, but block i may come as a patch against {@code bases.get(i)}, which
     * {@code localBase} must then supply; every block is still checked against its hash.
     */
    void fetchDelta(List<Hash> hashes, List<Optional<Hash>> bases, Function<Hash, Optional<byte[]>> localBase, BlockSink sink)
            throws IOException;

    /** Calls {@code onHead} with every new head after {@code afterSeq} until closed; reconnects by itself. */
    AutoCloseable subscribe(String volume, long afterSeq, Consumer<Head> onHead);

    /** Body bytes sent and received so far (in-process implementations count what the wire would carry). */
    long bytesSent();

    long bytesReceived();

    @Override
    void close();
}
