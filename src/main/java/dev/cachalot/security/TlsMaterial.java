package dev.cachalot.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's TLS identity read from PEM files, the way web servers take it: a certificate chain (server certificate
 * first, then any intermediates) and an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}). The pair is checked
 * to belong together before it is used, so a half-replaced pair (new certificate, old key) is refused instead of
 * breaking every handshake.
 */
public final class TlsMaterial {
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private TlsMaterial(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    /**
     * Reads and checks a pair.
     *
     * @throws TlsMaterialException naming the file at fault (never its content)
     */
    public static TlsMaterial read(Path certificateChain, Path privateKey) {
        List<X509Certificate> chain = readChain(certificateChain);
        PrivateKey key = readKey(privateKey);
        if (!belongTogether(chain.get(0), key)) {
            throw new TlsMaterialException("the private key in " + privateKey + " does not belong to the certificate in "
                    + certificateChain);
        }
        return new TlsMaterial(chain, key);
    }

    /** The server certificate (the chain's first). */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** An in-memory key store holding the pair under the alias {@code server}, protected by {@code password}. */
    public KeyStore keyStore(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsMaterialException("could not hold the TLS key in a key store: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readChain(Path file) {
        try {
            byte[] pem = Files.readAllBytes(file);
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream().map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new TlsMaterialException(file + " holds no PEM certificate");
            }
            return chain;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TlsMaterialException("the certificate file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new TlsMaterialException("cannot read the certificate file " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException(file + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TlsMaterialException("the key file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new TlsMaterialException("cannot read the key file " + file + ": " + e.getMessage(), e);
        }
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new TlsMaterialException(file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----);"
                    + " convert one with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        throw new TlsMaterialException(file + " holds a PKCS#8 key of an algorithm other than EC, RSA or Ed25519");
    }

    /** Signs with the key and verifies with the certificate: true only for the key of that certificate. */
    private static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "cachalot key pair check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
