package dev.cachalot.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate both subjects serve TLS with in workload 8: made by Cachalot's own {@code tls init} (a local CA and a
 * server certificate for 127.0.0.1), the way a user would make it; the peer ({@code docker-registry}) takes the same
 * PEM files.
 *
 * @param ca the CA certificate clients trust
 * @param certificate the server certificate chain
 * @param key its PKCS#8 private key
 * @param trust a context that trusts {@code ca}, for readiness checks
 */
record BenchTls(Path ca, Path certificate, Path key, SSLContext trust) {

    /** Runs {@code <launcher> tls init --host 127.0.0.1 --out folder}. */
    static BenchTls create(List<String> launcher, Path folder) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("tls", "init", "--host", "127.0.0.1", "--out", folder.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("cachalot tls init failed: " + output);
            }
            Path ca = folder.resolve("ca.crt");
            return new BenchTls(ca, folder.resolve("server.crt"), folder.resolve("server.key"), trusting(ca));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trusting(Path ca) throws IOException {
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("bench-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + ca, e);
        }
    }
}
