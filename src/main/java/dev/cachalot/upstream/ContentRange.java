package dev.cachalot.upstream;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code Content-Range: bytes first-last/complete} answer header (RFC 9110 §14.4); {@code complete} is -1
 * when the upstream wrote {@code *}.
 */
record ContentRange(long first, long last, long complete) {

    private static final Pattern BYTES = Pattern.compile("bytes\\s+(\\d{1,19})-(\\d{1,19})/(\\d{1,19}|\\*)");

    /** The header's range, or null when it is missing or malformed. */
    static ContentRange parse(String header) {
        if (header == null) return null;
        Matcher m = BYTES.matcher(header.trim());
        if (!m.matches()) return null;
        try {
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            long complete = "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3));
            if (last < first || (complete >= 0 && last >= complete)) return null;
            return new ContentRange(first, last, complete);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    long length() {
        return last - first + 1;
    }

    /** True when this is the rest of a blob from {@code offset} to its end (as far as the header tells). */
    boolean isRestFrom(long offset) {
        return first == offset && (complete < 0 || last == complete - 1);
    }
}
