package dev.cachalot.registry;

/**
 * How a {@link RegistryServer} listens beyond its backend: TLS (null: plain HTTP), who hears of each answered request,
 * and what the operational endpoints answer.
 */
public record ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations) {

    /** Plain HTTP, no observer, always ready, no metrics. */
    public static ServerOptions plain() {
        return new ServerOptions(null, RequestObserver.NONE, Operations.ALWAYS_READY);
    }

    public ServerOptions {
        observer = observer == null ? RequestObserver.NONE : observer;
        operations = operations == null ? Operations.ALWAYS_READY : operations;
    }
}
