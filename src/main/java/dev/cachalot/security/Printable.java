package dev.cachalot.security;

/** Text from a client made safe for one log line: printable ASCII only, bounded, so it cannot forge or hide lines. */
final class Printable {
    private static final int MAX = 64;

    private Printable() {
    }

    static String of(String text) {
        if (text == null) return "-";
        int length = Math.min(text.length(), MAX);
        StringBuilder shown = new StringBuilder(length + 1);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            shown.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > MAX) shown.append('…');
        return shown.toString();
    }
}
