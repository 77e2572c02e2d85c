package dev.cachalot.registry;

import dev.cachalot.security.Authority;
import org.eclipse.jetty.server.Handler;

/**
 * How a {@link RegistryServer} listens beyond its backend: TLS (null: plain HTTP), who hears of each answered request,
 * what the operational endpoints answer, who may do what ({@code access} null: everyone may do everything, as on
 * loopback), the access log, and the management API's handler (null: none), which answers every path under
 * {@value ManagementMount#PREFIX}.
 */
public record ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations, Authority access,
                            AccessLogFormat accessLog, Handler management) {

    /** Plain HTTP, no observer, always ready, no metrics. */
    public static ServerOptions plain() {
        return new ServerOptions(null, RequestObserver.NONE, Operations.ALWAYS_READY);
    }

    /** Open to everyone, no access log, no management API. */
    public ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations) {
        this(tls, observer, operations, null, AccessLogFormat.OFF, null);
    }

    /** No management API. */
    public ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations, Authority access,
                         AccessLogFormat accessLog) {
        this(tls, observer, operations, access, accessLog, null);
    }

    public ServerOptions {
        observer = observer == null ? RequestObserver.NONE : observer;
        operations = operations == null ? Operations.ALWAYS_READY : operations;
        accessLog = accessLog == null ? AccessLogFormat.OFF : accessLog;
    }
}
