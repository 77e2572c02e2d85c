package dev.cachalot.api;

import java.util.Map;
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

    /** The path parameters of {@code path} when it fits the template, else null. */
    Map<String, String> match(String path) {
        Matcher names = PARAMETER.matcher(template);
        StringBuilder regex = new StringBuilder();
        java.util.List<String> keys = new java.util.ArrayList<>();
        int last = 0;
        while (names.find()) {
            regex.append(Pattern.quote(template.substring(last, names.start()))).append("([^/]+)");
            keys.add(names.group(1));
            last = names.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        Matcher m = Pattern.compile(regex.toString()).matcher(path);
        if (!m.matches()) return null;
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) values.put(keys.get(i), m.group(i + 1));
        return values;
    }

    @Override
    public String toString() {
        return method + " " + template;
    }
}
