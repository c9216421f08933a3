package net.saharasync.clientd;

import java.util.List;

/**
 * What one sync cycle did. {@code agreed}: the folder and the host's head are the same tree
 * (nothing skipped, nothing unsettled). Bytes are HTTP body bytes both ways; {@code bytesHashed}
 * is how much file data the scan had to read (0 when nothing changed); {@code foldersListed}
 * how many folders it listed (all of them in a full scan; in the daemon, only those a
 * watcher reported changes in); {@code fullScan} whether it scanned the whole folder;
 * {@code activity} what moved, a line per file or folder for a person ("docs/a.txt: sent
 * (new, 12.3 kB)"), at most {@link #MAX_ACTIVITY} lines, then how many more.
 */
public record CycleReport(boolean agreed, long seq, String head, long bytesSent, long bytesReceived, int filesUp, int filesDown,
                          int conflicts, long millis, List<String> skipped, List<String> unsettled, long bytesHashed,
                          int foldersListed, boolean fullScan, List<String> unsyncable, List<String> activity) {
    public static final int MAX_ACTIVITY = 200;

    /**
     * This pass followed by {@code next} of the same cycle (a merge that changed the ignore file
     * runs once more under the new rules): the counts add up, the state is the last pass's.
     */
    public CycleReport then(CycleReport next) {
        return new CycleReport(next.agreed, next.seq, next.head, bytesSent + next.bytesSent, bytesReceived + next.bytesReceived,
                filesUp + next.filesUp, filesDown + next.filesDown, conflicts + next.conflicts, millis + next.millis,
                next.skipped, next.unsettled, bytesHashed + next.bytesHashed, foldersListed + next.foldersListed,
                fullScan || next.fullScan, next.unsyncable, joined(activity, next.activity));
    }

    private static List<String> joined(List<String> a, List<String> b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
