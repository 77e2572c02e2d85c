package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.rules.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Custom upstream registries beside the built-in catalog. */
@Command(name = "upstream", mixinStandardHelpOptions = true, description = "Manage upstream registries.",
        subcommands = {UpstreamCommand.Add.class, UpstreamCommand.ListUpstreams.class, UpstreamCommand.Remove.class})
final class UpstreamCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a custom upstream registry.")
    static final class Add extends EngineCommand {
        @Option(names = "--login-server", required = true, paramLabel = "HOST[:PORT]", description = "Name used in rules' sources.")
        String loginServer;
        @Option(names = "--endpoint", required = true, paramLabel = "URL", description = "http(s)://host[:port] of its registry API.")
        String endpoint;
        @Option(names = "--ca-cert", paramLabel = "PEM", description = "Extra CA certificate (PEM file) to trust for it.")
        Path caCert;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            String pem = caCert == null ? null : Files.readString(caCert);
            Upstream u = engine.addUpstream(loginServer, endpoint, pem);
            out().println("Added upstream " + u.loginServer() + " -> " + u.endpoint());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List built-in and custom upstreams.")
    static final class ListUpstreams extends EngineCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            List<Upstream> all = engine.upstreams();
            if (json) {
                printJson(all.stream().map(UpstreamCommand::toMap).toList());
                return 0;
            }
            Table t = new Table("LOGIN SERVER", "ENDPOINT", "AUTH", "KIND");
            for (Upstream u : all) {
                t.row(u.loginServer(), u.endpoint().toString(), u.authMode().name().toLowerCase().replace('_', ' '),
                        u.builtIn() ? "built-in" : "custom");
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a custom upstream.")
    static final class Remove extends EngineCommand {
        @Parameters(paramLabel = "LOGIN_SERVER")
        String loginServer;

        @Override
        protected int run(EngineAdmin engine) {
            engine.removeUpstream(loginServer);
            out().println("Removed upstream " + loginServer);
            return 0;
        }
    }

    static Map<String, Object> toMap(Upstream u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.displayName());
        m.put("loginServer", u.loginServer());
        m.put("endpoint", u.endpoint().toString());
        m.put("authMode", u.authMode().name());
        m.put("builtIn", u.builtIn());
        m.put("caCert", u.caCertPem() != null);
        return m;
    }
}
