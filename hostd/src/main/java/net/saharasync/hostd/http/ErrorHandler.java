package net.saharasync.hostd.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import net.saharasync.protocol.wire.BlockFrames;
import net.saharasync.hostd.HostException;
import net.saharasync.merkle.MalformedObjectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * Runs the wrapped handler on a worker thread and turns whatever it throws into the
 * documented JSON error; a response already under way is cut off instead (a client
 * checking frames and lengths sees it as incomplete, never as data).
 */
public final class ErrorHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);
    private final HttpHandler next;

    public ErrorHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) {
        if (ex.isInIoThread()) {
            // LMDB, hashing and zstd never run on an I/O thread.
            ex.dispatch(this);
            return;
        }
        try {
            next.handleRequest(ex);
        } catch (Throwable t) {
            fail(ex, t);
        }
    }

    static void fail(HttpServerExchange ex, Throwable t) {
        HostException e = translate(t);
        if (e.status() == 507) {
            LOG.warn("{} {} refused: {}", ex.getRequestMethod(), ex.getRequestPath(), t.getMessage());
        } else if (e.status() >= 500) {
            LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestPath(), t);
        }
        if (ex.isResponseStarted()) {
            IoUtils.safeClose(ex.getConnection());
            return;
        }
        ex.getResponseHeaders().clear();
        // A body we refused or could not read must not be parsed as the next request.
        // (A 429 is answered before the body is read: Undertow drains it on the I/O thread, no
        // worker held, and the connection stays usable for the retry.)
        if (e.status() == 413 || e.status() == 400 || e.status() == 408) ex.setPersistent(false);
        Exchanges.sendError(ex, e);
    }

    static HostException translate(Throwable t) {
        return switch (t) {
            case HostException h -> h;
            case net.saharasync.blockstore.StorageFullException full -> new HostException(507, "insufficient_storage",
                    "the host is out of disk space; nothing of this request was stored");
            case BlockFrames.MalformedFrameException m -> new HostException(400, "malformed_frame", m.getMessage());
            case MalformedObjectException m -> new HostException(400, "invalid_tree", m.getMessage());
            case IOException io -> new HostException(408, "request_timeout", "the request body could not be read: " + io);
            default -> new HostException(500, "internal", "internal error: " + t.getClass().getSimpleName());
        };
    }
}
