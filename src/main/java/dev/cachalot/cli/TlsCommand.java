package dev.cachalot.cli;

import dev.cachalot.security.LocalCertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cachalot tls init}: certificates for {@code serve --tls-cert --tls-key} where no CA issues one. */
@Command(name = "tls", mixinStandardHelpOptions = true, description = "TLS material for serving HTTPS.",
        subcommands = TlsCommand.Init.class)
final class TlsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a local CA (ca.crt) and a server certificate (server.crt, server.key) for the names given.")
    static final class Init implements Callable<Integer> {
        /** The port the printed client steps use; serve's default. */
        private static final int DEFAULT_PORT = 5000;

        @Option(names = "--host", required = true, paramLabel = "NAME",
                description = "A DNS name or IP address clients use to reach the cache (repeat for more).")
        List<String> hosts;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write ca.crt, server.crt and server.key to.")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LocalCertificateAuthority.Issued issued = LocalCertificateAuthority.issue(hosts, out);
            PrintWriter o = spec.commandLine().getOut();
            Path ca = issued.caCertificate().toAbsolutePath();
            String host = hosts.get(0) + ":" + DEFAULT_PORT;
            o.println("Wrote " + ca + ", " + issued.serverCertificate().toAbsolutePath() + " and "
                    + issued.serverKey().toAbsolutePath() + " (keep server.key private).");
            o.println();
            o.println("Serve with them (beyond loopback clients sign in: first 'cachalot users add NAME --role admin'):");
            o.println("  cachalot serve --listen 0.0.0.0:" + DEFAULT_PORT + " --tls-cert " + issued.serverCertificate().toAbsolutePath()
                    + " --tls-key " + issued.serverKey().toAbsolutePath());
            o.println();
            o.println("Make clients trust the CA (shown for " + host + "; use the host and port clients pull from):");
            o.println("  docker:     mkdir -p /etc/docker/certs.d/" + host + " && cp " + ca + " /etc/docker/certs.d/" + host + "/ca.crt");
            o.println("  containerd: mkdir -p /etc/containerd/certs.d/" + host + " && cp " + ca + " /etc/containerd/certs.d/" + host + "/ca.crt");
            o.println("              and in /etc/containerd/certs.d/" + host + "/hosts.toml:");
            o.println("                server = \"https://" + host + "\"");
            o.println("                [host.\"https://" + host + "\"]");
            o.println("                  ca = \"/etc/containerd/certs.d/" + host + "/ca.crt\"");
            o.println("  podman:     mkdir -p /etc/containers/certs.d/" + host + " && cp " + ca + " /etc/containers/certs.d/" + host + "/ca.crt");
            o.println("  skopeo:     the same /etc/containers/certs.d/" + host + "/ca.crt, or --src-cert-dir " + ca.getParent()
                    + " (any folder holding ca.crt)");
            o.println("Or add " + ca + " to the system's trust store (Debian: /usr/local/share/ca-certificates/ and update-ca-certificates;"
                    + " then restart dockerd and containerd).");
            o.flush();
            return 0;
        }
    }
}
