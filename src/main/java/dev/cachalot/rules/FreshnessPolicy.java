package dev.cachalot.rules;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a cached tag is checked against the upstream again.
 * {@link Revalidate}: on every pull, with an upstream HEAD (the cached copy is served when the upstream fails).
 * {@link Ttl}: no upstream call while the tag was validated less than {@code ttl} ago.
 * Digests are immutable and never revalidated, whatever the policy.
 */
public sealed interface FreshnessPolicy permits FreshnessPolicy.Revalidate, FreshnessPolicy.Ttl {

    FreshnessPolicy REVALIDATE = new Revalidate();

    /** {@code revalidate}, or {@code ttl:<duration>} with durations like {@code 30s}, {@code 10m}, {@code 6h}, {@code 7d} or ISO-8601 {@code PT1H}. */
    static FreshnessPolicy parse(String text) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("revalidate")) {
            return REVALIDATE;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("ttl:") || t.startsWith("ttl=")) {
            return new Ttl(parseDuration(t.substring(4)));
        }
        throw new IllegalArgumentException("unknown freshness policy '" + text + "': use 'revalidate' or 'ttl:<duration>' such as ttl:10m");
    }

    static Duration parseDuration(String text) {
        Matcher m = Pattern.compile("(\\d{1,9})(s|m|h|d)").matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid duration '" + text + "': use a number and s, m, h or d, such as 10m");
        }
    }

    /** The form {@link #parse} reads back. */
    String text();

    record Revalidate() implements FreshnessPolicy {
        @Override
        public String text() {
            return "revalidate";
        }
    }

    record Ttl(Duration ttl) implements FreshnessPolicy {
        public Ttl {
            if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
        }

        @Override
        public String text() {
            long s = ttl.getSeconds();
            if (s % 86400 == 0) return "ttl:" + s / 86400 + "d";
            if (s % 3600 == 0) return "ttl:" + s / 3600 + "h";
            if (s % 60 == 0) return "ttl:" + s / 60 + "m";
            return "ttl:" + s + "s";
        }
    }
}
