package dev.cachalot.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The serving options resolved against the address they listen on: whether the listener checks access at all, and with
 * which settings; or a refusal to start, in one line that says why and what to do instead.
 *
 * @param checked          the listener checks credentials (false: open, as on loopback by default)
 * @param anonymousPull    with {@code checked}: requests without credentials may pull
 * @param anonymousMetrics with {@code checked}: {@code /metrics} answers without credentials
 */
record AccessPolicy(boolean checked, boolean anonymousPull, boolean anonymousMetrics) {

    static AccessPolicy resolve(ListenAddress address, ServingOptions options) {
        boolean loopback = isLoopback(address.host());
        ServingOptions.Auth auth = options.auth() != null ? options.auth()
                : loopback ? ServingOptions.Auth.NONE : ServingOptions.Auth.REQUIRED;
        if (!loopback && auth == ServingOptions.Auth.NONE && !options.allowAnonymous()) {
            throw new EngineException("refusing to serve " + address + " without authentication: anyone who can reach it could push"
                    + " and delete; use --auth required (add users with 'cachalot users add'), or --allow-anonymous for"
                    + " pull-only access without a login");
        }
        boolean anonymousMetrics = options.metrics() != null ? options.metrics() == ServingOptions.Metrics.ANONYMOUS : loopback;
        // Anonymous pull means pull only, wherever it is asked for: push and delete then need a user, even on loopback.
        boolean checked = auth == ServingOptions.Auth.REQUIRED || !loopback || options.allowAnonymous();
        return new AccessPolicy(checked, options.allowAnonymous(), anonymousMetrics);
    }

    /**
     * Whether {@code host} is a loopback address. A name is resolved (as binding it would); one that does not resolve is
     * not loopback, so the safe rules apply.
     */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) return false;
            }
            return all.length > 0;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}
