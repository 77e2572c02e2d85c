package dev.cachalot.rules.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one rule file in any supported {@link RuleFormat} (detected from content unless named) into located raw
 * entries. Nothing is validated here beyond the file's shape: that is the importer's job, so that every entry gets
 * its own precise verdict.
 */
public final class RuleFileReader {

    private final long maxBytes;

    public RuleFileReader() {
        this(RuleFileText.DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes files larger than this are refused unread */
    public RuleFileReader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * @param format the format to read, or null to detect it from the content
     * @throws RuleFileException with a message fit for users when the file cannot be read as rules
     */
    public RuleFile read(Path file, RuleFormat format) throws RuleFileException {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String text = RuleFileText.read(file, maxBytes);
        return parse(name, text, format);
    }

    /** Reads already-decoded text (the GUI's pasted text, tests). */
    public RuleFile parse(String fileName, String text, RuleFormat format) throws RuleFileException {
        if (text.isBlank()) {
            throw new RuleFileException("the file is empty");
        }
        if (format == null) {
            return detect(fileName, text);
        }
        return switch (format) {
            case CACHALOT_JSON -> cachalot(fileName, LocatedTree.parseJson(text), format);
            case CACHALOT_YAML -> cachalot(fileName, LocatedTree.parseYaml(text), format);
            case ACR_JSON -> acrRules(fileName, LocatedTree.parseJson(text));
            case ACR_CREDENTIAL_SETS -> acrCredentialSets(fileName, LocatedTree.parseJson(text));
            case ECR_JSON -> ecr(fileName, LocatedTree.parseJson(text));
            case CSV -> csv(fileName, text);
        };
    }

    private RuleFile detect(String fileName, String text) throws RuleFileException {
        String head = text.stripLeading();
        if (head.startsWith("{") || head.startsWith("[")) {
            LocatedTree tree = LocatedTree.parseJson(text);
            return switch (jsonShape(tree.root())) {
                case CACHALOT_JSON -> cachalot(fileName, tree, RuleFormat.CACHALOT_JSON);
                case ECR_JSON -> ecr(fileName, tree);
                case ACR_CREDENTIAL_SETS -> acrCredentialSets(fileName, tree);
                case ACR_JSON -> acrRules(fileName, tree);
                default -> throw new RuleFileException("not a rule file: a JSON document, but neither a Cachalot rule "
                        + "document, nor az acr cache / credential-set output, nor aws ecr describe-pull-through-cache-rules output");
            };
        }
        if (looksLikeCsvHeader(head)) {
            return csv(fileName, text);
        }
        LocatedTree tree;
        try {
            tree = LocatedTree.parseYaml(text);
        } catch (RuleFileException e) {
            // Refusals of hostile YAML (aliases, depth) are the precise answer; plain syntax errors on a file that
            // was never meant as YAML are better answered with what was expected.
            if (e.getMessage().startsWith("YAML aliases") || e.getMessage().startsWith("refused")) throw e;
            throw new RuleFileException("not a rule file: neither JSON, YAML, nor CSV with a name,source,target header ("
                    + e.getMessage() + ")");
        }
        if (tree.root().isObject() && jsonShape(tree.root()) == RuleFormat.CACHALOT_JSON) {
            return cachalot(fileName, tree, RuleFormat.CACHALOT_YAML);
        }
        throw new RuleFileException("not a rule file: expected a Cachalot rule document (version, rules), az acr or "
                + "aws ecr JSON output, or CSV with a name,source,target header");
    }

    /** Which format a tree has (CACHALOT_JSON standing for a Cachalot document in either syntax); null for none. */
    private static RuleFormat jsonShape(JsonNode root) {
        if (root.isObject()) {
            if (root.has("pullThroughCacheRules")) return RuleFormat.ECR_JSON;
            if (root.has("rules") || root.has("credentialSets") || root.has("upstreams")) {
                return root.has("version") || root.has("rules") ? RuleFormat.CACHALOT_JSON : null;
            }
            if (isAcrCredentialSet(root)) return RuleFormat.ACR_CREDENTIAL_SETS;
            if (isAcrRule(root)) return RuleFormat.ACR_JSON;
            return null;
        }
        if (root.isArray()) {
            if (root.isEmpty()) return RuleFormat.ACR_JSON; // az acr cache list with no rules
            JsonNode first = root.get(0);
            if (isAcrCredentialSet(first)) return RuleFormat.ACR_CREDENTIAL_SETS;
            if (isAcrRule(first)) return RuleFormat.ACR_JSON;
        }
        return null;
    }

    private static boolean isAcrRule(JsonNode n) {
        JsonNode p = props(n);
        return p.isObject() && (p.has("sourceRepository") || p.has("targetRepository"));
    }

    private static boolean isAcrCredentialSet(JsonNode n) {
        JsonNode p = props(n);
        return p.isObject() && (p.has("authCredentials") || String.valueOf(text(n.get("type"))).endsWith("/credentialSets"));
    }

    private static JsonNode props(JsonNode n) {
        if (n == null) return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        JsonNode p = n.get("properties");
        return p != null && p.isObject() ? p : n;
    }

    private static boolean looksLikeCsvHeader(String text) {
        int end = text.indexOf('\n');
        String first = (end < 0 ? text : text.substring(0, end)).toLowerCase(Locale.ROOT);
        return first.contains("name") && first.contains("source") && first.contains("target")
                && (first.contains(",") || first.contains(";"));
    }

    // ---- Cachalot's own document ----

    private RuleFile cachalot(String fileName, LocatedTree tree, RuleFormat format) throws RuleFileException {
        JsonNode root = tree.root();
        Locator at = new Locator(fileName, tree, format == RuleFormat.CACHALOT_JSON);
        if (!root.isObject()) {
            throw new RuleFileException("not a Cachalot rule document: expected an object with version and rules");
        }
        JsonNode version = root.get("version");
        if (version == null) {
            throw new RuleFileException("not a Cachalot rule document: the version field is missing (write \"version\": 1)");
        }
        if (!version.isNumber() || version.asInt() != 1 || version.asDouble() != 1.0) {
            throw new RuleFileException("unsupported Cachalot rule document version " + version
                    + ": this Cachalot reads version 1");
        }
        List<RawRule> rules = new ArrayList<>();
        for (Item item : items(root, "rules", at)) {
            if (!item.node.isObject()) {
                rules.add(RawRule.unreadable(item.location, "a rule must be an object with name, sourceRepository and targetRepository"));
                continue;
            }
            try {
                JsonNode n = item.node;
                rules.add(new RawRule(item.location, field(n, "name"), field(n, "sourceRepository"), field(n, "targetRepository"),
                        field(n, "credentialSet"), field(n, "freshness"), field(n, "creationDate"), null, sync(n.get("sync"))));
            } catch (FieldException e) {
                rules.add(RawRule.unreadable(item.location, e.getMessage()));
            }
        }
        List<RawCredentialSet> sets = new ArrayList<>();
        for (Item item : items(root, "credentialSets", at)) {
            sets.add(credentialSet(item, "usernameSecret", "passwordSecret", item.node));
        }
        List<RawUpstream> upstreams = new ArrayList<>();
        for (Item item : items(root, "upstreams", at)) {
            JsonNode n = item.node;
            try {
                if (!n.isObject()) throw new FieldException("an upstream must be an object with loginServer and endpoint");
                upstreams.add(new RawUpstream(item.location, field(n, "displayName"), field(n, "loginServer"), field(n, "endpoint"),
                        field(n, "authMode"), field(n, "caCertPem"), null));
            } catch (FieldException e) {
                upstreams.add(new RawUpstream(item.location, null, null, null, null, null, e.getMessage()));
            }
        }
        return new RuleFile(fileName, format, rules, sets, upstreams);
    }

    // ---- az acr ----

    private RuleFile acrRules(String fileName, LocatedTree tree) throws RuleFileException {
        Locator at = new Locator(fileName, tree, true);
        List<RawRule> rules = new ArrayList<>();
        for (Item item : topLevelItems(tree, at, "az acr cache list output")) {
            JsonNode p = props(item.node);
            if (!p.isObject()) {
                rules.add(RawRule.unreadable(item.location, "a cache rule must be an object with name, sourceRepository and targetRepository"));
                continue;
            }
            try {
                String name = field(item.node, "name");
                if (name == null) name = field(p, "name");
                // No creation date: the rule is created here when it is imported, not when ACR created its own.
                rules.add(new RawRule(item.location, name, field(p, "sourceRepository"), field(p, "targetRepository"),
                        lastSegment(field(p, "credentialSetResourceId")), null, null));
            } catch (FieldException e) {
                rules.add(RawRule.unreadable(item.location, e.getMessage()));
            }
        }
        return new RuleFile(fileName, RuleFormat.ACR_JSON, rules, List.of(), List.of());
    }

    private RuleFile acrCredentialSets(String fileName, LocatedTree tree) throws RuleFileException {
        Locator at = new Locator(fileName, tree, true);
        List<RawCredentialSet> sets = new ArrayList<>();
        for (Item item : topLevelItems(tree, at, "az acr credential-set list output")) {
            JsonNode p = props(item.node);
            JsonNode auth = p.path("authCredentials").path(0);
            RawCredentialSet set = credentialSet(item, "usernameSecretIdentifier", "passwordSecretIdentifier",
                    auth.isObject() ? auth : com.fasterxml.jackson.databind.node.MissingNode.getInstance());
            sets.add(set);
        }
        return new RuleFile(fileName, RuleFormat.ACR_CREDENTIAL_SETS, List.of(), sets, List.of());
    }

    /** Keys that would hold a secret's value; rule files carry references only. */
    private static final List<String> SECRET_VALUE_KEYS = List.of("password", "username", "secret", "token");

    private RawCredentialSet credentialSet(Item item, String userKey, String passKey, JsonNode secrets) {
        JsonNode n = item.node;
        if (!n.isObject()) {
            return new RawCredentialSet(item.location, null, null, null, null, "a credential set must be an object with name and loginServer");
        }
        for (String key : SECRET_VALUE_KEYS) {
            if (n.has(key) || props(n).has(key)) {
                return new RawCredentialSet(item.location, text(n.get("name")), text(props(n).get("loginServer")), null, null,
                        "the credential set carries a '" + key + "' value: rule files hold vault references, never secrets");
            }
        }
        return new RawCredentialSet(item.location, text(n.get("name")), text(props(n).get("loginServer")),
                text(secrets.get(userKey)), text(secrets.get(passKey)), null);
    }

    private static String lastSegment(String resourceId) {
        if (resourceId == null || resourceId.isBlank()) return null;
        String s = resourceId.strip();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    // ---- aws ecr ----

    private RuleFile ecr(String fileName, LocatedTree tree) throws RuleFileException {
        JsonNode root = tree.root();
        if (!root.isObject() || !root.has("pullThroughCacheRules")) {
            throw new RuleFileException("not aws ecr describe-pull-through-cache-rules output: the pullThroughCacheRules field is missing");
        }
        Locator at = new Locator(fileName, tree, true);
        List<RawRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Item item : items(root, "pullThroughCacheRules", at)) {
            JsonNode n = item.node;
            try {
                if (!n.isObject()) throw new FieldException("a pull through cache rule must be an object");
                String prefix = field(n, "ecrRepositoryPrefix");
                String url = field(n, "upstreamRegistryUrl");
                if (prefix == null || prefix.isBlank()) throw new FieldException("ecrRepositoryPrefix is missing");
                if (url == null || url.isBlank()) throw new FieldException("upstreamRegistryUrl is missing");
                String upstreamPrefix = field(n, "upstreamRepositoryPrefix");
                String target = isRoot(prefix) ? "*" : trimSlashes(prefix) + "/*";
                String login = EcrNames.loginServer(url);
                String source = login + (isRoot(upstreamPrefix) ? "" : "/" + trimSlashes(upstreamPrefix)) + "/*";
                String name = EcrNames.uniqueRuleName(prefix, names);
                rules.add(new RawRule(item.location, name, source, target,
                        EcrNames.credentialSetName(field(n, "credentialArn")), null, null));
            } catch (FieldException e) {
                rules.add(RawRule.unreadable(item.location, e.getMessage()));
            }
        }
        return new RuleFile(fileName, RuleFormat.ECR_JSON, rules, List.of(), List.of());
    }

    private static boolean isRoot(String prefix) {
        return prefix == null || prefix.isBlank() || prefix.strip().equals("ROOT");
    }

    private static String trimSlashes(String s) {
        String t = s.strip();
        while (t.startsWith("/")) t = t.substring(1);
        while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
        return t;
    }

    // ---- CSV ----

    private RuleFile csv(String fileName, String text) throws RuleFileException {
        char delimiter = CsvRecords.delimiter(text);
        List<CsvRecords.Row> rows = CsvRecords.parse(text, delimiter);
        if (rows.isEmpty()) throw new RuleFileException("the file is empty");
        CsvRecords.Row header = rows.get(0);
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < header.cells().size(); i++) {
            String col = header.cells().get(i).strip().toLowerCase(Locale.ROOT);
            String key = switch (col) {
                case "name" -> "name";
                case "source", "sourcerepository" -> "source";
                case "target", "targetrepository" -> "target";
                case "credentialset", "credential set", "credential-set" -> "credentialSet";
                case "freshness" -> "freshness";
                default -> throw new RuleFileException("unknown column '" + header.cells().get(i).strip() + "' in the CSV header at "
                        + fileName + ":" + header.line() + ": expected name,source,target,credentialSet[,freshness]");
            };
            if (columns.put(key, i) != null) {
                throw new RuleFileException("column '" + key + "' appears twice in the CSV header");
            }
        }
        for (String required : List.of("name", "source", "target")) {
            if (!columns.containsKey(required)) {
                throw new RuleFileException("the CSV header has no '" + required + "' column: expected name,source,target,credentialSet");
            }
        }
        List<RawRule> rules = new ArrayList<>();
        for (CsvRecords.Row row : rows.subList(1, rows.size())) {
            String location = fileName + ":" + row.line();
            if (row.cells().size() > header.cells().size()) {
                rules.add(RawRule.unreadable(location, "the row has " + row.cells().size() + " cells but the header has "
                        + header.cells().size() + " (a " + delimiter + " inside a value needs quotes)"));
                continue;
            }
            rules.add(new RawRule(location, cell(row, columns.get("name")), cell(row, columns.get("source")),
                    cell(row, columns.get("target")), cell(row, columns.get("credentialSet")), cell(row, columns.get("freshness")), null));
        }
        return new RuleFile(fileName, RuleFormat.CSV, rules, List.of(), List.of());
    }

    private static String cell(CsvRecords.Row row, Integer index) {
        if (index == null || index >= row.cells().size()) return null;
        String v = CsvCells.unescape(row.cells().get(index));
        return v.isBlank() ? null : v;
    }

    // ---- tree helpers ----

    private record Item(String location, JsonNode node) {
    }

    /** Where entries of a tree stand: {@code file#/pointer} for JSON, {@code file:line} for YAML. */
    private record Locator(String fileName, LocatedTree tree, boolean pointer) {
        String at(String jsonPointer) {
            if (pointer) return fileName + "#" + jsonPointer;
            int line = tree.line(jsonPointer);
            return line > 0 ? fileName + ":" + line : fileName + "#" + jsonPointer;
        }
    }

    private static List<Item> items(JsonNode root, String key, Locator at) throws RuleFileException {
        JsonNode list = root.get(key);
        if (list == null || list.isNull()) return List.of();
        if (!list.isArray()) throw new RuleFileException("'" + key + "' must be a list");
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            items.add(new Item(at.at("/" + key + "/" + i), list.get(i)));
        }
        return items;
    }

