package dev.cachalot.rules;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The known upstreams: the built-in catalog (Docker Hub, MCR, ECR Public, GHCR, Quay, registry.k8s.io, GCR) plus custom ones. */
public final class UpstreamCatalog {

    public static final String DOCKER_HUB = "docker.io";

    /** Other names of Docker Hub that users copy from docs and error messages. */
    private static final Set<String> DOCKER_HUB_ALIASES = Set.of("registry-1.docker.io", "index.docker.io");

    private static final List<Upstream> BUILT_IN = List.of(
            builtIn("Docker Hub", DOCKER_HUB, "https://registry-1.docker.io", AuthMode.AUTHENTICATED_ONLY),
            builtIn("Microsoft Artifact Registry", "mcr.microsoft.com", "https://mcr.microsoft.com", AuthMode.ANONYMOUS_ONLY),
            builtIn("AWS ECR Public", "public.ecr.aws", "https://public.ecr.aws", AuthMode.ANONYMOUS_ONLY),
            builtIn("GitHub Container Registry", "ghcr.io", "https://ghcr.io", AuthMode.BOTH),
            builtIn("Quay", "quay.io", "https://quay.io", AuthMode.BOTH),
            builtIn("Kubernetes", "registry.k8s.io", "https://registry.k8s.io", AuthMode.BOTH),
            builtIn("Google Container Registry", "gcr.io", "https://gcr.io", AuthMode.BOTH));

    private static final Map<String, Upstream> BUILT_IN_BY_LOGIN_SERVER = index(BUILT_IN);

    /** GCR's regional hosts; found on demand rather than listed, so the catalog shows GCR once. */
    private static final Set<String> GCR_REGIONS = Set.of("us", "eu", "asia");
    /** Google Artifact Registry: {@code <location>-docker.pkg.dev}. */
    private static final Pattern ARTIFACT_REGISTRY = Pattern.compile("([a-z0-9]+(?:-[a-z0-9]+)*)-docker\\.pkg\\.dev");

    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
    private static final Pattern LOGIN_SERVER = Pattern.compile(
            "(" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?");

    private final List<Upstream> custom;
    private final Map<String, Upstream> customByLoginServer;

    public UpstreamCatalog(List<Upstream> custom) {
        this.custom = List.copyOf(custom);
        this.customByLoginServer = index(this.custom);
    }

    public static List<Upstream> builtIn() {
        return BUILT_IN;
    }

    /** Built-in entries first, then custom ones. */
    public List<Upstream> all() {
        List<Upstream> all = new ArrayList<>(BUILT_IN.size() + custom.size());
        all.addAll(BUILT_IN);
        all.addAll(custom);
        return List.copyOf(all);
    }

    /** The custom upstreams alone. */
    public List<Upstream> custom() {
        return custom;
    }

    /** The upstream of a login server ({@code docker.io}, {@code gcr.io}, {@code eu.gcr.io}, a custom {@code host:port}). */
    public Optional<Upstream> find(String loginServer) {
        if (loginServer == null) return Optional.empty();
        String key = canonicalLoginServer(loginServer);
        Upstream builtIn = findBuiltIn(key);
        if (builtIn != null) return Optional.of(builtIn);
        return Optional.ofNullable(customByLoginServer.get(key));
    }

    /** True for login servers the built-in catalog answers for (including GCR regions, Artifact Registry and aliases). */
    public static boolean isBuiltIn(String loginServer) {
        return findBuiltIn(canonicalLoginServer(loginServer)) != null;
    }

    /** Lowercases a login server (host names are case-insensitive) and maps Docker Hub's aliases to {@code docker.io}. */
    public static String canonicalLoginServer(String loginServer) {
        String s = loginServer.strip().toLowerCase(Locale.ROOT);
        return DOCKER_HUB_ALIASES.contains(s) ? DOCKER_HUB : s;
    }

    /** Why {@code loginServer} is not a valid {@code host[:port]}; null when it is. */
    public static String loginServerProblem(String loginServer) {
        if (loginServer == null || loginServer.isBlank()) return "the login server is empty";
        String s = loginServer.strip().toLowerCase(Locale.ROOT);
        Matcher m = LOGIN_SERVER.matcher(s);
        if (!m.matches()) {
            return "'" + RepositoryPaths.abbreviate(loginServer) + "' is not a valid login server: write host or host:port";
        }
        if (m.group(2) != null) {
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                return "the port of login server '" + RepositoryPaths.abbreviate(loginServer) + "' must be between 1 and 65535";
            }
        }
        return null;
    }

