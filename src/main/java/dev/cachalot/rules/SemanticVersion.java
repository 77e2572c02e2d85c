package dev.cachalot.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version as image tags spell them: semantic versioning 2.0 ({@code 1.2.3-rc.1+build}), tolerant of what registries
 * hold beside it: a {@code v} prefix ({@code v1.2.3}) and one- or two-part versions ({@code 3}, {@code 3.19}, Docker's
 * habit), whose missing parts read as 0. {@code parts} remembers how many were written, so a range can read {@code 3.19}
 * as "any 3.19.x". Ordering is semver's: numbers numerically, a pre-release below its release, build metadata ignored.
 */
public record SemanticVersion(int major, int minor, int patch, List<String> preRelease, int parts) implements Comparable<SemanticVersion> {

    // Numbers without leading zeros (semver's rule; "03" is not a version); at most 9 digits so they fit an int.
    private static final String NUMBER = "(0|[1-9][0-9]{0,8})";
    private static final String IDENTIFIER = "[0-9A-Za-z-]+";
    private static final Pattern VERSION = Pattern.compile("[vV]?" + NUMBER + "(?:\\." + NUMBER + "(?:\\." + NUMBER + ")?)?"
            + "(?:-(" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*))?(?:\\+" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*)?");

    public SemanticVersion {
        preRelease = List.copyOf(preRelease);
    }

    /** The version {@code text} spells, or empty when it is not one ({@code latest}, {@code 1.2.3.4}, {@code 01.2}). */
    public static Optional<SemanticVersion> parse(String text) {
        if (text == null) return Optional.empty();
        Matcher m = VERSION.matcher(text);
        if (!m.matches()) return Optional.empty();
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        for (String identifier : pre) {
            // semver: numeric pre-release identifiers have no leading zeros either
            if (identifier.length() > 1 && identifier.charAt(0) == '0' && identifier.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
        }
        int parts = m.group(3) != null ? 3 : m.group(2) != null ? 2 : 1;
        return Optional.of(new SemanticVersion(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), pre, parts));
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    /** Same major, minor and patch (a pre-release's release line). */
    boolean sameRelease(SemanticVersion other) {
        return major == other.major && minor == other.minor && patch == other.patch;
    }

    @Override
    public int compareTo(SemanticVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        if (c == 0) c = Integer.compare(patch, o.patch);
        if (c != 0) return c;
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifier(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) return c;
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    /** Numeric identifiers compare numerically and sort before alphanumeric ones (semver 2.0, item 11). */
    private static int compareIdentifier(String a, String b) {
        boolean aNumeric = a.chars().allMatch(Character::isDigit);
        boolean bNumeric = b.chars().allMatch(Character::isDigit);
        if (aNumeric && bNumeric) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (aNumeric != bNumeric) return aNumeric ? -1 : 1;
        return a.compareTo(b);
    }

    /** The smallest version above every {@code major.minor.*} (or {@code major.*} with one part): the end of an x-range. */
    SemanticVersion nextAfterWritten() {
        return switch (parts) {
            case 1 -> new SemanticVersion(major + 1, 0, 0, List.of(), 3);
            case 2 -> new SemanticVersion(major, minor + 1, 0, List.of(), 3);
            default -> new SemanticVersion(major, minor, patch + 1, List.of(), 3);
        };
    }

    SemanticVersion withoutPreRelease() {
        return new SemanticVersion(major, minor, patch, List.of(), parts);
    }

    @Override
    public String toString() {
        List<String> numbers = new ArrayList<>(List.of(String.valueOf(major), String.valueOf(minor), String.valueOf(patch)));
        String text = String.join(".", numbers.subList(0, parts));
        return preRelease.isEmpty() ? text : text + "-" + String.join(".", preRelease);
    }
}
