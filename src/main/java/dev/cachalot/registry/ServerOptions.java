package dev.cachalot.registry;

import org.eclipse.jetty.server.Handler;

/**
 * How a {@link RegistryServer} listens beyond its backend: TLS (null: plain HTTP), who hears of each answered request,
 * what the operational endpoints answer, and the management API's handler (null: none), which answers every path
 * under {@value ManagementMount#PREFIX}.
 */
public record ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations, Handler management) {

    public ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations) {
        this(tls, observer, operations, null);
    }

    /** Plain HTTP, no observer, always ready, no metrics. */
    public static ServerOptions plain() {
        return new ServerOptions(null, RequestObserver.NONE, Operations.ALWAYS_READY);
    }

    public ServerOptions {
        observer = observer == null ? RequestObserver.NONE : observer;
        operations = operations == null ? Operations.ALWAYS_READY : operations;
    }
}
