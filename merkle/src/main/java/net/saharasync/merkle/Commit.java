package net.saharasync.merkle;

import java.util.ArrayList;
import java.util.List;
import net.saharasync.blockstore.Hash;

/**
 * A state of a volume: its root directory, the commit(s) it was made from (none for the
 * first, two for a merge: local first), the device that made it and when (ms since the epoch).
 */
public record Commit(DirRef root, List<Hash> parents, String device, long timeMillis) implements TreeObject {
    public static final int MAX_DEVICE_BYTES = 64;
    public static final int MAX_PARENTS = 16;

    public Commit {
        parents = List.copyOf(parents);
        if (parents.size() > MAX_PARENTS) throw new MalformedObjectException(parents.size() + " parents");
        if (device.isEmpty() || device.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_DEVICE_BYTES) {
            throw new MalformedObjectException("device id must be 1.." + MAX_DEVICE_BYTES + " bytes");
        }
        if (device.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) throw new MalformedObjectException("device id has control characters");
        if (root.height() < 0 || root.height() > Entry.MAX_HEIGHT) throw new MalformedObjectException("root height " + root.height());
    }

    @Override
    public byte[] encode() {
        Writer w = new Writer().u8(VERSION).u8(KIND_COMMIT).hash(root.root()).u8(root.height()).varint(parents.size());
        for (Hash p : parents) w.hash(p);
        return w.string(device).i64(timeMillis).toBytes();
    }

    static Commit read(Reader r) {
        Hash root = r.hash("root");
        int height = r.u8("root height");
        int n = r.count("parent count", Hash.BYTES);
        List<Hash> ps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ps.add(r.hash("parent"));
        String device = r.string("device", MAX_DEVICE_BYTES);
        return new Commit(new DirRef(root, height), ps, device, r.i64("time"));
    }
}
