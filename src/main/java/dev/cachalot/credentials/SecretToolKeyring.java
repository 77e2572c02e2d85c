package dev.cachalot.credentials;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The freedesktop Secret Service (GNOME Keyring, KWallet) through {@code secret-tool} from libsecret-tools. */
final class SecretToolKeyring implements Keyring {

    private final Function<String, String> env;

    SecretToolKeyring(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String description() {
        return "the Secret Service keyring (secret-tool)";
    }

    @Override
    public boolean available() {
        // Without a session bus secret-tool cannot reach the keyring daemon (headless servers, CI, SSH sessions).
        String bus = env.apply("DBUS_SESSION_BUS_ADDRESS");
        return bus != null && !bus.isBlank() && ToolRunner.onPath("secret-tool", env);
    }

    @Override
    public Optional<char[]> read(String account) {
        ToolRunner.Result r = ToolRunner.run(List.of("secret-tool", "lookup", "application", "cachalot", "vault", account), null);
        if (r.exitCode() != 0 || r.stdout().length == 0) return Optional.empty();
        return Optional.of(ToolRunner.asciiLine(r.stdout()));
    }

    @Override
    public void store(String account, char[] value) {
        // secret-tool store reads the secret from stdin.
        ToolRunner.Result r = ToolRunner.run(List.of("secret-tool", "store", "--label=Cachalot vault " + account,
                "application", "cachalot", "vault", account), ToolRunner.ascii(value, "", ""));
        if (r.exitCode() != 0) {
            throw new VaultException("secret-tool could not store the vault key (exit code " + r.exitCode()
                    + "): is the keyring unlocked?");
        }
    }
}
