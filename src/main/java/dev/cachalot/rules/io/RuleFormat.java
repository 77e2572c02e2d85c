package dev.cachalot.rules.io;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The rule file formats Cachalot reads, and which of them it also writes. */
public enum RuleFormat {
    /** Cachalot's own document in JSON: version, rules, credential sets (metadata only), custom upstreams. */
    CACHALOT_JSON("cachalot-json", true),
    /** The same document in YAML. */
    CACHALOT_YAML("cachalot-yaml", true),
    /** {@code az acr cache list -o json} (or {@code az acr cache show}): cache rules, flat or under {@code properties}. */
    ACR_JSON("acr-json", true),
    /** {@code az acr credential-set list -o json}: credential sets whose secrets the user must then set. */
    ACR_CREDENTIAL_SETS("acr-credential-sets", false),
    /** {@code aws ecr describe-pull-through-cache-rules} output. */
    ECR_JSON("ecr-json", false),
    /** A spreadsheet: header {@code name,source,target,credentialSet[,freshness]}, comma or semicolon. */
    CSV("csv", true);

    private final String id;
    private final boolean exportable;

    RuleFormat(String id, boolean exportable) {
        this.id = id;
        this.exportable = exportable;
    }

    /** The name users type after {@code --format}. */
    public String id() {
        return id;
    }

    public boolean exportable() {
        return exportable;
    }

    /** Null or blank means "detect from content" and gives null. */
    public static RuleFormat parse(String text) {
        if (text == null || text.isBlank()) return null;
        String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (RuleFormat f : values()) {
            if (f.id.equals(t)) return f;
        }
        // Short forms people are likely to type.
        switch (t) {
            case "json": return CACHALOT_JSON;
            case "yaml": case "yml": return CACHALOT_YAML;
            case "acr": return ACR_JSON;
            case "ecr": return ECR_JSON;
            default:
                throw new IllegalArgumentException("unknown format '" + text + "': use one of "
                        + Arrays.stream(values()).map(RuleFormat::id).collect(Collectors.joining(", ")));
        }
    }

    /** Like {@link #parse} but only formats that can be written. */
    public static RuleFormat parseExport(String text) {
        RuleFormat f = parse(text == null || text.isBlank() ? "cachalot-json" : text);
        if (!f.exportable) {
            throw new IllegalArgumentException("cannot export as '" + f.id + "': use one of "
                    + Arrays.stream(values()).filter(RuleFormat::exportable).map(RuleFormat::id).collect(Collectors.joining(", ")));
        }
        return f;
    }

    @Override
    public String toString() {
        return id;
    }
}
