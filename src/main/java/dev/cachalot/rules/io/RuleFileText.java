package dev.cachalot.rules.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Turns a file's bytes into text, refusing what is not a text rule file before any parser sees it:
 * files over the size limit, binary data, invalid UTF-8. A UTF-8 BOM is dropped; a UTF-16 BOM (what Windows
 * PowerShell's {@code >} writes) is honoured.
 */
final class RuleFileText {

    /** Rule files are small (1,000 rules is well under 1 MiB); anything larger is a mistake or an attack. */
    static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

    private RuleFileText() {
    }

    static String read(Path file, long maxBytes) throws RuleFileException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw tooLarge(size, maxBytes);
            }
            // Read at most one byte past the limit: the file may grow between size() and read.
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
            if (bytes.length > maxBytes) {
                throw tooLarge(bytes.length, maxBytes);
            }
        } catch (NoSuchFileException e) {
            throw new RuleFileException("file not found");
        } catch (IOException e) {
            throw new RuleFileException("cannot read the file: " + e.getMessage(), e);
        }
        return decode(bytes);
    }

    static String decode(byte[] bytes) throws RuleFileException {
        if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
            return strictDecode(bytes, 3, StandardCharsets.UTF_8);
        }
        if (startsWith(bytes, 0xFF, 0xFE) || startsWith(bytes, 0xFE, 0xFF)) {
            if (startsWith(bytes, 0xFF, 0xFE, 0x00, 0x00)) {
                throw new RuleFileException("the file is UTF-32, which is not supported: save it as UTF-8");
            }
            return strictDecode(bytes, 2, bytes[0] == (byte) 0xFF ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
        }
        for (int i = 0; i < Math.min(bytes.length, 64 * 1024); i++) {
            if (bytes[i] == 0) {
                throw new RuleFileException("not a rule file: it contains binary data (a NUL byte at offset " + i
                        + "; a UTF-16 file needs its byte order mark)");
            }
        }
        String text = strictDecode(bytes, 0, StandardCharsets.UTF_8);
        int controls = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t' && ch != '\f') controls++;
        }
        if (controls > 0) {
            throw new RuleFileException("not a rule file: it contains " + controls + " control character(s) that text files do not have");
        }
        return text;
    }

    private static String strictDecode(byte[] bytes, int offset, Charset charset) throws RuleFileException {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        try {
            CharBuffer out = decoder.decode(in);
            return out.toString();
        } catch (MalformedInputException e) {
            throw new RuleFileException("the file is not valid " + charset.name() + " (bad byte sequence at byte offset "
                    + in.position() + "): save it as UTF-8");
        } catch (CharacterCodingException e) {
            throw new RuleFileException("the file is not valid " + charset.name() + ": save it as UTF-8");
        }
    }

    private static RuleFileException tooLarge(long size, long max) {
        return new RuleFileException("the file is too large for a rule file (" + size + " bytes; the limit is "
                + max / (1024 * 1024) + " MiB)");
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) return false;
        }
        return true;
    }
}
