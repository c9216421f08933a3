package net.saharasync.cli;

import java.util.Locale;
import net.saharasync.clientd.ClientException;
import net.saharasync.protocol.HostError;
import net.saharasync.protocol.HostUnreachable;

/**
 * What a failed command says and the exit status it ends with (README, "Exit status"): one
 * sentence that names what was tried and the fix, never a Java exception's text alone.
 */
final class ExitCodes {
    static final int OK = 0;
    /** The command ran but did not finish its job (a sync that does not agree yet, another error). */
    static final int NOT_DONE = 1;
    /** Bad options or arguments, or an address already in use. */
    static final int USAGE = 2;
    /** The host could not be reached (no such name, nothing listening, no answer, TLS mismatch or an unpinned certificate). */
    static final int UNREACHABLE = 3;
    /** The host refused this device: an unknown or revoked token, or no access. */
    static final int REFUSED = 4;
    /** A data problem: the local folder or disk, or the host's disk is full. */
    static final int DATA = 5;

    private ExitCodes() {}

    /** The exit status and the sentence for a failure. */
    record Explained(int status, String message) {}

    static Explained explain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return new Explained(USAGE, String.valueOf(e.getMessage()).startsWith("cannot listen on") ? e.getMessage()
                        : "cannot listen there: the address is in use (another `sahara host` or `sahara up`?); choose another with --listen HOST:PORT");
            }
        }
        return switch (e) {
            case HostUnreachable u -> new Explained(UNREACHABLE, u.getMessage());
            case HostError h when h.status() == 401 -> new Explained(REFUSED, "the host refused this device's token (unknown or revoked): "
                    + "make a new one on the host with `sahara user token NAME --device DEVICE`, then join again with --token NEW");
            case HostError h when h.status() == 403 -> new Explained(REFUSED, h.getMessage());
            case HostError h when h.status() == 507 -> new Explained(DATA, h.getMessage());
            case HostError h -> new Explained(NOT_DONE, h.getMessage());
            case IllegalArgumentException bad -> new Explained(USAGE, bad.getMessage());
            case net.saharasync.clientd.FolderLock.Busy busy -> new Explained(NOT_DONE, busy.getMessage());
            case ClientException c -> new Explained(USAGE, c.getMessage());
            case java.nio.file.NoSuchFileException gone -> new Explained(DATA, "no such file or folder: " + gone.getMessage());
            case java.nio.file.AccessDeniedException denied -> new Explained(DATA, "permission denied: " + denied.getMessage()
                    + (denied.getReason() == null ? "" : " (" + denied.getReason() + ")"));
            case java.nio.file.FileSystemException fse -> new Explained(DATA, fse.getMessage());
            case java.io.IOException io -> new Explained(DATA, io.getMessage() == null ? io.toString() : io.getMessage());
            default -> new Explained(NOT_DONE, e.getMessage() == null ? e.toString()
                    : e.getMessage().toLowerCase(Locale.ROOT).startsWith("java.") ? e.toString() : e.getMessage());
        };
    }
}
