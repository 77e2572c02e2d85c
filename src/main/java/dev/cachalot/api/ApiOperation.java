package dev.cachalot.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One operation of the management API: a method and a path template under {@link ManagementApi#PREFIX}, as
 * docs/api/openapi.yaml names them ({@code GET /rules/{name}}). A path parameter is one (percent-decoded) segment: rule,
 * credential set, secret and login server names hold no slash; repository names, which do, go in the query.
 */
public record ApiOperation(String method, String template, Action action) {

    /** What an operation does with a call; throws the engine's exceptions, which the API turns into error bodies. */
    @FunctionalInterface
    public interface Action {
        ApiResult apply(ApiCall call) throws Exception;
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{([a-zA-Z]+)}");
    /** Each template's regex and parameter names, built once. */
    private static final Map<String, Compiled> COMPILED = new ConcurrentHashMap<>();

    private record Compiled(Pattern regex, List<String> names) {
    }

    /** The path parameters of {@code path} when it fits the template, else null. */
    Map<String, String> match(String path) {
        Compiled compiled = COMPILED.computeIfAbsent(template, ApiOperation::compile);
        Matcher m = compiled.regex().matcher(path);
        if (!m.matches()) return null;
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < compiled.names().size(); i++) values.put(compiled.names().get(i), m.group(i + 1));
        return values;
    }

    private static Compiled compile(String template) {
        Matcher names = PARAMETER.matcher(template);
        StringBuilder regex = new StringBuilder();
        List<String> keys = new ArrayList<>();
        int last = 0;
        while (names.find()) {
            regex.append(Pattern.quote(template.substring(last, names.start()))).append("([^/]+)");
            keys.add(names.group(1));
            last = names.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return new Compiled(Pattern.compile(regex.toString()), List.copyOf(keys));
    }

    @Override
    public String toString() {
        return method + " " + template;
    }
}
