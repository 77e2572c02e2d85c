package dev.cachalot.engine;

import dev.cachalot.security.TrustedProxies;

/**
 * How a server-mode listener admits clients, and what it logs. The defaults are the safe ones: on a loopback address
 * nothing changes (anonymous, as a desktop cache always was); on any other address authentication is on, and turning it
 * off needs an explicit {@code allowAnonymous}, which still only allows pulling.
 *
 * @param auth             {@link Auth#REQUIRED}, {@link Auth#NONE}, or null for the default by address
 * @param allowAnonymous   clients without credentials may pull (push and delete always need a user)
 * @param metrics          who may read {@code /metrics}; null: anyone on a loopback address, signed-in users elsewhere
 * @param accessLog        the access log's form
 * @param trustedProxies   the balancers that may announce their clients' addresses (PROXY protocol); none by default
 */
public record ServingOptions(Auth auth, boolean allowAnonymous, Metrics metrics, AccessLog accessLog,
                             TrustedProxies trustedProxies) {

    public enum Auth { NONE, REQUIRED }

    public enum Metrics { ANONYMOUS, AUTHENTICATED }

    public enum AccessLog { OFF, PLAIN, JSON }

    /** The desktop app's: defaults by address, no access log. */
    public static final ServingOptions DESKTOP = new ServingOptions(null, false, null, AccessLog.OFF);

    /** No balancer trusted: every connection is its own client. */
    public ServingOptions(Auth auth, boolean allowAnonymous, Metrics metrics, AccessLog accessLog) {
        this(auth, allowAnonymous, metrics, accessLog, TrustedProxies.NONE);
    }

    public ServingOptions {
        accessLog = accessLog == null ? AccessLog.OFF : accessLog;
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
    }
}
