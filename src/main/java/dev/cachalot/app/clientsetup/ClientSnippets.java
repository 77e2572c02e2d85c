package dev.cachalot.app.clientsetup;

import dev.cachalot.rules.CacheRule;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ready-to-copy client configuration for the engine at {@code address} ({@code host:port}, plain HTTP on loopback)
 * and the user's rules. Pure text, so it is tested without a window.
 */
public final class ClientSnippets {
    private final String address;
    private final List<CacheRule> rules;

    private final Map<String, String> endpoints;

    public ClientSnippets(String address, List<CacheRule> rules) {
        this(address, rules, Map.of());
    }

    /** @param endpoints login server to API endpoint ({@code http://host:port}) for upstreams not reached at https://login-server */
    public ClientSnippets(String address, List<CacheRule> rules, Map<String, String> endpoints) {
        this.address = address == null || address.isBlank() ? "127.0.0.1:5000" : address;
        this.rules = List.copyOf(rules);
        this.endpoints = Map.copyOf(endpoints);
    }

    /** {@code /etc/docker/daemon.json}: Docker uses mirrors for Docker Hub pulls only. */
    public String dockerDaemonJson() {
        return "{\n"
                + "  \"registry-mirrors\": [\"http://" + address + "\"],\n"
                + "  \"insecure-registries\": [\"" + address + "\"]\n"
                + "}\n";
    }

    /** The login servers the rules pull from, sorted, each once. */
    public List<String> upstreams() {
        return rules.stream().map(r -> loginServer(r.sourceRepository())).distinct().sorted().toList();
    }

    /**
     * One {@code hosts.toml} per upstream, keyed by its path. containerd adds {@code ?ns=<upstream>} to mirror requests,
     * which the engine uses to route them onto the rules.
     */
    public Map<String, String> containerdHostsToml() {
        Map<String, String> files = new TreeMap<>();
        for (String upstream : upstreams()) {
            String server = upstream.equals("docker.io") ? "https://registry-1.docker.io"
                    : endpoints.getOrDefault(upstream, "https://" + upstream);
            files.put("/etc/containerd/certs.d/" + upstream + "/hosts.toml",
                    "server = \"" + server + "\"\n\n"
                            + "[host.\"http://" + address + "\"]\n"
                            + "  capabilities = [\"pull\", \"resolve\"]\n"
                            + "  skip_verify = true\n");
        }
        return files;
    }

    /** {@code /etc/containers/registries.conf} (or a drop-in under {@code registries.conf.d}): a mirror per upstream. */
    public String podmanRegistriesConf() {
        StringBuilder sb = new StringBuilder();
        for (String upstream : upstreams()) {
            sb.append("[[registry]]\n")
                    .append("prefix = \"").append(upstream).append("\"\n")
                    .append("location = \"").append(upstream).append("\"\n\n")
                    .append("[[registry.mirror]]\n")
                    .append("location = \"").append(address).append("\"\n")
                    .append("insecure = true\n\n");
        }
        return sb.length() == 0 ? "# Create a cache rule first: mirrors are listed per upstream.\n" : sb.toString();
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
