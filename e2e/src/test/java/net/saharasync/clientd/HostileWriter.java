package net.saharasync.clientd;

import net.saharasync.protocol.Upload;
import net.saharasync.protocol.CommitResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.saharasync.blockstore.Block;
import net.saharasync.blockstore.BlockCodec;
import net.saharasync.blockstore.Hash;
import net.saharasync.blockstore.InMemoryBlockStore;
import net.saharasync.protocol.http.HttpHost;
import net.saharasync.merkle.Commit;
import net.saharasync.merkle.DirRef;
import net.saharasync.merkle.DirectoryTree;
import net.saharasync.merkle.Entry;
import net.saharasync.merkle.FileRef;
import net.saharasync.merkle.Names;
import net.saharasync.merkle.ObjectStore;
import net.saharasync.merkle.TreeParams;

/**
 * A writer of a shared volume who crafts its trees by hand (the object encoding of
 * docs/PROTOCOL.md, through merkle's types) instead of scanning a folder: whatever names,
 * shapes and symlink targets it likes, uploaded and committed through the documented HTTP API.
 */
final class HostileWriter implements AutoCloseable {
    private static final BlockCodec CODEC = new BlockCodec(1);
    private static final long MTIME = 1_700_000_000_000_000_000L;

    final HttpHost host;
    final String volume;
    final InMemoryBlockStore blocks = new InMemoryBlockStore();
    final ObjectStore objects = new ObjectStore(blocks);

    HostileWriter(String url, String token, String volume) {
        this.host = new HttpHost(url, token, Optional.empty());
        this.volume = volume;
    }

    Entry file(String name, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        Block b = Block.of(data);
        blocks.put(b);
        return Entry.file(name, new FileRef(b.hash(), data.length, 0), false, MTIME);
    }

    Entry symlink(String name, byte[] target) {
        Block b = Block.of(target);
        blocks.put(b);
        return Entry.symlink(name, b.hash(), target.length, 0);
    }

    Entry dir(String name, Entry... entries) {
        return Entry.directory(name, root(entries));
    }

    DirRef root(Entry... entries) {
        List<Entry> sorted = new ArrayList<>(Arrays.asList(entries));
        sorted.sort((x, y) -> Names.compare(x.name(), y.name()));
        DirRef r = DirectoryTree.build(sorted, objects, TreeParams.DEFAULT);
        objects.flush();
        return r;
    }

    /** The head's tree (read from this writer's own copy: it has written every tree it committed). */
    Optional<Hash> head() throws IOException {
        return host.head(volume).commit();
    }

    /** Uploads every object this writer made and commits {@code root} onto the head; the host's answer, or its error. */
    CommitResult commit(DirRef root) throws IOException {
        Optional<Hash> head = head();
        Hash c = objects.write(new Commit(root, head.map(List::of).orElse(List.of()), "mallory", System.currentTimeMillis()));
        objects.flush();
        List<Upload> ups = new ArrayList<>();
        blocks.forEach(h -> ups.add(new Upload(h, CODEC.encode(blocks.get(h).orElseThrow()).toBytes())));
        host.upload(ups);
        return host.commit(volume, c, head);
    }

    @Override
    public void close() {
        host.close();
    }
}
