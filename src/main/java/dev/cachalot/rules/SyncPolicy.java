package dev.cachalot.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether and how a rule syncs on its own, besides caching what clients pull (issue 19). {@link #PASSIVE} is today's
 * pull-through alone. An active rule is synced every {@link #interval}: the tags its {@link #tags} filter takes, of
 * each repository it covers (for a wildcard rule {@link #repositories}, or those already cached under it), with the
 * platforms {@link #platforms} takes. A pure value; {@link #with} checks a user's {@link SyncDraft} against it.
 *
 * @param repositories         for wildcard rules only: the parts of the names that stand for {@code *}; empty means the
 *                             repositories already cached under the rule (no upstream catalog walk)
 * @param includeArtifactTypes empty: every artifact type; else only these
 */
public record SyncPolicy(Mode mode, TagFilter tags, PlatformFilter platforms, Duration interval, List<String> repositories,
                         boolean referrers, List<String> includeArtifactTypes, List<String> excludeArtifactTypes) {

    /** ACR's active sync runs every 12 hours; so does ours unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(12);
    /** Below a minute a schedule would mostly hammer the upstream's tags list. */
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    public static final Duration MAX_INTERVAL = Duration.ofDays(366);
    public static final int MAX_REPOSITORIES = 1000;

    public static final SyncPolicy PASSIVE = new SyncPolicy(Mode.PASSIVE, TagFilter.ALL, PlatformFilter.ALL, DEFAULT_INTERVAL,
            List.of(), false, List.of(), List.of());

    private static final Pattern ARTIFACT_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\\*?");

    public SyncPolicy {
        repositories = List.copyOf(repositories);
        includeArtifactTypes = List.copyOf(includeArtifactTypes);
        excludeArtifactTypes = List.copyOf(excludeArtifactTypes);
    }

    public enum Mode {
        PASSIVE, ACTIVE;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Mode parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "passive" -> PASSIVE;
                case "active" -> ACTIVE;
                default -> throw new IllegalArgumentException("sync mode '" + text.strip() + "' is neither active nor passive");
            };
        }
    }

    public boolean isActive() {
        return mode == Mode.ACTIVE;
    }

    /**
     * This policy changed as {@code draft} says (its null fields keep what is here).
     *
     * @param wildcardRule whether the policy belongs to a wildcard rule: only those name repositories
     * @throws RuleValidationException with every reason the draft is refused, one sentence each
     */
    public SyncPolicy with(SyncDraft draft, boolean wildcardRule) {
        List<String> problems = new ArrayList<>();
        Mode m = mode;
        if (draft.mode() != null) {
            try {
                m = Mode.parse(draft.mode());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        TagFilter t = tags;
        if (draft.tags() != null) {
            try {
                t = draft.tags().isBlank() ? TagFilter.ALL : TagFilter.parse(draft.tags());
            } catch (IllegalArgumentException e) {
                problems.add("sync tags: " + e.getMessage());
            }
        }
        PlatformFilter p = platforms;
        if (draft.platforms() != null) {
            try {
                p = PlatformFilter.parse(draft.platforms());
            } catch (IllegalArgumentException e) {
                problems.add("sync platforms: " + e.getMessage());
            }
        }
        Duration i = interval;
        if (draft.interval() != null) {
            i = draft.interval().isBlank() ? DEFAULT_INTERVAL : interval(draft.interval(), problems);
        }
        List<String> r = repositories;
        if (draft.repositories() != null) {
            r = repositories(draft.repositories(), wildcardRule, problems);
        }
        boolean ref = referrers;
        if (draft.referrers() != null) {
            String v = draft.referrers().strip().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("on") || v.equals("yes")) {
                ref = true;
            } else if (v.equals("false") || v.equals("off") || v.equals("no") || v.isEmpty()) {
                ref = false;
            } else {
                problems.add("sync referrers '" + draft.referrers().strip() + "': write true or false");
            }
        }
        List<String> inc = draft.includeArtifactTypes() == null ? includeArtifactTypes
                : artifactTypes("include", draft.includeArtifactTypes(), problems);
        List<String> exc = draft.excludeArtifactTypes() == null ? excludeArtifactTypes
                : artifactTypes("exclude", draft.excludeArtifactTypes(), problems);
        for (String type : inc) {
            if (exc.contains(type)) problems.add("artifact type '" + type + "' is both included and excluded");
        }
        if (!problems.isEmpty()) throw new RuleValidationException(problems);
        return new SyncPolicy(m, t, p, i, r, ref, inc, exc);
    }

    /**
     * Whether content of {@code artifactType} is synced: for an image, the type is its config's media type (the OCI
     * image spec's rule when a manifest has no {@code artifactType}). A pattern ending in {@code *} takes a prefix.
     */
    public boolean takesArtifactType(String artifactType) {
        if (artifactType == null) return includeArtifactTypes.isEmpty();
        if (!includeArtifactTypes.isEmpty() && includeArtifactTypes.stream().noneMatch(p -> typeMatches(p, artifactType))) {
            return false;
        }
        return excludeArtifactTypes.stream().noneMatch(p -> typeMatches(p, artifactType));
    }

    private static boolean typeMatches(String pattern, String type) {
        return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(type);
    }

    /** The policy written as {@link #draft()} (how JSON carries it, in the management API too). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static SyncPolicy of(SyncDraft written) {
        return PASSIVE.with(written, true);
    }

    /** The text form {@link #with} reads back to this policy, every field set. */
    @JsonValue
    public SyncDraft draft() {
        return new SyncDraft(mode.text(), tags.text(), platforms.text(), intervalText(interval), String.join(",", repositories),
                Boolean.toString(referrers), String.join(",", includeArtifactTypes), String.join(",", excludeArtifactTypes));
    }

    /** {@code 12h}, {@code 90m}, {@code 45s}: the shortest form {@link FreshnessPolicy#parseDuration} reads back. */
    public static String intervalText(Duration d) {
        long s = d.getSeconds();
        if (s % 86400 == 0) return s / 86400 + "d";
        if (s % 3600 == 0) return s / 3600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }

    private static Duration interval(String text, List<String> problems) {
        Duration d;
        try {
            d = FreshnessPolicy.parseDuration(text);
        } catch (IllegalArgumentException e) {
            problems.add("sync interval: " + e.getMessage());
            return DEFAULT_INTERVAL;
        }
        if (d.compareTo(MIN_INTERVAL) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
            problems.add("sync interval '" + text.strip() + "' is out of range: from 1m to 366d");
        }
        return d;
    }

    private static List<String> repositories(String text, boolean wildcardRule, List<String> problems) {
        List<String> items = split(text);
        if (items.isEmpty()) return List.of();
        if (!wildcardRule) {
            problems.add("sync repositories are only for wildcard rules: a rule for one repository syncs that repository");
            return List.of();
        }
        if (items.size() > MAX_REPOSITORIES) {
            problems.add("sync repositories: " + items.size() + " given, at most " + MAX_REPOSITORIES);
        }
        for (String item : items) {
            if (!dev.cachalot.oci.RepositoryName.isValid(item)) {
                problems.add("sync repository '" + item + "' is not a repository path (lowercase components such as nginx or"
                        + " team/app, the part of the name that stands for '*')");
            }
        }
        return items.stream().distinct().toList();
    }

    private static List<String> artifactTypes(String which, String text, List<String> problems) {
        List<String> items = split(text);
        for (String item : items) {
            if (!ARTIFACT_TYPE.matcher(item).matches()) {
                problems.add("sync artifact types to " + which + ": '" + item + "' is not a media type such as"
                        + " application/vnd.oci.image.config.v1+json (a trailing * takes a prefix)");
            }
        }
        return items.stream().distinct().toList();
    }

    private static List<String> split(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
