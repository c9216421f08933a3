package net.saharasync.clientd.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.saharasync.blockstore.Hash;
import net.saharasync.clientd.remote.NodeBases.Span;
import org.junit.jupiter.api.Test;

/** The node of the known version at the same place: found by search, as comparing with every node would. */
class NodeBasesTest {
    /** The definition: every old node of the same height, the one overlapping most (the first of equals). */
    private static Map<Hash, Hash> byComparingAll(List<Span> now, List<Span> was) {
        Map<Hash, Hash> out = new HashMap<>();
        java.util.Set<Hash> old = new java.util.HashSet<>();
        for (Span s : was) old.add(s.hash());
        for (Span n : now) {
            if (old.contains(n.hash())) continue;
            Optional<Span> best = Optional.empty();
            long bestOverlap = 0;
            for (Span o : was) {
                if (o.height() != n.height()) continue;
                long overlap = Math.min(n.end(), o.end()) - Math.max(n.start(), o.start());
                if (overlap > bestOverlap) {
                    bestOverlap = overlap;
                    best = Optional.of(o);
                }
            }
            best.ifPresent(o -> out.put(n.hash(), o.hash()));
        }
        return out;
    }

    /** Heights 1..3, each a partition of [0, size) into nodes in file order, as a layout lists them. */
    private static List<Span> layout(Random r, long size, int tag) {
        List<Span> out = new ArrayList<>();
        for (int height = 1; height <= 3; height++) {
            long at = 0;
            int i = 0;
            while (at < size) {
                long end = Math.min(size, at + 1 + r.nextInt(height * 300));
                out.add(new Span(Hash.of(new byte[] {(byte) tag, (byte) height, (byte) i, (byte) (i >> 8), (byte) r.nextInt(3)}), height, at, end));
                at = end;
                i++;
            }
        }
        return out;
    }

    @Test
    void matchesWhatComparingWithEveryNodeFinds() {
        Random r = new Random(41);
        for (int round = 0; round < 300; round++) {
            List<Span> was = layout(r, 1 + r.nextInt(5000), 1);
            List<Span> now = layout(r, 1 + r.nextInt(5000), r.nextBoolean() ? 1 : 2); // tag 1: some nodes shared
            assertThat(NodeBases.match(now, was)).isEqualTo(byComparingAll(now, was));
        }
    }
}
