package net.saharasync.hostd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Block;
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

/** What a client holds: real files cut into chunks and trees, in memory, and how it pushes a commit. */
final class LocalTree {
    final InMemoryBlockStore blocks = new InMemoryBlockStore();
    final ObjectStore objects = new ObjectStore(blocks);
    private final Chunker chunker = Chunker.defaults();

    Entry file(String name, byte[] data) {
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

    DirRef dir(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Names.compare(a.name(), b.name()));
        DirRef d = DirectoryTree.build(sorted, objects, TreeParams.DEFAULT);
        objects.flush();
        return d;
    }

    Hash commit(DirRef root, List<Hash> parents) {
        Hash h = objects.write(new Commit(root, parents, "test-device", System.currentTimeMillis()));
        objects.flush();
        return h;
    }

    /** Everything reachable from {@code root} that the host says this client must upload, plus the commit. */
    List<Hash> toUpload(TestClient client, DirRef root, Hash commit) {
        List<Hash> out = new ArrayList<>(Missing.missing(objects, root, client::missing));
        if (!client.missing(List.of(commit)).isEmpty()) out.add(commit);
        return out;
    }

    /** Uploads what the host lacks and commits; returns the commit reply. */
    TestClient.Reply push(TestClient client, String volume, DirRef root, Hash commit, Optional<Hash> expected) {
        List<Hash> up = toUpload(client, root, commit);
        if (!up.isEmpty()) {
            TestClient.Reply r = client.upload(TestClient.frames(blocks, up));
            if (r.status() != 200) throw new AssertionError("upload: " + r.status() + " " + new String(r.body()));
        }
        return client.commit(volume, commit, expected);
    }
}
