package net.saharasync.hostd.http;

import net.saharasync.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import net.saharasync.hostd.HostException;
import net.saharasync.hostd.service.Refusals;
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
        if (e.code() == ErrorCode.INSUFFICIENT_STORAGE) {
            LOG.warn("{} {} refused: {}", ex.getRequestMethod(), ex.getRequestPath(), t.getMessage());
        } else if (e.code().httpStatus() >= 500) {
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
        int status = e.code().httpStatus();
        if (status == 413 || status == 400 || status == 408) ex.setPersistent(false);
        Exchanges.sendError(ex, e);
    }

    static HostException translate(Throwable t) {
        return Refusals.of(t).orElseGet(() -> t instanceof IOException io
                ? new HostException(ErrorCode.REQUEST_TIMEOUT, "the request body could not be read: " + io)
                : new HostException(ErrorCode.INTERNAL, "internal error: " + t.getClass().getSimpleName()));
    }
}
