package net.saharasync.clientd;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Simulated time: moves only when the test says so. */
final class SimClock extends Clock {
    private long nanos = 1_767_225_600_000_000_000L; // 2026-01-01

    void advanceMillis(long ms) {
        nanos += ms * 1_000_000L;
    }

    /** Now, in nanoseconds since the epoch; each call moves time forward by a microsecond, so mtimes never repeat. */
    long nanos() {
        nanos += 1_000;
        return nanos;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(0, nanos);
    }
}
