package dev.cachalot.rules;

import dev.cachalot.oci.ReferrersTag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tags of a repository a bundle export (and, later, an active sync) takes. A pure value: parsing and matching,
 * no I/O. The written forms ({@link #parse}), one of:
 * <ul>
 *   <li>a list of names and globs, comma-separated: {@code 3.19,3.20}, {@code 3.*}, {@code *-alpine,latest}; {@code *}
 *       is any run of characters and {@code ?} one character, which covers ACR's prefix, suffix and contains filters;</li>
 *   <li>{@code re:REGEX}: a Java regular expression the whole tag must match ({@code re:^3\.\d+$});</li>
 *   <li>{@code semver:RANGE}: tags that read as versions ({@code 3.19}, {@code v3.19.1}) inside an npm-style range
 *       ({@code semver:>=3.19 <4}; see {@link VersionRange});</li>
 *   <li>{@code semver-latest:N}: the N highest release versions among the tags ({@code semver-latest:3}).</li>
 * </ul>
 * Tags never contain {@code ,}, {@code *}, {@code ?} or {@code :}, so the forms cannot be mistaken for one another.
 *
 * <p>No filter takes a referrers tag ({@code sha256-<64 hex>}, {@link ReferrersTag}): it holds the referrers of an image
 * on a registry without the referrers API, not an image; referrers go with the images they refer to.
 */
public sealed interface TagFilter permits TagFilter.Globs, TagFilter.Regex, TagFilter.Semver, TagFilter.LatestVersions {

    /** Every tag. */
    TagFilter ALL = new Globs(List.of("*"));

    /** The characters of a tag, plus the two glob wildcards. */
    Pattern GLOB = Pattern.compile("[a-zA-Z0-9_*?][a-zA-Z0-9._*?-]{0,127}");
    int MAX_LATEST = 10_000;

    /** @throws IllegalArgumentException saying what is wrong: a bad regular expression, a bad range, an invalid name */
    static TagFilter parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty tag filter: write a list (3.19,3.20), a glob (3.*), re:REGEX or semver:RANGE");
        }
        String t = text.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("re:")) {
            return Regex.of(t.substring(3));
        }
        if (lower.startsWith("semver:")) {
            return new Semver(VersionRange.parse(t.substring(7)));
        }
        if (lower.startsWith("semver-latest:")) {
            return LatestVersions.of(t.substring(14).strip());
        }
        int colon = t.indexOf(':');
        if (colon >= 0) {
            throw new IllegalArgumentException("unknown tag filter kind '" + t.substring(0, colon)
                    + ":': use re:REGEX, semver:RANGE or semver-latest:N (a plain filter is a list of tags and globs)");
        }
        return Globs.of(t);
    }

    /**
     * Whether one tag passes; for {@link LatestVersions}, which needs all the tags, whether it is a release version.
     * Never a referrers tag.
     */
    default boolean matches(String tag) {
        return !ReferrersTag.isReferrersTag(tag) && matchesName(tag);
    }

    /** Whether the written form matches the name, referrers tags not set apart: use {@link #matches}. */
    boolean matchesName(String tag);

    /**
     * The tags of {@code tags} this filter takes, in the order given (duplicates once). Use this rather than
     * {@link #matches} on a whole tags list: only it answers {@code semver-latest:N} right.
     */
    default List<String> select(Collection<String> tags) {
        return new ArrayList<>(new LinkedHashSet<>(tags.stream().filter(this::matches).toList()));
    }

    /** The form {@link #parse} reads back. */
    String text();

    /** Exact names and globs, any of which may match. */
    record Globs(List<String> globs) implements TagFilter {
        public Globs {
            globs = List.copyOf(globs);
        }

        static Globs of(String text) {
            List<String> globs = new ArrayList<>();
            String[] items = text.split(",", -1);
            for (int i = 0; i < items.length; i++) {
                String item = items[i].strip();
                if (item.isEmpty()) {
                    throw new IllegalArgumentException("tag filter '" + text + "': item " + (i + 1) + " of the list is empty");
                }
                if (!GLOB.matcher(item).matches()) {
                    throw new IllegalArgumentException("tag filter '" + text + "': '" + item + "' is not a tag or glob"
                            + " (up to 128 letters, digits, '_', '.', '-', with '*' and '?' as wildcards; not starting with '.' or '-')");
                }
                globs.add(item);
            }
            return new Globs(globs);
        }

        @Override
        public boolean matchesName(String tag) {
            for (String glob : globs) {
                if (globMatches(glob, tag)) return true;
            }
            return false;
        }

        /** Iterative glob match with backtracking to the last '*': linear enough for 128-character tags. */
        static boolean globMatches(String glob, String tag) {
            int g = 0;
            int t = 0;
            int star = -1;
            int resume = 0;
            while (t < tag.length()) {
                if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == tag.charAt(t))) {
                    g++;
                    t++;
                } else if (g < glob.length() && glob.charAt(g) == '*') {
                    star = g++;
                    resume = t;
                } else if (star >= 0) {
                    g = star + 1;
                    t = ++resume;
                } else {
                    return false;
                }
            }
            while (g < glob.length() && glob.charAt(g) == '*') g++;
            return g == glob.length();
        }

        @Override
        public String text() {
            return String.join(",", globs);
        }
    }

    /** A regular expression the whole tag matches. */
    record Regex(Pattern pattern) implements TagFilter {
        static Regex of(String regex) {
            if (regex.isEmpty()) {
                throw new IllegalArgumentException("tag filter 're:' has no regular expression after it");
            }
            try {
                return new Regex(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("tag filter 're:" + regex + "': not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }

        @Override
        public boolean matchesName(String tag) {
            return pattern.matcher(tag).matches();
        }

        @Override
        public String text() {
            return "re:" + pattern.pattern();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Regex r && r.pattern.pattern().equals(pattern.pattern());
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }
    }

    /** Tags that read as versions inside a range. */
    record Semver(VersionRange range) implements TagFilter {
        @Override
        public boolean matchesName(String tag) {
            return SemanticVersion.parse(tag).map(range::contains).orElse(false);
        }

        @Override
        public String text() {
            return "semver:" + range.text();
        }
    }

    /**
     * The {@code count} highest release versions among the tags (pre-releases and tags that are not versions left
     * out). Two tags of the same version ({@code 3.19} and {@code 3.19.0}) count as two, higher precision first.
     */
    record LatestVersions(int count) implements TagFilter {
        static LatestVersions of(String text) {
            if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > MAX_LATEST) {
                throw new IllegalArgumentException("tag filter 'semver-latest:" + text + "': give a count from 1 to " + MAX_LATEST);
            }
            return new LatestVersions(Integer.parseInt(text));
        }

        @Override
        public boolean matchesName(String tag) {
            return SemanticVersion.parse(tag).filter(v -> !v.isPreRelease()).isPresent();
        }

        @Override
        public List<String> select(Collection<String> tags) {
            Comparator<String> newestFirst = Comparator.comparing((String t) -> SemanticVersion.parse(t).orElseThrow())
                    .thenComparing(t -> SemanticVersion.parse(t).orElseThrow().parts())
                    .thenComparing(Comparator.reverseOrder())
                    .reversed();
            List<String> chosen = new LinkedHashSet<>(tags).stream().filter(this::matches).sorted(newestFirst).limit(count).toList();
            return tags.stream().distinct().filter(chosen::contains).toList();
        }

        @Override
        public String text() {
            return "semver-latest:" + count;
        }
    }
}
