package dev.cachalot.engine;

import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.UpstreamCatalog;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Pings upstreams ({@code GET /v2/} without credentials) and remembers the last answer per login server, for the
 * portal's health column. An endpoint not yet in the catalog can be checked too (the "Test connection" button of a
 * custom registry being typed): its result is kept under the endpoint's {@code host[:port]}, which becomes its login
 * server once it is added. Results live in memory: health is a recent observation, not configuration.
 */
final class UpstreamChecks {
    private final UpstreamClient client;
    private final Supplier<List<Upstream>> catalog;
    private final Clock clock;
    private final Map<String, UpstreamCheck> last = new ConcurrentHashMap<>();

    UpstreamChecks(UpstreamClient client, Supplier<List<Upstream>> catalog, Clock clock) {
        this.client = client;
        this.catalog = catalog;
        this.clock = clock;
    }

    UpstreamCheck check(String loginServerOrEndpoint, String caCertPemOrNull) {
        Upstream upstream = upstreamFor(loginServerOrEndpoint, caCertPemOrNull);
        UpstreamCheck result;
        try {
            client.checkLogin(upstream, null);
            result = new UpstreamCheck(upstream.loginServer(), UpstreamCheck.Result.REACHABLE_ANONYMOUSLY, "", clock.instant());
        } catch (UpstreamException e) {
            result = switch (e.kind()) {
                case UNAUTHORIZED, DENIED -> new UpstreamCheck(upstream.loginServer(), UpstreamCheck.Result.NEEDS_LOGIN,
                        "", clock.instant());
                default -> new UpstreamCheck(upstream.loginServer(), UpstreamCheck.Result.UNREACHABLE, reason(e), clock.instant());
            };
        } catch (RuntimeException e) {
            result = new UpstreamCheck(upstream.loginServer(), UpstreamCheck.Result.UNREACHABLE, reason(e), clock.instant());
        }
        last.put(upstream.loginServer(), result);
        return result;
    }

    Map<String, UpstreamCheck> lastResults() {
        return Map.copyOf(last);
    }

    void forget(String loginServer) {
        last.remove(UpstreamCatalog.canonicalLoginServer(loginServer));
    }

    private Upstream upstreamFor(String text, String caCertPemOrNull) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("give a login server or an endpoint to check");
        String s = text.strip();
        boolean isEndpoint = s.toLowerCase(Locale.ROOT).startsWith("http://") || s.toLowerCase(Locale.ROOT).startsWith("https://");
        if (!isEndpoint) {
            String server = UpstreamCatalog.canonicalLoginServer(s);
            return catalog.get().stream().filter(u -> u.loginServer().equals(server)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no upstream '" + server + "': add it first, or check its endpoint"));
        }
        String authority = hostPort(s);
        // An endpoint typed for an upstream the catalog already has is checked as that upstream, with its own trust.
        for (Upstream u : catalog.get()) {
            String known = u.endpoint().toString().replaceAll("/+$", "");
            if (known.equalsIgnoreCase(s.replaceAll("/+$", "")) && caCertPemOrNull == null) return u;
        }
        return UpstreamCatalog.custom(authority, s, caCertPemOrNull);
    }

    /** {@code host[:port]} of an endpoint, checked by the catalog's own rules when the upstream is built. */
    private static String hostPort(String endpoint) {
        try {
            URI uri = URI.create(endpoint.strip());
            if (uri.getHost() == null) throw new IllegalArgumentException();
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the endpoint must be http(s)://host[:port]");
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
