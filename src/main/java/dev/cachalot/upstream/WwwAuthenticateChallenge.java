package dev.cachalot.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme and its auth-params, e.g.
 * {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"}.
 * Parsed by hand because registries put commas inside quoted values ({@code scope="repository:a:pull,push"}).
 */
record WwwAuthenticateChallenge(String scheme, Map<String, String> params) {

    WwwAuthenticateChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Every challenge found in the given header values; malformed parts are skipped, never guessed at. */
    static List<WwwAuthenticateChallenge> parseAll(List<String> headerValues) {
        List<WwwAuthenticateChallenge> out = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).parseInto(out);
        }
        return out;
    }

    /** The first Bearer challenge, else the first Basic one, else empty. */
    static Optional<WwwAuthenticateChallenge> preferred(List<String> headerValues) {
        List<WwwAuthenticateChallenge> all = parseAll(headerValues);
        return all.stream().filter(WwwAuthenticateChallenge::isBearer).findFirst()
                .or(() -> all.stream().filter(WwwAuthenticateChallenge::isBasic).findFirst());
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s == null ? "" : s;
        }

        void parseInto(List<WwwAuthenticateChallenge> out) {
            String scheme = null;
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                skip(" \t,");
                if (i >= s.length()) break;
                String token = token();
                if (token.isEmpty()) { // junk character: give up on the rest of this header value
                    break;
                }
                skip(" \t");
                if (i < s.length() && s.charAt(i) == '=' && scheme != null) {
                    i++;
                    skip(" \t");
                    String value = i < s.length() && s.charAt(i) == '"' ? quoted() : token();
                    params.put(token.toLowerCase(Locale.ROOT), value);
                } else {
                    // A bare token starts a new challenge (or is token68, which we do not need).
                    if (scheme != null) {
                        out.add(new WwwAuthenticateChallenge(scheme, params));
                        params = new LinkedHashMap<>();
                    }
                    scheme = token;
                }
            }
            if (scheme != null) {
                out.add(new WwwAuthenticateChallenge(scheme, params));
            }
        }

        private void skip(String chars) {
            while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) i++;
        }

        private String token() {
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c <= ' ' || c == ',' || c == '=' || c == '"' || c >= 0x7f) break;
                i++;
            }
            // token68 may end in '=' padding; params never start right after a bare token68, so keep it simple.
            return s.substring(start, i);
        }

        private String quoted() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    b.append(s.charAt(i++));
                } else if (c == '"') {
                    break;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }
}
