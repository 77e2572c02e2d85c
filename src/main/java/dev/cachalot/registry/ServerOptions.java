package dev.cachalot.registry;

import dev.cachalot.security.Authority;
import dev.cachalot.security.TrustedProxies;
import org.eclipse.jetty.server.Handler;

/**
 * How a {@link RegistryServer} listens beyond its backend: TLS (null: plain HTTP), who hears of each answered request,
 * what the operational endpoints answer, who may do what ({@code access} null: everyone may do everything, as on
 * loopback), the access log, the management API's handler (null: none), which answers every path under
 * {@value ManagementMount#PREFIX}, and the balancers that may announce their clients' addresses ({@link ProxyProtocol}).
 */
public record ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations, Authority access,
                            AccessLogFormat accessLog, Handler management, TrustedProxies trustedProxies) {

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

    /** No balancer trusted: every connection is its own client. */
    public ServerOptions(TlsFiles tls, RequestObserver observer, Operations operations, Authority access,
                         AccessLogFormat accessLog, Handler management) {
        this(tls, observer, operations, access, accessLog, management, TrustedProxies.NONE);
    }

    public ServerOptions {
        observer = observer == null ? RequestObserver.NONE : observer;
        operations = operations == null ? Operations.ALWAYS_READY : operations;
        accessLog = accessLog == null ? AccessLogFormat.OFF : accessLog;
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
    }
}
