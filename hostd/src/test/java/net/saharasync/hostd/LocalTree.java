package net.saharasync.hostd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.Missing;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.protocol.ClientTree;

/** What a client holds: real files cut into chunks and trees, in memory, and how it pushes a commit. */
final class LocalTree {
    private final ClientTree tree = new ClientTree();
    final InMemoryBlockStore blocks = tree.blocks;
    final ObjectStore objects = tree.objects;

    Entry file(String name, byte[] data) {
        return tree.file(name, data);
    }

    DirRef dir(List<Entry> entries) {
        return tree.dir(entries);
    }

    Hash commit(DirRef root, List<Hash> parents) {
        return tree.commit(root, parents);
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
