package dev.cachalot.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads secrets the only ways the CLI accepts them: a prompt with echo off when a person is at a console, else lines
 * of standard input. Never from arguments, which other users can see in the process list and shells keep in history.
 */
final class SecretInput {

    private final Console console;
    private final InputStream in;

    private SecretInput(Console console, InputStream in) {
        this.console = console;
        this.in = in;
    }

    /** The console when there is one (both streams are a terminal), else {@code System.in} as it is now. */
    static SecretInput system() {
        return new SecretInput(System.console(), System.in);
    }

    /** A line shown as typed (a username). */
    String line(String prompt) {
        if (console != null) {
            String s = console.readLine("%s", prompt);
            if (s == null) throw new IllegalArgumentException("no input for '" + prompt.strip() + "'");
            return s.strip();
        }
        char[] chars = readLine(prompt);
        try {
            return new String(chars).strip();
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** A secret line, not echoed; the caller clears it. */
    char[] secret(String prompt) {
        if (console != null) {
            char[] s = console.readPassword("%s", prompt);
            if (s == null) throw new IllegalArgumentException("no input for '" + prompt.strip() + "'");
            return s;
        }
        return readLine(prompt);
    }

    /** One line of stdin as chars, without its line end; bytes are read one by one so nothing is read ahead. */
    private char[] readLine(String what) {
        byte[] buf = new byte[128];
        int n = 0;
        try {
            int b;
            boolean any = false;
            while ((b = in.read()) != -1) {
                any = true;
                if (b == '\n') break;
                if (n == buf.length) {
                    byte[] bigger = Arrays.copyOf(buf, n * 2);
                    Arrays.fill(buf, (byte) 0);
                    buf = bigger;
                }
                buf[n++] = (byte) b;
            }
            if (!any) {
                throw new IllegalArgumentException("expected the " + what.replace(":", "").strip().toLowerCase(java.util.Locale.ROOT)
                        + " on standard input, found nothing");
            }
            if (n > 0 && buf[n - 1] == '\r') n--;
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(buf, 0, n));
            char[] out = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input", e);
        } finally {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
