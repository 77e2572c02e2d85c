package dev.cachalot.upstream;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pull allowance upstreams announce, as last seen: Docker Hub sends {@code ratelimit-remaining: 76;w=21600} (76
 * pulls left in a window of 21600 seconds) on manifest answers. The upstream client notes every such header; a caller
 * that can wait (active sync) asks here before spending the allowance that clients' pulls need.
 */
public final class RateLimits {

    private static final Pattern REMAINING = Pattern.compile("\\s*(\\d{1,9})\\s*(?:;\\s*w\\s*=\\s*(\\d{1,9}))?.*");

    /**
     * @param remaining pulls left when it was seen
     * @param window    the window the allowance refills over; null when the header gave none
     */
    public record Remaining(int remaining, Duration window, Instant seenAt) {
    }

    private final Clock clock;
    private final Map<String, Remaining> byOrigin = new ConcurrentHashMap<>();

    public RateLimits(Clock clock) {
        this.clock = clock;
    }

    /** What the upstream at {@code endpoint} last said, if it ever sent {@code ratelimit-remaining}. */
    public Optional<Remaining> last(URI endpoint) {
        return Optional.ofNullable(byOrigin.get(origin(endpoint.getScheme(), endpoint.getHost(), endpoint.getPort())));
    }

    /** Notes one answer's header (null: the answer had none, and what was seen before stands). */
    void observe(String scheme, String host, int port, String header) {
        if (header == null) return;
        Matcher m = REMAINING.matcher(header);
        if (!m.matches()) return;
        Duration window = m.group(2) == null ? null : Duration.ofSeconds(Long.parseLong(m.group(2)));
        byOrigin.put(origin(scheme, host, port), new Remaining(Integer.parseInt(m.group(1)), window, clock.instant()));
    }

    private static String origin(String scheme, String host, int port) {
        String s = scheme == null ? "https" : scheme.toLowerCase(Locale.ROOT);
        int p = port >= 0 ? port : s.equals("http") ? 80 : 443;
        return s + "://" + host.toLowerCase(Locale.ROOT) + ":" + p;
    }
}
