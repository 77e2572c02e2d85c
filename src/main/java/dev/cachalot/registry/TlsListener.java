package dev.cachalot.registry;

import dev.cachalot.security.TlsMaterial;
import dev.cachalot.security.TlsMaterialException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener: TLS from PEM files, HTTP/2 for clients that offer {@code h2} through ALPN (containerd, Go
 * clients), HTTP/1.1 for the rest. A watcher re-reads the files when either changes and swaps the certificate in for
 * new handshakes; connections already open keep theirs. A pair that does not load (a key not yet replaced, a file half
 * copied by a tool that does not rename) is logged and tried again on the next change, while the old pair stays in
 * use: a renewal can never take the listener down.
 */
final class TlsListener {
    private static final Logger log = LoggerFactory.getLogger(TlsListener.class);
    /** How often the files are checked: a renewed certificate is in use within about this long. */
    static final long CHECK_INTERVAL_MS = 1_000;

    private TlsListener() {
    }

    /**
     * A connector on {@code jetty} speaking TLS with the files' pair, and a reload watcher that lives and stops with
     * the server.
     *
     * @throws TlsMaterialException when the files cannot be used now (the server then does not start)
     */
    static ServerConnector connector(Server jetty, HttpConfiguration plain, TlsFiles files) {
        char[] password = randomPassword();
        TlsMaterial material = TlsMaterial.read(files.certificateChain(), files.privateKey());
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(material.keyStore(password));
        tls.setKeyStorePassword(new String(password));
        tls.setKeyManagerPassword(new String(password));

        HttpConfiguration https = new HttpConfiguration(plain);
        // Clients reach a cache by IP address as often as by name; the certificate's names are theirs to check.
        https.addCustomizer(new SecureRequestCustomizer(false));
        HttpConnectionFactory http1 = new HttpConnectionFactory(https);
        HTTP2ServerConnectionFactory http2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());
        ServerConnector connector = new ServerConnector(jetty, 1, -1, ssl, alpn, http2, http1);
        jetty.addBean(new Reloader(files, tls, password));
        return connector;
    }

    private static char[] randomPassword() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return Base64.getEncoder().encodeToString(random).toCharArray();
    }

    /** Polls the files' modification times and sizes; started and stopped with the server. */
    private static final class Reloader extends AbstractLifeCycle {
        private final TlsFiles files;
        private final SslContextFactory.Server tls;
        private final char[] password;
        private ScheduledExecutorService timer;
        private String seen;

        Reloader(TlsFiles files, SslContextFactory.Server tls, char[] password) {
            this.files = files;
            this.tls = tls;
            this.password = password;
        }

        @Override
        protected void doStart() {
            seen = stamp();
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tls-reload");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::check, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            timer.shutdownNow();
        }

        private void check() {
            String now = stamp();
            if (now.equals(seen)) {
                return;
            }
            try {
                TlsMaterial material = TlsMaterial.read(files.certificateChain(), files.privateKey());
                tls.reload(f -> f.setKeyStore(material.keyStore(password)));
                seen = now;
                log.info("Reloaded the TLS certificate from {} (serial {})", files.certificateChain(),
                        material.certificate().getSerialNumber().toString(16));
            } catch (TlsMaterialException e) {
                log.warn("Keeping the current TLS certificate: {}", e.getMessage());
                seen = now;
            } catch (Exception e) {
                log.warn("Keeping the current TLS certificate: reloading failed: {}", e.toString());
                seen = now;
            }
        }

        private String stamp() {
            return stamp(files.certificateChain()) + "|" + stamp(files.privateKey());
        }

        private static String stamp(Path file) {
            try {
                return Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file) + ":" + Files.readAttributes(file,
                        java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            } catch (IOException e) {
                return "missing";
            }
        }
    }
}
