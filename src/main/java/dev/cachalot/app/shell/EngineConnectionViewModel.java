package dev.cachalot.app.shell;

import dev.cachalot.api.client.EngineLogin;
import dev.cachalot.api.client.EngineTrust;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * Connecting the app to an engine elsewhere: its address, a token, or a user and password the engine exchanges for
 * one (used for this connection only, never stored) and,
 * for https with a private CA (the {@code ca.crt} of {@code cachalot tls init}), that CA file, trusted only once the
 * user confirmed its SHA-256 fingerprint. The connection counts once the engine answered a call that needs the token.
 */
public final class EngineConnectionViewModel {
    private final Async async;
    private final RecentEngines recent;
    private final StringProperty address = new SimpleStringProperty("");
    private final StringProperty user = new SimpleStringProperty("");
    private final StringProperty token = new SimpleStringProperty("");
    private final StringProperty caFile = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper caFingerprint = new ReadOnlyStringWrapper("");
    private final BooleanProperty caTrusted = new SimpleBooleanProperty(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper connecting = new ReadOnlyBooleanWrapper(false);
    private final BooleanBinding https = Bindings.createBooleanBinding(
            () -> address.get().strip().toLowerCase(Locale.ROOT).startsWith("https:"), address);
    private final BooleanBinding needsTrust = https.and(caFile.isNotEmpty());
    private final BooleanBinding canConnect;

    public EngineConnectionViewModel(Async async, RecentEngines recent) {
        this.async = async;
        this.recent = recent;
        caFile.addListener((o, a, file) -> {
            caTrusted.set(false); // a new file is a new question
            caFingerprint.set("");
            error.set("");
            if (file == null || file.isBlank()) return;
            try {
                caFingerprint.set(fingerprint(Path.of(file.strip())));
            } catch (Exception e) {
                error.set("Cannot read the CA certificate " + file.strip() + ": " + Messages.human(e));
            }
        });
        // a recent engine brings back the CA it was trusted with; the fingerprint is confirmed again
        address.addListener((o, a, typed) -> recent.list().stream().filter(e -> e.address().equals(typed.strip()))
                .findFirst().ifPresent(e -> caFile.set(e.caFile())));
        canConnect = address.isNotEmpty().and(connecting.not())
                .and(needsTrust.not().or(caFingerprint.isNotEmpty().and(caTrusted)));
    }

    /** "SHA-256 AB:CD:…" of the first certificate in the PEM file, with its subject. */
    static String fingerprint(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ca.getEncoded());
            return ca.getSubjectX500Principal().getName() + "\nSHA-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        }
    }

    public java.util.List<String> recentAddresses() {
        return recent.list().stream().map(RecentEngines.RecentEngine::address).toList();
    }

    /** Reaches the engine in the background; {@code connected} runs on the UI thread, a failure fills {@link #errorProperty}. */
    public void connect(Consumer<RemoteConnection> connected) {
        if (!canConnect.get()) return;
        URI engine;
        try {
            engine = RemoteEngine.address(URI.create(address.get().strip()));
        } catch (IllegalArgumentException e) {
            error.set(Messages.human(e));
            return;
        }
        Path ca = needsTrust.get() ? Path.of(caFile.get().strip()) : null;
        String secret = token.get();
        String name = user.get() == null ? "" : user.get().strip();
        error.set("");
        connecting.set(true);
        async.run(() -> {
            javax.net.ssl.SSLContext tls = EngineTrust.context(ca);
            String bearer = name.isEmpty() ? secret : EngineLogin.token(engine, name, secret.toCharArray(), tls);
            RemoteEngine remote = new RemoteEngine(engine, bearer, tls);
            try {
                remote.status();
                remote.rules(); // needs the token where the engine has users: a wrong one fails here, not on a page
            } catch (RuntimeException e) {
                remote.close();
                throw e;
            }
            return remote;
        }, remote -> {
            connecting.set(false);
            token.set("");
            recent.remember(engine, ca);
            connected.accept(new RemoteConnection(engine, new AppContext(remote, async, "on the engine's machine (" + engine.getHost() + ")")));
        }, e -> {
            connecting.set(false);
            error.set("Cannot connect to " + engine + ": " + Messages.human(e));
        });
    }

    public StringProperty addressProperty() { return address; }
    public StringProperty userProperty() { return user; }
    /** The token, or the user's password when a user is given. */
    public StringProperty tokenProperty() { return token; }
    public StringProperty caFileProperty() { return caFile; }
    public ReadOnlyStringProperty caFingerprintProperty() { return caFingerprint.getReadOnlyProperty(); }
    public BooleanProperty caTrustedProperty() { return caTrusted; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty connectingProperty() { return connecting.getReadOnlyProperty(); }
    public BooleanBinding httpsProperty() { return https; }
    public BooleanBinding needsTrustProperty() { return needsTrust; }
    public BooleanBinding canConnectProperty() { return canConnect; }
}
