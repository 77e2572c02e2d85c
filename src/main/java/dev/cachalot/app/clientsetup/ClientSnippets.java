package dev.cachalot.app.clientsetup;

import dev.cachalot.engine.EngineApi;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ready-to-copy client configuration for the engine at {@code address} ({@code host:port}) and the user's rules: plain
 * HTTP on loopback by default, or HTTPS with the engine's CA trusted per client and a login where the engine asks for
 * one ({@link ClientAccess}). Pure text, so it is tested without a window.
 */
public final class ClientSnippets {
    /** Where containerd's snippets go, and what its {@code config_path} must name. */
    public static final String CONTAINERD_CERTS_D = "/etc/containerd/certs.d";

    private final String address;
    private final List<CacheRule> rules;

    private final Map<String, String> endpoints;
    private final ClientAccess access;

    public ClientSnippets(String address, List<CacheRule> rules) {
        this(address, rules, Map.of());
    }

    /** @param endpoints login server to API endpoint ({@code http://host:port}) for upstreams not reached at https://login-server */
    public ClientSnippets(String address, List<CacheRule> rules, Map<String, String> endpoints) {
        this(address, rules, endpoints, ClientAccess.PLAIN);
    }

    public ClientSnippets(String address, List<CacheRule> rules, Map<String, String> endpoints, ClientAccess access) {
        this.address = address == null || address.isBlank() ? "127.0.0.1:5000" : address;
        this.rules = List.copyOf(rules);
        this.endpoints = Map.copyOf(endpoints);
        this.access = access;
    }

    /** The snippets for {@code engine}: its address (running, or else the saved one), rules and upstream endpoints. Blocks. */
    public static ClientSnippets forEngine(EngineApi engine) {
        String address = engine.status().address();
        if (address == null || address.isBlank()) address = engine.settings().listen();
        // custom upstreams (and built-ins moved elsewhere) need their endpoint in the containerd snippet
        Map<String, String> endpoints = new HashMap<>();
        for (Upstream u : engine.upstreams()) {
            String endpoint = u.endpoint().toString().replaceAll("/+$", "");
            if (!endpoint.equals("https://" + u.loginServer())) endpoints.put(u.loginServer(), endpoint);
        }
        // the engine tells whether it serves HTTPS and whether clients must sign in to pull
        return new ClientSnippets(address, engine.rules(), endpoints, new ClientAccess(engine.status().tls(), engine.status().loginRequired()));
    }

    /** With a different access (TLS, login), the same address and rules. */
    public ClientSnippets with(ClientAccess access) {
        return new ClientSnippets(address, rules, endpoints, access);
    }

    public ClientAccess access() {
        return access;
    }

    /**
     * {@code /etc/docker/daemon.json}: Docker uses mirrors for Docker Hub pulls only. Over TLS the engine is no
     * insecure registry: Docker trusts it by {@code /etc/docker/certs.d/<address>/ca.crt} ({@link #trustAndLogin()}).
     */
    public String dockerDaemonJson() {
        if (access.tls()) {
            return "{\n"
                    + "  \"registry-mirrors\": [\"https://" + address + "\"]\n"
                    + "}\n";
        }
        return "{\n"
                + "  \"registry-mirrors\": [\"http://" + address + "\"],\n"
                + "  \"insecure-registries\": [\"" + address + "\"]\n"
                + "}\n";
    }

    /**
     * The steps each client needs once per machine before the files above work: trusting the engine's CA (over TLS)
     * and logging in (when the engine asks for it). Empty for plain HTTP without a login.
     */
    public String trustAndLogin() {
        StringBuilder sb = new StringBuilder();
        if (access.tls()) {
            sb.append("# The engine serves HTTPS with its own CA: copy its ca.crt (cachalot tls init wrote it) where each client looks.\n")
                    .append("# Docker\n")
                    .append("sudo mkdir -p /etc/docker/certs.d/").append(address).append('\n')
                    .append("sudo cp ca.crt /etc/docker/certs.d/").append(address).append("/ca.crt\n")
                    .append("# containerd (the hosts.toml files name it with ca = ...)\n")
                    .append("sudo mkdir -p ").append(CONTAINERD_CERTS_D).append('/').append(address).append('\n')
                    .append("sudo cp ca.crt ").append(CONTAINERD_CERTS_D).append('/').append(address).append("/ca.crt\n")
                    .append("# podman, skopeo, buildah\n")
                    .append("sudo mkdir -p /etc/containers/certs.d/").append(address).append('\n')
                    .append("sudo cp ca.crt /etc/containers/certs.d/").append(address).append("/ca.crt\n");
        }
        if (access.loginRequired()) {
            if (sb.length() > 0) sb.append('\n');
            sb.append("# The engine asks clients to log in (a user or token of the engine):\n")
                    .append("docker login ").append(address).append('\n')
                    .append("podman login ").append(address).append("    # skopeo: --src-creds USER:PASSWORD, or skopeo login\n")
                    .append("# containerd: ctr images pull --user USER ...; for Kubernetes nodes, a CRI auth entry in config.toml:\n")
                    .append("#   [plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"").append(address).append("\".auth]\n")
                    .append("#     username = \"USER\"\n")
                    .append("#     password = \"PASSWORD\"\n");
        }
        return sb.toString();
    }

