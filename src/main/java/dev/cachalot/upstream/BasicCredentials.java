package dev.cachalot.upstream;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** Builds a {@code Basic} header value from a login and clears the password and every intermediate copy. */
final class BasicCredentials {

    private BasicCredentials() {
    }

    static String header(UpstreamCredentials.Login login) {
        char[] password = login.password();
        char[] joined = new char[login.username().length() + 1 + password.length];
        login.username().getChars(0, login.username().length(), joined, 0);
        joined[login.username().length()] = ':';
        System.arraycopy(password, 0, joined, login.username().length() + 1, password.length);
        Arrays.fill(password, '\0');
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(joined));
        Arrays.fill(joined, '\0');
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        if (bytes.hasArray()) Arrays.fill(bytes.array(), (byte) 0);
        try {
            return "Basic " + Base64.getEncoder().encodeToString(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
