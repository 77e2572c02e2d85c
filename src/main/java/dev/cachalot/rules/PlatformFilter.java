package dev.cachalot.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which platforms of an image index a bundle export (and, later, an active sync) takes: {@code linux/amd64},
 * {@code linux/arm64/v8}, comma-separated. An entry without a variant takes every variant ({@code linux/arm64} takes
 * {@code linux/arm64/v8}); one with a variant takes only that. The index itself is always kept whole, so its digest
 * stays the upstream's; only the platform images it points at are chosen. A pure value, no I/O.
 */
public record PlatformFilter(List<String> platforms) {

    /** Every platform. */
    public static final PlatformFilter ALL = new PlatformFilter(List.of());

    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9_.-]+/[a-z0-9_.-]+(/[a-z0-9_.-]+)?");

    public PlatformFilter {
        platforms = List.copyOf(platforms);
    }

    /** Null or blank: every platform. @throws IllegalArgumentException naming the entry that is not {@code os/arch[/variant]} */
    public static PlatformFilter parse(String text) {
        if (text == null || text.isBlank()) return ALL;
        List<String> platforms = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String p = item.strip();
            if (!PLATFORM.matcher(p).matches()) {
                throw new IllegalArgumentException("platform '" + p + "' in '" + text
                        + "' is not os/architecture[/variant] in lower case, such as linux/amd64 or linux/arm64/v8");
            }
            platforms.add(p);
        }
        return new PlatformFilter(platforms);
    }

    public boolean isAll() {
        return platforms.isEmpty();
    }

    /**
     * Whether {@code platform} ({@code os/arch[/variant]}, as an index lists it) is chosen. A manifest an index lists
     * without a platform is only taken when every platform is.
     */
    public boolean matches(String platform) {
        if (isAll()) return true;
        if (platform == null) return false;
        for (String wanted : platforms) {
            if (platform.equals(wanted) || platform.startsWith(wanted + "/") && wanted.chars().filter(c -> c == '/').count() == 1) {
                return true;
            }
        }
        return false;
    }

    /** The form {@link #parse} reads back; empty for every platform. */
    public String text() {
        return String.join(",", platforms);
    }
}
