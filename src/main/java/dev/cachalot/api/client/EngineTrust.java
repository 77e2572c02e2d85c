package dev.cachalot.api.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Which certificates an HTTPS engine may present: the system's trusted CAs, plus the CA certificate(s) of a PEM file
 * when one is given (the {@code ca.crt} of {@code cachalot tls init}). Hostname verification stays on: this only
 * widens which issuers are trusted.
 */
public final class EngineTrust {
    private EngineTrust() {
    }

    /** The JDK's default context (system CAs) when {@code extraCaPem} is null. */
    public static SSLContext context(Path extraCaPem) {
        try {
            if (extraCaPem == null) return SSLContext.getDefault();
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate ca : system().getAcceptedIssuers()) store.setCertificateEntry("system-" + n++, ca);
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(extraCaPem)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) throw new IllegalArgumentException(extraCaPem + " holds no PEM certificate");
            for (Certificate ca : extra) store.setCertificateEntry("engine-" + n++, ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the engine's CA certificate " + extraCaPem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable CA certificate " + extraCaPem + ": " + e.getMessage(), e);
        }
    }

    private static X509TrustManager system() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager m : tmf.getTrustManagers()) {
            if (m instanceof X509TrustManager x) return x;
        }
        throw new IllegalStateException("no X509TrustManager available");
    }
}
