package dev.cachalot.upstream;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for a custom HTTPS upstream: the system's trusted CAs plus the CA certificate(s) the user gave in
 * PEM ({@code Upstream.caCertPem}). Hostname verification stays on; this only widens which issuers are trusted.
 */
record UpstreamTrust(SSLSocketFactory socketFactory, X509TrustManager trustManager) {

    static UpstreamTrust withExtraCaPem(String pem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate ca : systemTrustManager().getAcceptedIssuers()) {
                store.setCertificateEntry("system-" + n++, ca);
            }
            Collection<? extends Certificate> extra = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (extra.isEmpty()) {
                throw new IllegalArgumentException("the upstream's CA certificate PEM holds no certificate");
            }
            for (Certificate ca : extra) {
                store.setCertificateEntry("upstream-" + n++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            X509TrustManager tm = x509(tmf.getTrustManagers());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {tm}, null);
            return new UpstreamTrust(tls.getSocketFactory(), tm);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("unusable CA certificate PEM for the upstream: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        return x509(tmf.getTrustManagers());
    }

    private static X509TrustManager x509(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) return x;
        }
        throw new IllegalStateException("no X509TrustManager available");
    }
}