    /**
     * A custom upstream from what a user typed, checked: login server {@code host[:port]} (with a dot, a port, or
     * {@code localhost}, so a rule's source can tell it from a Docker Hub path), endpoint {@code http(s)://host[:port]}.
     * Custom upstreams allow both anonymous and authenticated pulls.
     *
     * @throws RuleValidationException with the reason
     */
    public static Upstream custom(String loginServer, String endpoint, String caCertPem) {
        String problem = loginServerProblem(loginServer);
        if (problem != null) throw new RuleValidationException(problem);
        String server = loginServer.strip().toLowerCase(Locale.ROOT);
        if (!SourceRepositories.looksLikeLoginServer(server)) {
            throw new RuleValidationException("a custom upstream's login server needs a dot or a port (or must be localhost), "
                    + "so rules can tell it from a Docker Hub path: '" + server + "'");
        }
        if (isBuiltIn(server)) {
            throw new RuleValidationException("'" + server + "' is a built-in upstream and cannot be added as a custom one");
        }
        URI uri = endpoint(endpoint);
        String ca = caCertPem == null || caCertPem.isBlank() ? null : caCertPem;
        return new Upstream(server, server, uri, AuthMode.BOTH, ca, false);
    }

    private static URI endpoint(String endpoint) {
        String shown = endpoint == null ? "" : RepositoryPaths.abbreviate(endpoint.strip());
        String expected = "the endpoint of a custom upstream must be http(s)://host[:port]: '" + shown + "'";
        if (endpoint == null || endpoint.isBlank()) throw new RuleValidationException("the endpoint of a custom upstream is empty");
        String text = endpoint.strip();
        if (text.indexOf('@') >= 0) {
            // Never echo it: the part before '@' may be a password.
            throw new RuleValidationException("the endpoint of a custom upstream may not contain a user name or password: "
                    + "write http(s)://host[:port] and put credentials in a credential set");
        }
        if (text.endsWith("/")) text = text.substring(0, text.length() - 1);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new RuleValidationException(expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean plain = uri.getRawPath() == null || uri.getRawPath().isEmpty();
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                || !plain || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new RuleValidationException(expected);
        }
        return URI.create(scheme + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT));
    }

    private static Upstream findBuiltIn(String key) {
        Upstream known = BUILT_IN_BY_LOGIN_SERVER.get(key);
        if (known != null) return known;
        if (key.endsWith(".gcr.io") && GCR_REGIONS.contains(key.substring(0, key.length() - ".gcr.io".length()))) {
            return builtIn("Google Container Registry (" + key.substring(0, key.indexOf('.')) + ")", key, "https://" + key, AuthMode.BOTH);
        }
        Matcher ar = ARTIFACT_REGISTRY.matcher(key);
        if (ar.matches()) {
            return builtIn("Google Artifact Registry (" + ar.group(1) + ")", key, "https://" + key, AuthMode.BOTH);
        }
        return null;
    }

    private static Upstream builtIn(String displayName, String loginServer, String endpoint, AuthMode authMode) {
        return new Upstream(displayName, loginServer, URI.create(endpoint), authMode, null, true);
    }

    private static Map<String, Upstream> index(List<Upstream> upstreams) {
        Map<String, Upstream> map = new HashMap<>();
        for (Upstream u : upstreams) {
            map.putIfAbsent(canonicalLoginServer(u.loginServer()), u);
        }
        return Map.copyOf(map);
    }
}
