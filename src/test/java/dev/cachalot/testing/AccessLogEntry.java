package dev.cachalot.testing;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of docker-registry's access log (Apache combined format, written by the registry after it finished
 * the response).
 *
 * @param method HTTP method
 * @param target request target as sent (path and query)
 * @param status response status
 * @param bytes response body bytes the registry wrote (0 when it logged {@code -})
 * @param user authenticated user or {@code -}
 * @param userAgent the client's User-Agent
 */
public record AccessLogEntry(String method, String target, int status, long bytes, String user, String userAgent) {
    private static final Pattern COMBINED = Pattern.compile(
            "^(\\S+) \\S+ (\\S+) \\[([^\\]]+)\\] \"(\\S+) (\\S+) [^\"]*\" (\\d{3}) (\\d+|-)(?: \"([^\"]*)\" \"([^\"]*)\")?.*$");

    /** The path without the query string. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** Parses one access log line; other lines (application log) give empty. */
    public static Optional<AccessLogEntry> parse(String line) {
        Matcher m = COMBINED.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        long bytes = m.group(7).equals("-") ? 0 : Long.parseLong(m.group(7));
        String userAgent = m.group(9) == null ? "" : m.group(9);
        return Optional.of(new AccessLogEntry(m.group(4), m.group(5), Integer.parseInt(m.group(6)), bytes,
                m.group(2), userAgent));
    }
}
