package dev.cachalot.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range of {@link SemanticVersion}s in npm's notation, the one users already write: comparators joined by spaces
 * all hold ({@code >=3.19 <4}), alternatives joined by {@code ||} ({@code 1.x || >=2.5}); operators {@code >=},
 * {@code >}, {@code <=}, {@code <}, {@code =} (or none), {@code ~} (patch updates) and {@code ^} (compatible updates);
 * a partial version stands for all it leaves open ({@code 3.19} is any 3.19.x, {@code <=3.19} is {@code <3.20.0},
 * {@code 3.x} and {@code 3.*} are any 3). Pre-releases ({@code 4.0.0-rc.1}, and tags with a suffix such as
 * {@code 3.19-alpine}) are in a range only when one of its comparators names a pre-release of the same version, as
 * in npm: {@code >=3.19} must not pick a release candidate nobody asked for.
 */
public final class VersionRange {

    private enum Op { GE, GT, LE, LT }

    private record Comparator(Op op, SemanticVersion version) {
        boolean test(SemanticVersion v) {
            int c = v.compareTo(version);
            return switch (op) {
                case GE -> c >= 0;
                case GT -> c > 0;
                case LE -> c <= 0;
                case LT -> c < 0;
            };
        }
    }

    private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|>|<|=|~>|~|\\^)?\\s*(.*)");
    private static final Pattern WILDCARD_TAIL = Pattern.compile("(.*?)(?:\\.[xX*])+");

    private final String text;
    /** Alternatives; each is a list of comparators that must all hold (an empty list: any version). */
    private final List<List<Comparator>> alternatives;

    private VersionRange(String text, List<List<Comparator>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /** @throws IllegalArgumentException naming the comparator that is not understood */
    public static VersionRange parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty semantic version range: write one such as '>=3.19 <4'");
        }
        List<List<Comparator>> alternatives = new ArrayList<>();
        for (String set : text.split("\\|\\|", -1)) {
            if (set.isBlank()) {
                throw new IllegalArgumentException("semantic version range '" + text + "' has an empty alternative around '||'");
            }
            alternatives.add(parseSet(text, set.strip()));
        }
        return new VersionRange(text.strip(), List.copyOf(alternatives));
    }

    private static List<Comparator> parseSet(String whole, String set) {
        // An operator may stand apart from its version (">= 3.19"): glue it to the next token first.
        List<String> tokens = new ArrayList<>();
        String pending = "";
        for (String token : set.split("\\s+")) {
            if (token.matches("(>=|<=|>|<|=|~>|~|\\^)")) {
                if (!pending.isEmpty()) throw notFollowed(whole, pending);
                pending = token;
            } else {
                tokens.add(pending + token);
                pending = "";
            }
        }
        if (!pending.isEmpty()) throw notFollowed(whole, pending);
        List<Comparator> comparators = new ArrayList<>();
        for (String token : tokens) {
            comparators.addAll(comparators(whole, token));
        }
        return List.copyOf(comparators);
    }

    private static IllegalArgumentException notFollowed(String whole, String operator) {
        return new IllegalArgumentException("semantic version range '" + whole + "': '" + operator + "' is not followed by a version");
    }

    private static List<Comparator> comparators(String whole, String token) {
        Matcher m = COMPARATOR.matcher(token);
        m.matches();
        String op = m.group(1) == null ? "=" : m.group(1);
        String versionText = m.group(2);
        if (versionText.isEmpty()) throw notFollowed(whole, op);
        if (versionText.equals("*") || versionText.toLowerCase(Locale.ROOT).equals("x")) {
            if (op.equals("<") || op.equals(">")) {
                throw new IllegalArgumentException("semantic version range '" + whole + "': '" + token + "' matches no version");
            }
            return List.of();
        }
        Matcher wildcard = WILDCARD_TAIL.matcher(versionText);
        if (wildcard.matches()) versionText = wildcard.group(1);
        SemanticVersion v = SemanticVersion.parse(versionText).orElseThrow(() -> new IllegalArgumentException(
                "semantic version range '" + whole + "': '" + token + "' is not a version (write 3, 3.19 or 3.19.1, optionally with -prerelease)"));
        if (v.parts() < 3 && v.isPreRelease()) {
            throw new IllegalArgumentException("semantic version range '" + whole + "': '" + token
                    + "' gives a pre-release to a partial version; write all three numbers");
        }
        SemanticVersion floor = new SemanticVersion(v.major(), v.minor(), v.patch(), v.preRelease(), 3);
        boolean partial = v.parts() < 3;
        return switch (op) {
            case ">=" -> List.of(new Comparator(Op.GE, floor));
            case ">" -> List.of(partial ? new Comparator(Op.GE, v.nextAfterWritten()) : new Comparator(Op.GT, floor));
            case "<" -> List.of(new Comparator(Op.LT, floor));
            case "<=" -> List.of(partial ? new Comparator(Op.LT, v.nextAfterWritten()) : new Comparator(Op.LE, floor));
            case "=" -> partial ? List.of(new Comparator(Op.GE, floor), new Comparator(Op.LT, v.nextAfterWritten()))
                    : List.of(new Comparator(Op.GE, floor), new Comparator(Op.LE, floor));
            case "~", "~>" -> List.of(new Comparator(Op.GE, floor), new Comparator(Op.LT, v.parts() == 1
                    ? new SemanticVersion(v.major() + 1, 0, 0, List.of(), 3)
                    : new SemanticVersion(v.major(), v.minor() + 1, 0, List.of(), 3)));
            default -> List.of(new Comparator(Op.GE, floor), new Comparator(Op.LT, caretCeiling(v)));
        };
    }

    /** {@code ^}: the next version that changes the leftmost non-zero number written ({@code ^0.2.3} stays below 0.3.0). */
    private static SemanticVersion caretCeiling(SemanticVersion v) {
        if (v.major() > 0 || v.parts() == 1) return new SemanticVersion(v.major() + 1, 0, 0, List.of(), 3);
        if (v.minor() > 0 || v.parts() == 2) return new SemanticVersion(0, v.minor() + 1, 0, List.of(), 3);
        return new SemanticVersion(0, 0, v.patch() + 1, List.of(), 3);
    }

    public boolean contains(SemanticVersion version) {
        for (List<Comparator> set : alternatives) {
            if (set.stream().allMatch(c -> c.test(version)) && (!version.isPreRelease() || allowsPreReleaseOf(set, version))) {
                return true;
            }
        }
        return false;
    }

    private static boolean allowsPreReleaseOf(List<Comparator> set, SemanticVersion version) {
        return set.stream().anyMatch(c -> c.version().isPreRelease() && c.version().sameRelease(version));
    }

    /** The range as written (trimmed). */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRange r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
