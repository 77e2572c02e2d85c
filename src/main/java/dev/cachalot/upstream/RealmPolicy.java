package dev.cachalot.upstream;

import dev.cachalot.rules.Upstream;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Decides whether a token realm named by an upstream's {@code WWW-Authenticate} challenge may receive the
 * credential set's username and password. The realm is chosen by whoever answers on the endpoint, so a
 * compromised or misconfigured upstream must not be able to send our credentials anywhere it likes.
 *
 * <p>Allowed: the realm's host equals the endpoint's or the login server's host, or shares its registrable
 * domain ({@code auth.docker.io} for {@code registry-1.docker.io}). Different hosts are foreign, also on
 * loopback: {@code 127.0.0.2} or {@code localhost} is not {@code 127.0.0.1}. A loopback or link-local realm is
 * accepted only for a loopback endpoint, and never an http realm for an https endpoint (no downgrade to clear text).
 *
 * <p>The registrable domain is a heuristic without the public-suffix list: the last two labels, or three
 * when the last two form a known multi-label public suffix ({@code co.uk}). That errs towards refusing.
 */
final class RealmPolicy {

    private static final Set<String> MULTI_LABEL_SUFFIXES = Set.of(
            "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp",
            "or.jp", "com.br", "com.cn", "com.tw", "com.hk", "co.in", "co.kr", "co.za", "com.mx", "com.sg",
            "com.tr", "com.ar", "com.pl");

    /** Why a realm is refused, or null when it is allowed. */
    String refusal(HttpUrl realm, Upstream upstream) {
        HttpUrl endpoint = HttpUrl.get(upstream.endpoint());
        if (endpoint.isHttps() && !realm.isHttps()) {
            return "token realm " + realm.host() + " uses http for an https upstream";
        }
        String realmHost = realm.host().toLowerCase(Locale.ROOT);
        boolean endpointLoopback = isLoopback(endpoint.host());
        if ((isLoopback(realmHost) || isLinkLocal(realmHost)) && !endpointLoopback) {
            return "token realm " + realmHost + " is a loopback or link-local address";
        }
        String endpointHost = endpoint.host().toLowerCase(Locale.ROOT);
        String loginHost = hostOf(upstream.loginServer());
        if (realmHost.equals(endpointHost) || realmHost.equals(loginHost)) {
            return null;
        }
        if (!isIpLiteral(realmHost) && !realmHost.equals("localhost")) {
            String realmDomain = registrableDomain(realmHost);
            if (realmDomain != null
                    && (realmDomain.equals(registrableDomain(endpointHost)) || realmDomain.equals(registrableDomain(loginHost)))) {
                return null;
            }
        }
        return "token realm " + realmHost + " is not a host of " + upstream.loginServer();
    }

    boolean allows(HttpUrl realm, Upstream upstream) {
        return refusal(realm, upstream) == null;
    }

    /** The last two labels, or three under a known multi-label suffix; null for IPs and single labels. */
    static String registrableDomain(String host) {
        if (host == null || isIpLiteral(host)) return null;
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        String[] labels = h.split("\\.");
        if (labels.length < 2) return null;
        String lastTwo = labels[labels.length - 2] + "." + labels[labels.length - 1];
        if (MULTI_LABEL_SUFFIXES.contains(lastTwo)) {
            return labels.length < 3 ? null : labels[labels.length - 3] + "." + lastTwo;
        }
        return lastTwo;
    }

    private static String hostOf(String loginServer) {
        if (loginServer == null) return "";
        String s = loginServer.toLowerCase(Locale.ROOT);
        if (s.startsWith("[")) { // [::1]:5000
            int end = s.indexOf(']');
            return end > 0 ? s.substring(1, end) : s;
        }
        int colon = s.indexOf(':');
        return colon >= 0 && s.indexOf(':', colon + 1) < 0 ? s.substring(0, colon) : s;
    }

    static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") && isIpLiteral(h)
                || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    static boolean isLinkLocal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("169.254.") && isIpLiteral(h) || h.startsWith("fe80:");
    }
}
