package net.saharasync.clientd;

import java.nio.file.Path;

/** A client in its own process for kill -9 tests: sync cycles of one folder until it agrees. */
public final class OnceMain {
    private OnceMain() {}

    public static void main(String[] args) throws Exception {
        try (SyncEngine e = SyncEngine.open(Path.of(args[0]))) {
            System.out.println("STARTED");
            System.out.flush();
            for (int i = 0; i < 20 && !e.cycle().agreed(); i++) Thread.sleep(100);
        }
    }
}