    /** The login servers the rules pull from, sorted, each once. */
    public List<String> upstreams() {
        return rules.stream().map(r -> loginServer(r.sourceRepository())).distinct().sorted().toList();
    }

    /**
     * One {@code hosts.toml} per upstream, keyed by its path. containerd adds {@code ?ns=<upstream>} to mirror requests,
     * which the engine uses to route them onto the rules (docs/decisions/0008). containerd reads these files only when
     * its registry {@code config_path} names the certs.d folder: the first lines say so, as they are copied with it.
     */
    public Map<String, String> containerdHostsToml() {
        Map<String, String> files = new TreeMap<>();
        for (String upstream : upstreams()) {
            String server = upstream.equals("docker.io") ? "https://registry-1.docker.io"
                    : endpoints.getOrDefault(upstream, "https://" + upstream);
            files.put(CONTAINERD_CERTS_D + "/" + upstream + "/hosts.toml",
                    "# containerd reads this file only when config_path points at the certs.d folder, in /etc/containerd/config.toml:\n"
                            + "#   [plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                            + "#     config_path = \"" + CONTAINERD_CERTS_D + "\"\n"
                            + "# (ctr: --hosts-dir " + CONTAINERD_CERTS_D + ")\n"
                            + "server = \"" + server + "\"\n\n"
                            + "[host.\"" + access.scheme() + "://" + address + "\"]\n"
                            + "  capabilities = [\"pull\", \"resolve\"]\n"
                            + (access.tls() ? "  ca = \"" + CONTAINERD_CERTS_D + "/" + address + "/ca.crt\"\n" : "  skip_verify = true\n"));
        }
        return files;
    }

    /**
     * {@code /etc/containers/registries.conf} (or a drop-in under {@code registries.conf.d}): one entry per rule whose
     * prefix is the rule's source and whose mirror is the engine <em>with the rule's target path</em>. podman and skopeo
     * send a mirror request with no hint of the registry it mirrors, so a mirror of the bare engine address would ask
     * for the upstream's path as a local name, which another rule (or Docker Hub) may own; the target prefix makes the
     * request name exactly what the rule serves (docs/decisions/0008). The longest prefix wins in podman as in the
     * rules, so a static rule inside a wildcard one keeps its exact name.
     */
    public String podmanRegistriesConf() {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> prefixes = new java.util.HashSet<>();
        for (CacheRule r : rules) {
            String prefix = withoutWildcard(r.sourceRepository());
            // podman refuses a registries.conf naming one prefix twice; the first rule of a source keeps it
            if (!prefixes.add(prefix)) continue;
            String target = withoutWildcard(r.targetRepository());
            String upstream = loginServer(r.sourceRepository());
            boolean plainHttp = endpoints.getOrDefault(upstream, "https://").startsWith("http://");
            sb.append("# rule ").append(r.name()).append(": ").append(r.sourceRepository()).append(" -> ").append(r.targetRepository()).append('\n')
                    .append("[[registry]]\n")
                    .append("prefix = \"").append(prefix).append("\"\n")
                    .append("location = \"").append(prefix).append("\"\n");
            if (plainHttp) sb.append("insecure = true\n");
            sb.append("\n[[registry.mirror]]\n")
                    .append("location = \"").append(target.isEmpty() ? address : address + "/" + target).append("\"\n");
            // over TLS the mirror is verified with /etc/containers/certs.d/<address>/ca.crt
            if (!access.tls()) sb.append("insecure = true\n");
            sb.append('\n');
        }
        return sb.length() == 0 ? "# Create a cache rule first: mirrors are listed per rule.\n" : sb.toString();
    }

    /** {@code docker.io/library/*} → {@code docker.io/library}; {@code *} → empty; a static path unchanged. */
    private static String withoutWildcard(String path) {
        if (path.equals("*")) return "";
        return path.endsWith("/*") ? path.substring(0, path.length() - 2) : path;
    }

    /** Plain pulls by the local name, one per rule ({@code <name>} stands for any repository under a wildcard). */
    public String plainPulls() {
        StringBuilder sb = new StringBuilder();
        for (CacheRule r : rules) {
            String target = r.targetRepository();
            String example = target.equals("*") ? "<repository>" : target.endsWith("/*") ? target.substring(0, target.length() - 1) + "<name>" : target;
            sb.append("# ").append(r.name()).append(": ").append(r.sourceRepository()).append('\n')
                    .append("docker pull ").append(address).append('/').append(example).append(":latest\n");
        }
        return sb.length() == 0 ? "docker pull " + address + "/<target>:latest\n" : sb.toString();
    }

    static String loginServer(String source) {
        int slash = source.indexOf('/');
        return slash < 0 ? source : source.substring(0, slash);
    }
}
