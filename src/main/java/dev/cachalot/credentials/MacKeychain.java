package dev.cachalot.credentials;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The macOS login Keychain through the {@code security} tool. */
final class MacKeychain implements Keyring {

    private static final String SECURITY = "/usr/bin/security";
    private static final String SERVICE = "cachalot-vault";

    @Override
    public String description() {
        return "the macOS Keychain";
    }

    @Override
    public boolean available() {
        return Files.isExecutable(Path.of(SECURITY));
    }

    @Override
    public Optional<char[]> read(String account) {
        ToolRunner.Result r = ToolRunner.run(List.of(SECURITY, "find-generic-password", "-a", account, "-s", SERVICE, "-w"), null);
        if (r.exitCode() != 0 || r.stdout().length == 0) return Optional.empty();
        return Optional.of(ToolRunner.asciiLine(r.stdout()));
    }

    @Override
    public void store(String account, char[] value) {
        // "security -i" reads commands from stdin, which keeps the key off the command line (visible in ps).
        byte[] command = ToolRunner.ascii(value,
                "add-generic-password -U -a " + account + " -s " + SERVICE + " -l \"Cachalot vault\" -w ", "\n");
        ToolRunner.Result r = ToolRunner.run(List.of(SECURITY, "-i"), command);
        if (r.exitCode() != 0) {
            throw new VaultException("the macOS Keychain could not store the vault key (exit code " + r.exitCode() + ")");
        }
    }
}
