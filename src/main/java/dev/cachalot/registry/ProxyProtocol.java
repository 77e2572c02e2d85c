package dev.cachalot.registry;

import dev.cachalot.security.TrustedProxies;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first protocol of a listener behind balancers: a balancer that passes connections through (HAProxy in
 * {@code mode tcp}, TLS untouched) cannot add a header to the requests, so it announces the client's address in a PROXY
 * protocol header (v1 text or v2 binary) before the first byte of the client's. Every part that counts or logs per
 * client (the failed-login throttle, the connections per address, the upload limits, the access log) reads the
 * connection's remote address, which is then the announced one.
 *
 * <p>Who may announce is the whole point: a header from anyone else would let a client pick its own address, and so
 * slip out of the throttle or pin its failures on someone else. So the decision is taken on the TCP peer before a byte
 * is read:
 * <ul>
 *   <li>a {@link TrustedProxies trusted} peer may start with a header (Jetty's {@link ProxyConnectionFactory} reads it);
 *       without one (a health check) it is served as itself;</li>
 *   <li>any other peer that starts with a PROXY signature is closed before anything else is read, logged once per
 *       address (the header's contents are never logged: they are the sender's to choose); without one it is served as
 *       before.</li>
 * </ul>
 * Only installed when some proxy is trusted: without the setting the listener is exactly as it was.
 */
final class ProxyProtocol extends AbstractConnectionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocol.class);
    static final String PROTOCOL = "cachalot-proxy-protocol";
    /** Addresses already logged for a refused header; bounded, so a flood of sources cannot grow it without end. */
    private static final int MAX_LOGGED = 1_000;

    private final TrustedProxies trusted;
    private final Announced announced;
    private final Refused refused;
    private final Set<InetAddress> logged = ConcurrentHashMap.newKeySet();

    /** {@code nextProtocol}: the listener's protocol after the header (HTTP/1.1, or TLS). */
    ProxyProtocol(TrustedProxies trusted, String nextProtocol) {
        super(PROTOCOL);
        this.trusted = trusted;
        this.announced = new Announced(nextProtocol);
        this.refused = new Refused(nextProtocol, new Forged(this::logRefusal));
        addBean(announced, true);
        addBean(refused, true);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        InetAddress peer = addressOf(endPoint.getRemoteSocketAddress());
        return (trusted.contains(peer) ? announced : refused).newConnection(connector, endPoint);
    }

    private static InetAddress addressOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    private void logRefusal(EndPoint endPoint) {
        InetAddress peer = addressOf(endPoint.getRemoteSocketAddress());
        String who = peer == null ? "an unknown address" : peer.getHostAddress();
        if (peer != null && logged.size() < MAX_LOGGED && logged.add(peer)) {
            LOG.warn("Refused a connection from {}: it began with a PROXY protocol header, and only the balancers in"
                    + " listen.trustedProxies ({}) may announce a client's address (further ones from it are logged at"
                    + " debug)", who, trusted);
        } else {
            LOG.debug("Refused a connection from {}: PROXY protocol header from an address that is not trusted", who);
        }
    }

    /** Reads a trusted balancer's header, if there is one; without one the connection goes on as the balancer's own. */
    private static final class Announced extends ProxyConnectionFactory {
        private final String next;

        Announced(String next) {
            super(next);
            this.next = next;
        }

        @Override
        protected void nextProtocol(Connector connector, EndPoint endPoint, ByteBuffer buffer) {
            upgradeToConnectionFactory(connector.getConnectionFactory(next), connector, endPoint);
        }
    }

    /** Closes a connection that starts with a PROXY header from an untrusted peer; the rest go on unchanged. */
    private static final class Refused extends DetectorConnectionFactory {
        private final String next;

        Refused(String next, Forged forged) {
            super(forged);
            this.next = next;
        }

        @Override
        protected void nextProtocol(Connector connector, EndPoint endPoint, ByteBuffer buffer) {
            upgradeToConnectionFactory(connector.getConnectionFactory(next), connector, endPoint);
        }
    }

    /**
     * Recognises either header version by its signature. Unlike Jetty's combined detection, a v2 signature that
     * arrives in pieces shorter than its 12 bytes is waited for, so splitting it cannot slip it past the refusal.
     */
    private static final class Forged extends AbstractConnectionFactory implements ConnectionFactory.Detecting {
        private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        private final Consumer<EndPoint> refusal;

        Forged(Consumer<EndPoint> refusal) {
            super("proxy-refused");
            this.refusal = refusal;
        }

        @Override
        public Detection detect(ByteBuffer buffer) {
            Detection v1 = against(V1, buffer);
            Detection v2 = against(V2, buffer);
            if (v1 == Detection.RECOGNIZED || v2 == Detection.RECOGNIZED) return Detection.RECOGNIZED;
            if (v1 == Detection.NEED_MORE_BYTES || v2 == Detection.NEED_MORE_BYTES) return Detection.NEED_MORE_BYTES;
            return Detection.NOT_RECOGNIZED;
        }

        private static Detection against(byte[] signature, ByteBuffer buffer) {
            int n = Math.min(signature.length, buffer.remaining());
            for (int i = 0; i < n; i++) {
                if (buffer.get(buffer.position() + i) != signature[i]) return Detection.NOT_RECOGNIZED;
            }
            return n == signature.length ? Detection.RECOGNIZED : Detection.NEED_MORE_BYTES;
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            refusal.accept(endPoint);
            return new ClosedDoor(endPoint, connector);
        }
    }

    /** Closes its endpoint as soon as it opens; whatever the peer sent after the header is dropped unread. */
    private static final class ClosedDoor extends AbstractConnection implements Connection.UpgradeTo {
        ClosedDoor(EndPoint endPoint, Connector connector) {
            super(endPoint, connector.getExecutor());
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().close();
        }

        @Override
        public void onFillable() {
            getEndPoint().close();
        }

        @Override
        public void onUpgradeTo(ByteBuffer buffer) {
            // the forged header and anything after it: never parsed
        }
    }
}
