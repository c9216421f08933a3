package net.saharasync.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.Chunk;
import net.saharasync.blockstore.Chunker;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileTree;
import net.saharasync.merkle.Missing;
import net.saharasync.merkle.Names;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeParams;

/** What a client holds for the contract suite: files cut into chunks and trees, in memory, and how it pushes a commit through a {@link HostApi}. */
public final class ClientTree {
    public final InMemoryBlockStore blocks = new InMemoryBlockStore();
    public final ObjectStore objects = new ObjectStore(blocks);
    private final Chunker chunker = Chunker.defaults();

    public Entry file(String name, byte[] data) {
        try {
            List<Chunk> chunks = chunker.chunkAndHash(new ByteArrayInputStream(data));
            List<Block> bs = new ArrayList<>();
            for (Chunk c : chunks) bs.add(Block.withHash(c.hash(), Arrays.copyOfRange(data, (int) c.offset(), (int) c.end())));
            if (data.length == 0) bs.add(Block.of(data));
            blocks.putAll(bs);
            return Entry.file(name, FileTree.fromChunks(chunks, objects, TreeParams.DEFAULT), false, 1_000_000L);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public DirRef dir(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Names.compare(a.name(), b.name()));
        DirRef d = DirectoryTree.build(sorted, objects, TreeParams.DEFAULT);
        objects.flush();
        return d;
    }

    public Hash commit(DirRef root, List<Hash> parents) {
        Hash h = objects.write(new Commit(root, parents, "contract-device", System.currentTimeMillis()));
        objects.flush();
        return h;
    }

    /** The stored forms of {@code hashes}, ready to upload. */
    public List<Upload> uploads(List<Hash> hashes) {
        List<Upload> out = new ArrayList<>();
        for (Hash h : hashes) out.add(new Upload(h, blocks.getStored(h).orElseThrow()));
        return out;
    }

    /** Uploads what the host lacks of {@code root} and the commit, then commits. */
    public CommitResult push(HostApi host, String volume, DirRef root, Hash commit, Optional<Hash> expected) throws IOException {
        List<Hash> up = new ArrayList<>(Missing.missing(objects, root, hs -> {
            try {
                return host.missing(hs);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        if (!host.missing(List.of(commit)).isEmpty()) up.add(commit);
        host.upload(uploads(up));
        return host.commit(volume, commit, expected);
    }

    /** A block's stored form, as a client would upload it. */
    public static Upload upload(byte[] data) {
        return new Upload(Hash.of(data), new BlockCodec(1).encode(data).toBytes());
    }
}
