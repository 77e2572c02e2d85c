package dev.cachalot.security;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code cachalot tls init}: a local certificate authority and a server certificate it signs, for a cache on a network
 * where no company CA issues one. Clients trust {@code ca.crt} once; the server certificate can then be reissued
 * (new names, renewal) without touching a client again. Keys are ECDSA P-256: quick to make, supported by every
 * container client. The CA's key is not kept: a new server certificate comes with a new CA, so a leaked folder can
 * sign nothing else.
 */
public final class LocalCertificateAuthority {
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** Under 398 days: the longest a server certificate may live for clients that enforce the CA/B rule (macOS, Apple). */
    private static final Duration SERVER_LIFETIME = Duration.ofDays(397);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern DNS_NAME = Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

    /** What {@link #issue} wrote. */
    public record Issued(Path caCertificate, Path serverCertificate, Path serverKey, X509Certificate server) {
    }

    private LocalCertificateAuthority() {
    }

    /**
     * Writes {@code out/ca.crt}, {@code out/server.crt} (server certificate, then the CA) and {@code out/server.key}
     * (PKCS#8, readable by the owner only), each replaced atomically so a running server reloading them never reads
     * half a file.
     *
     * @param hosts DNS names and IP addresses the server is reached by; each becomes a subject alternative name
     * @throws IllegalArgumentException for an empty list or a name that is neither a DNS name nor an IP address
     */
    public static Issued issue(List<String> hosts, Path out) throws IOException {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("give at least one --host (a DNS name or an IP address clients use)");
        }
        List<GeneralName> names = new ArrayList<>();
        for (String host : hosts) {
            names.add(subjectAlternativeName(host));
        }
        try {
            Instant now = Instant.now();
            KeyPair caKeys = newKeyPair();
            X500Name caName = new X500Name("CN=Cachalot local CA " + now.getEpochSecond());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(300)),
                    Date.from(now.plus(CA_LIFETIME)), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCertificate = sign(ca, caKeys);

            KeyPair serverKeys = newKeyPair();
            X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCertificate, serial(),
                    Date.from(now.minusSeconds(300)), Date.from(now.plus(SERVER_LIFETIME)), new X500Name("CN=" + hosts.get(0)),
                    serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCertificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(serverKeys.getPublic()));
            X509Certificate serverCertificate = sign(server, caKeys);

            Files.createDirectories(out);
            Path caFile = out.resolve("ca.crt");
            Path certFile = out.resolve("server.crt");
            Path keyFile = out.resolve("server.key");
            // The key first: a watcher that sees the new certificate must find its key already in place.
            writeAtomically(keyFile, pkcs8(serverKeys), true);
            writeAtomically(certFile, pem(serverCertificate) + pem(caCertificate), false);
            writeAtomically(caFile, pem(caCertificate), false);
            return new Issued(caFile, certFile, keyFile, serverCertificate);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("could not issue the certificates: " + e.getMessage(), e);
        }
    }

    private static GeneralName subjectAlternativeName(String host) {
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        try {
            if (IPV4.matcher(h).matches() || h.contains(":")) {
                // a literal: getByName parses it without any lookup
                InetAddress.getByName(h);
                return new GeneralName(GeneralName.iPAddress, h);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + host + "' is not a valid IP address");
        }
        if (!DNS_NAME.matcher(h).matches() || h.length() > 253) {
            throw new IllegalArgumentException("'" + host + "' is neither a DNS name nor an IP address");
        }
        return new GeneralName(GeneralName.dNSName, h);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(X509Certificate certificate) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        }
        return text.toString();
    }

    /** The JDK's encoding of a private key is PKCS#8 already; only the PEM armour is added. */
    private static String pkcs8(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void writeAtomically(Path file, String text, boolean secret) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the folder's ACL applies
            }
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
