package net.saharasync.clientd;

import java.io.IOException;
import java.util.Random;

/**
 * Seeded fault injection: before a file system change or a host request, maybe an I/O error
 * (the operation fails, nothing changed) or a crash (the client process dies on the spot).
 */
final class Faults {
    /** The client process dying: the simulation drops the engine and starts a new one on the same state. */
    static final class Crash extends RuntimeException {
        Crash(String where) {
            super("crash before " + where, null, false, false);
        }
    }

    static final class InjectedIo extends IOException {
        InjectedIo(String where) {
            super("injected I/O error at " + where);
        }
    }

    private final Random random;
    private final double io;
    private final double crash;
    boolean on;

    Faults(long seed, double io, double crash) {
        this.random = new Random(seed);
        this.io = io;
        this.crash = crash;
    }

    void maybe(String where) throws IOException {
        if (!on) return;
        double x = random.nextDouble();
        if (x < crash) throw new Crash(where);
        if (x < crash + io) throw new InjectedIo(where);
    }
}
