package dev.cachalot.api;

import dev.cachalot.security.Authority;
import java.net.InetSocketAddress;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Who may call the management API: the one place its authorization is decided. Every management request is put to
 * it before anything else is read; the API then answers 401 or 403 with the decision's message, or goes on.
 *
 * <p>The default, {@link #loopbackOnly()}, admits callers on the engine's machine when the listener does not check
 * credentials ({@code --auth none}); when it does, the listener's access check (registry.AccessHandler) admits only
 * users with the {@code admin} role (by Basic, access token or Bearer token) and marks the request for this seam.
 */
@FunctionalInterface
public interface ManagementAccess {

    /** What to do with a request; {@code message} is shown to the caller (never a secret). */
    sealed interface Decision permits Allowed, Unauthenticated, Forbidden {
    }

    /** Go on. */
    record Allowed() implements Decision {
    }

    /** 401: no credentials, or ones that are not valid; {@code challenge} is the {@code WWW-Authenticate} value (or null). */
    record Unauthenticated(String challenge, String message) implements Decision {
    }

    /** 403: known caller, without the permission. */
    record Forbidden(String message) implements Decision {
    }

    Decision check(Request request);

    /**
     * Allows callers on this machine only: without users, anyone who can reach the port could change the rules, so
     * an engine listening beyond loopback answers remote callers 403 until authentication is on.
     */
    static ManagementAccess loopbackOnly() {
        return request -> {
            if (Boolean.TRUE.equals(request.getAttribute(Authority.ADMIN_REQUEST_ATTRIBUTE))) {
                return new Allowed(); // the listener checks credentials, and found the admin role
            }
            String caller = Request.getRemoteAddr(request);
            if (caller != null && isLoopback(caller) && isLoopback(tcpPeer(request))) {
                return new Allowed();
            }
            return new Forbidden("the management API answers only callers on the engine's own machine while "
                    + "authentication is off");
        };
    }

    /**
     * The address at the other end of the socket. Behind a balancer that announces its clients (PROXY protocol) the
     * request's remote address is the announced one, and a client on the balancer's own machine is announced as
     * 127.0.0.1: on this machine only if the balancer is too.
     */
    private static String tcpPeer(Request request) {
        Connection connection = request.getConnectionMetaData().getConnection();
        EndPoint endPoint = connection == null ? null : connection.getEndPoint();
        while (endPoint instanceof EndPoint.Wrapper wrapper && wrapper.unwrap() != null && wrapper.unwrap() != endPoint) {
            endPoint = wrapper.unwrap();
        }
        if (endPoint == null) return Request.getRemoteAddr(request);
        return endPoint.getRemoteSocketAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : null;
    }

    private static boolean isLoopback(String address) {
        if (address == null) return false;
        try {
            return java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
