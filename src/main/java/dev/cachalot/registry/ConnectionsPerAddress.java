package dev.cachalot.registry;

import dev.cachalot.security.TrustedProxies;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections one remote address holds open. Jetty's own {@code ConnectionLimit} counts all connections
 * together and stops accepting when they are used up, so one hostile client would lock everyone else out; counting
 * per address closes only that client's extra connections, right after accept and before anything is read.
 *
 * <p>Behind a balancer that announces its clients ({@link ProxyProtocol}) a connection is counted under the announced
 * address once the header is read. The trusted balancers' own connections are not counted: each carries some client,
 * and capping the balancer would cap all of its clients together, the very lock-out this class exists to prevent.
 */
final class ConnectionsPerAddress implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionsPerAddress.class);

    private final int limit;
    private final TrustedProxies uncounted;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    /**
     * The address of each counted connection, taken when it opened: a closed channel no longer knows its remote
     * address. Connections closed for being over the limit are never counted, so never in here.
     */
    private final ConcurrentHashMap<Connection, InetAddress> counted = new ConcurrentHashMap<>();

    ConnectionsPerAddress(int limit) {
        this(limit, TrustedProxies.NONE);
    }

    ConnectionsPerAddress(int limit, TrustedProxies uncounted) {
        this.limit = limit;
        this.uncounted = uncounted;
    }

    @Override
    public void onOpened(Connection connection) {
        SocketAddress remote = connection.getEndPoint().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) return;
        InetAddress address = inet.getAddress();
        if (uncounted.contains(address)) return;
        int count = open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        if (count > limit) {
            release(address);
            LOG.debug("closing a connection from {}: it holds {} already", address.getHostAddress(), limit);
            connection.getEndPoint().close();
            return;
        }
        counted.put(connection, address);
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress address = counted.remove(connection);
        if (address != null) release(address);
    }

    private void release(InetAddress address) {
        open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /** Connections open from {@code address}. */
    int openFrom(InetAddress address) {
        AtomicInteger count = open.get(address);
        return count == null ? 0 : count.get();
    }
}
