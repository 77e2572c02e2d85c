package dev.cachalot.credentials;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Stands in for the OS keyring: none runs on this machine (no secret-tool, no session bus). */
final class FakeKeyring implements Keyring {

    final Map<String, String> entries = new HashMap<>();
    boolean available = true;

    @Override
    public String description() {
        return "the fake keyring";
    }

    @Override
    public boolean available() {
        return available;
    }

    @Override
    public Optional<char[]> read(String account) {
        String v = entries.get(account);
        return v == null ? Optional.empty() : Optional.of(v.toCharArray());
    }

    @Override
    public void store(String account, char[] value) {
        entries.put(account, new String(value));
    }
}
