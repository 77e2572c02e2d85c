package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificates {@code tls init} writes, read back the way {@code serve} reads them. */
class LocalCertificateAuthorityTest {

    @TempDir
    Path temp;

    @Test
    void issuesAServerCertificateForEveryNameAndAddressSignedByTheCa() throws Exception {
        LocalCertificateAuthority.Issued issued = LocalCertificateAuthority.issue(
                List.of("cache.example.test", "10.1.2.3", "::1"), temp);

        TlsMaterial material = TlsMaterial.read(issued.serverCertificate(), issued.serverKey());
        X509Certificate server = material.certificate();
        X509Certificate ca = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(issued.caCertificate()));
        server.verify(ca.getPublicKey());
        assertThat(server.getSubjectAlternativeNames()).extracting(name -> (Integer) name.get(0))
                .containsExactly(2, 7, 7); // dNSName, iPAddress, iPAddress
        assertThat(server.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList())
                .contains("cache.example.test", "10.1.2.3");
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(ca.getBasicConstraints()).isZero();
        KeyStore store = material.keyStore("pw".toCharArray());
        assertThat(store.isKeyEntry("server")).isTrue();
        assertThat(store.getCertificateChain("server")).hasSize(2);
        assertThat(Files.getPosixFilePermissions(issued.serverKey())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(issued.serverKey())).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void refusesAKeyThatBelongsToAnotherCertificate() throws Exception {
        LocalCertificateAuthority.Issued first = LocalCertificateAuthority.issue(List.of("localhost"), temp.resolve("a"));
        LocalCertificateAuthority.Issued second = LocalCertificateAuthority.issue(List.of("localhost"), temp.resolve("b"));

        assertThatThrownBy(() -> TlsMaterial.read(first.serverCertificate(), second.serverKey()))
                .isInstanceOf(TlsMaterialException.class).hasMessageContaining("does not belong to the certificate")
                .hasMessageNotContaining("PRIVATE KEY");
    }

    @Test
    void refusesAKeyThatIsNotPkcs8AndSaysHowToConvertIt() throws Exception {
        LocalCertificateAuthority.Issued issued = LocalCertificateAuthority.issue(List.of("localhost"), temp);
        Path traditional = temp.resolve("ec.key");
        Files.writeString(traditional, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");

        assertThatThrownBy(() -> TlsMaterial.read(issued.serverCertificate(), traditional))
                .isInstanceOf(TlsMaterialException.class).hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void refusesANameThatIsNeitherADnsNameNorAnAddress() {
        assertThatThrownBy(() -> LocalCertificateAuthority.issue(List.of("bad name!"), temp))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad name!'");
        assertThat(temp.resolve("server.key")).doesNotExist();
    }
}