    private static List<Item> topLevelItems(LocatedTree tree, Locator at, String what) throws RuleFileException {
        JsonNode root = tree.root();
        if (root.isObject()) return List.of(new Item(at.at(""), root));
        if (!root.isArray()) throw new RuleFileException("not " + what + ": expected a JSON array or object");
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) items.add(new Item(at.at("/" + i), root.get(i)));
        return items;
    }

    private static final class FieldException extends Exception {
        FieldException(String message) {
            super(message);
        }
    }

    /** A scalar field as text; null when absent or null; an error for objects and lists. */
    /**
     * A rule's {@code sync} object: {@code mode}, {@code tags}, {@code platforms}, {@code interval}, {@code repositories},
     * {@code referrers}, {@code includeArtifactTypes}, {@code excludeArtifactTypes}; lists as a list or comma-separated.
     */
    private static dev.cachalot.rules.SyncDraft sync(JsonNode n) throws FieldException {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (!n.isObject()) throw new FieldException("sync must be an object with mode, tags, platforms, interval and the like");
        return new dev.cachalot.rules.SyncDraft(field(n, "mode"), listField(n, "tags"), listField(n, "platforms"), field(n, "interval"),
                listField(n, "repositories"), field(n, "referrers"), listField(n, "includeArtifactTypes"),
                listField(n, "excludeArtifactTypes"));
    }

    private static String listField(JsonNode n, String key) throws FieldException {
        JsonNode v = n.get(key);
        if (v != null && v.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : v) {
                if (item.isContainerNode()) throw new FieldException("sync " + key + " must be a list of texts");
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        return field(n, key);
    }

    private static String field(JsonNode n, String key) throws FieldException {
        JsonNode v = n.get(key);
        if (v == null || v.isNull() || v.isMissingNode()) return null;
        if (v.isContainerNode()) throw new FieldException(key + " must be a single value, not " + (v.isArray() ? "a list" : "an object"));
        return v.asText();
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() || v.isContainerNode() ? null : v.asText();
    }
}
