package net.saharasync.clientd;

import java.nio.file.Path;

/** One sync cycle of a folder in its own process, printing what it could not sync and whether it agreed. */
public final class ReportMain {
    private ReportMain() {}

    public static void main(String[] args) throws Exception {
        try (SyncEngine e = SyncEngine.open(Path.of(args[0]))) {
            CycleReport r = e.cycle();
            for (String u : r.unsyncable()) System.out.println("NOT SYNCED " + u);
            System.out.println("AGREED " + r.agreed());
        }
    }
}
