package dev.cachalot.credentials;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Runs a keyring tool with input on stdin (never on the command line, where other users could see it). */
final class ToolRunner {

    private static final long TIMEOUT_SECONDS = 20;

    private ToolRunner() {
    }

    record Result(int exitCode, byte[] stdout) {
        @Override
        public String toString() {
            return "Result[exitCode=" + exitCode + "]";
        }
    }

    /** Runs {@code command}; {@code stdin} is written then cleared. */
    static Result run(List<String> command, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin);
            } finally {
                if (stdin != null) Arrays.fill(stdin, (byte) 0);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream o = p.getInputStream()) {
                o.transferTo(out);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new VaultException(command.get(0) + " did not answer within " + TIMEOUT_SECONDS + " seconds");
            }
            return new Result(p.exitValue(), out.toByteArray());
        } catch (IOException e) {
            throw new VaultException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultException("interrupted while running " + command.get(0), e);
        }
    }

    /** Whether {@code tool} is an executable on {@code PATH}. */
    static boolean onPath(String tool, Function<String, String> env) {
        String path = env.apply("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return true;
        }
        return false;
    }

    /** The bytes as chars (ASCII texts only), trailing newline dropped; the bytes are cleared. */
    static char[] asciiLine(byte[] bytes) {
        int n = bytes.length;
        while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) n--;
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) chars[i] = (char) (bytes[i] & 0x7f);
        Arrays.fill(bytes, (byte) 0);
        return chars;
    }

    static byte[] ascii(char[] chars, String prefix, String suffix) {
        byte[] p = prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] s = suffix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[p.length + chars.length + s.length];
        System.arraycopy(p, 0, out, 0, p.length);
        for (int i = 0; i < chars.length; i++) out[p.length + i] = (byte) chars[i];
        System.arraycopy(s, 0, out, p.length + chars.length, s.length);
        return out;
    }
}
