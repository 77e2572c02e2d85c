package dev.cachalot.rules.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A JSON or YAML document read into a tree together with the line each object starts on, keyed by JSON pointer,
 * so that every entry can say where it came from. Reading is bounded: nesting depth, string length and (for YAML)
 * aliases are refused before they can cost time or memory.
 */
final class LocatedTree {

    /** Rule documents are three levels deep; ACR adds two more. Far beyond that is an attack. */
    static final int MAX_NESTING_DEPTH = 32;
    private static final int MAX_STRING_LENGTH = 1024 * 1024;

    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxStringLength(MAX_STRING_LENGTH)
            .maxNumberLength(100)
            .build();

    private static final JsonFactory JSON = JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build();
    private static final YAMLFactory YAML = yamlFactory();

    private final JsonNode root;
    private final Map<String, Integer> lines;

    private LocatedTree(JsonNode root, Map<String, Integer> lines) {
        this.root = root;
        this.lines = lines;
    }

    JsonNode root() {
        return root;
    }

    /** The 1-based line where the value at {@code pointer} starts, or 0 when unknown. */
    int line(String pointer) {
        return lines.getOrDefault(pointer, 0);
    }

    static LocatedTree parseJson(String text) throws RuleFileException {
        try (JsonParser p = JSON.createParser(text)) {
            return read(p, "JSON");
        } catch (IOException e) {
            throw malformed("JSON", e);
        }
    }

    static LocatedTree parseYaml(String text) throws RuleFileException {
        try (JsonParser p = YAML.createParser(text)) {
            return read(p, "YAML");
        } catch (IOException e) {
            throw malformed("YAML", e);
        } catch (RuntimeException e) {
            // SnakeYAML signals its own limits (code points, nesting) with unchecked exceptions.
            throw new RuleFileException("not valid YAML: " + firstLine(e.getMessage()), e);
        }
    }

    private static LocatedTree read(JsonParser p, String kind) throws IOException, RuleFileException {
        Map<String, Integer> lines = new HashMap<>();
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new RuleFileException("the file is empty");
        }
        JsonNode root = value(p, "", lines);
        if (p.nextToken() != null) {
            throw new RuleFileException("not valid " + kind + ": more than one document in the file (line "
                    + p.currentTokenLocation().getLineNr() + ")");
        }
        return new LocatedTree(root, lines);
    }

    /** Reads the value at the current token; recursion is bounded by {@link #MAX_NESTING_DEPTH}. */
    private static JsonNode value(JsonParser p, String pointer, Map<String, Integer> lines) throws IOException, RuleFileException {
        refuseAlias(p);
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                lines.put(pointer, p.currentTokenLocation().getLineNr());
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    o.set(key, value(p, pointer + "/" + escape(key), lines));
                }
                return o;
            }
            case START_ARRAY -> {
                lines.put(pointer, p.currentTokenLocation().getLineNr());
                ArrayNode a = f.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(value(p, pointer + "/" + i++, lines));
                }
                return a;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                // Kept as text: rule files have no arithmetic, and this avoids huge-number parsing costs.
                return f.numberNode(new java.math.BigDecimal(p.getText()));
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return f.booleanNode(p.getBooleanValue());
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> throw new RuleFileException("unexpected " + t + " at line " + p.currentTokenLocation().getLineNr());
        }
    }

    /**
     * YAML aliases are how "billion laughs" bombs are built. Rule files never need them, so any alias is refused
     * at once rather than expanded or counted.
     */
    private static void refuseAlias(JsonParser p) throws RuleFileException {
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
            throw new RuleFileException("YAML aliases (*name) are not allowed in rule files (line "
                    + p.currentTokenLocation().getLineNr() + ")");
        }
    }

    private static YAMLFactory yamlFactory() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(MAX_NESTING_DEPTH);
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit((int) RuleFileText.DEFAULT_MAX_BYTES);
        return YAMLFactory.builder().loaderOptions(options).streamReadConstraints(CONSTRAINTS).build();
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static RuleFileException malformed(String kind, IOException e) {
        if (e instanceof StreamConstraintsException) {
            return new RuleFileException("refused: " + firstLine(e.getMessage())
                    + " (rule files are at most " + MAX_NESTING_DEPTH + " levels deep)", e);
        }
        String where = "";
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null) {
            where = " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
        }
        return new RuleFileException("not valid " + kind + where + ": " + firstLine(jpe(e)), e);
    }

    private static String jpe(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) return jpe.getOriginalMessage();
        return e.getMessage();
    }

    static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
