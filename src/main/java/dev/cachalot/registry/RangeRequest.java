package dev.cachalot.registry;

/**
 * What a {@code Range} request header (RFC 9110 §14) asks of a blob of known size.
 * Only a single byte range is served; several ranges, other units and malformed headers are ignored
 * (the whole blob is sent with 200, which the RFC allows).
 */
sealed interface RangeRequest permits RangeRequest.Whole, RangeRequest.Unsatisfiable, RangeRequest.Single {

    RangeRequest WHOLE = new Whole();
    RangeRequest UNSATISFIABLE = new Unsatisfiable();

    /** Serve the whole blob with 200. */
    record Whole() implements RangeRequest {
    }

    /** Answer 416 with {@code Content-Range: bytes *}{@code /size}. */
    record Unsatisfiable() implements RangeRequest {
    }

    /**
     * One satisfiable range, answered with 206.
     *
     * @param first first byte offset, inclusive
     * @param last  last byte offset, inclusive
     */
    record Single(long first, long last) implements RangeRequest {
        long length() {
            return last - first + 1;
        }

        String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** True when the header asks for exactly one byte range: the only case in which the blob's size matters. */
    static boolean isSingleRange(String header) {
        return header != null && header.regionMatches(true, 0, "bytes=", 0, 6) && header.indexOf(',') < 0;
    }

    static RangeRequest parse(String header, long size) {
        if (!isSingleRange(header)) {
            return WHOLE;
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return WHOLE;
        }
        String from = spec.substring(0, dash).trim();
        String to = spec.substring(dash + 1).trim();
        if (from.isEmpty()) {
            long suffix = number(to);
            if (suffix < 0) return WHOLE;
            if (suffix == 0 || size == 0) return UNSATISFIABLE;
            return new Single(Math.max(0, size - suffix), size - 1);
        }
        long first = number(from);
        if (first < 0) return WHOLE;
        long last;
        if (to.isEmpty()) {
            last = size - 1;
        } else {
            last = number(to);
            if (last < 0 || last < first) return WHOLE;
        }
        if (first >= size) return UNSATISFIABLE;
        return new Single(first, Math.min(last, size - 1));
    }

    /** A non-negative decimal of at most 18 digits, else -1. */
    private static long number(String text) {
        if (text.isEmpty() || text.length() > 18) return -1;
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
