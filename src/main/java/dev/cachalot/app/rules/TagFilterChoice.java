package dev.cachalot.app.rules;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The kinds of tag filter the sync policy editor offers (issue 19's list: exact tags, prefix, suffix, contains, glob,
 * regex, semver range, latest N), each written into the one text form the engine reads ({@code rules.TagFilter}): a
 * prefix {@code 3.} becomes the glob {@code 3.*}, a suffix {@code -alpine} becomes {@code *-alpine}, and so on. So the
 * engine checks every kind, and its refusal is the same sentence the CLI prints.
 */
enum TagFilterChoice {
    EVERY("Every tag", "", ""),
    EXACT("Exact tags", "3.19,3.20", "Tag names, comma-separated."),
    PREFIX("Starting with", "3.", "Tags starting with this (3. takes 3.19 and 3.20); several, comma-separated."),
    SUFFIX("Ending with", "-alpine", "Tags ending with this; several, comma-separated."),
    CONTAINS("Containing", "alpine", "Tags containing this anywhere; several, comma-separated."),
    GLOB("Glob", "3.*,*-alpine", "* is any run of characters, ? one character; several, comma-separated."),
    REGEX("Regular expression", "^3\\.\\d+$", "A Java regular expression the whole tag matches."),
    SEMVER("Version range", ">=3.19 <4", "Tags that read as versions (3.19, v3.19.1) inside an npm-style range."),
    LATEST("Latest versions", "3", "How many of the highest release versions among the tags.");

    private final String label;
    private final String example;
    private final String hint;

    TagFilterChoice(String label, String example, String hint) {
        this.label = label;
        this.example = example;
        this.hint = hint;
    }

    /** What the editor shows for a filter the engine holds: its kind and the value typed for it. */
    record Shown(TagFilterChoice kind, String value) {
    }

    String label() {
        return label;
    }

    String example() {
        return example;
    }

    String hint() {
        return hint;
    }

    /** Whether this kind needs a value typed after it (all but {@link #EVERY}). */
    boolean takesValue() {
        return this != EVERY;
    }

    /** The filter text the engine reads ({@code SyncDraft.tags}); empty for every tag. */
    String filter(String value) {
        String v = value == null ? "" : value.strip();
        return switch (this) {
            case EVERY -> "";
            case REGEX -> "re:" + v;
            case SEMVER -> "semver:" + v;
            case LATEST -> "semver-latest:" + v;
            case EXACT, GLOB -> v;
            // an empty item stays empty, so the engine names it ("item 2 of the list is empty") rather than taking every tag
            case PREFIX, SUFFIX, CONTAINS -> Arrays.stream(v.split(",", -1)).map(String::strip)
                    .map(s -> s.isEmpty() ? s : glob(s)).collect(Collectors.joining(","));
        };
    }

    /** One item of a starting-with, ending-with or containing value as a glob. */
    private String glob(String item) {
        return switch (this) {
            case PREFIX -> item + "*";
            case SUFFIX -> "*" + item;
            default -> "*" + item + "*";
        };
    }

    /** The kind and value that {@link #filter} turns back into {@code filterText} (the engine's text of a filter). */
    static Shown of(String filterText) {
        String t = filterText == null ? "" : filterText.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("*")) return new Shown(EVERY, "");
        if (lower.startsWith("re:")) return new Shown(REGEX, t.substring(3));
        if (lower.startsWith("semver-latest:")) return new Shown(LATEST, t.substring(14));
        if (lower.startsWith("semver:")) return new Shown(SEMVER, t.substring(7));
        List<String> items = Arrays.stream(t.split(",")).map(String::strip).toList();
        if (items.stream().noneMatch(TagFilterChoice::wild)) return new Shown(EXACT, t);
        for (TagFilterChoice kind : List.of(PREFIX, SUFFIX, CONTAINS)) {
            List<String> cores = items.stream().map(kind::core).toList();
            if (cores.stream().allMatch(c -> c != null && !c.isEmpty() && !wild(c))) {
                return new Shown(kind, String.join(",", cores));
            }
        }
        return new Shown(GLOB, t);
    }

    /** The text between this kind's wildcards in {@code glob}, or null when the glob is not of this kind. */
    private String core(String glob) {
        return switch (this) {
            case PREFIX -> glob.endsWith("*") && !glob.startsWith("*") ? glob.substring(0, glob.length() - 1) : null;
            case SUFFIX -> glob.startsWith("*") && !glob.endsWith("*") ? glob.substring(1) : null;
            case CONTAINS -> glob.length() > 2 && glob.startsWith("*") && glob.endsWith("*") ? glob.substring(1, glob.length() - 1) : null;
            default -> null;
        };
    }

    private static boolean wild(String s) {
        return s.contains("*") || s.contains("?");
    }

    @Override
    public String toString() {
        return label;
    }
}
