package dev.cachalot.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code host:port} to listen on ({@code [::1]:5000} for IPv6). */
public record ListenAddress(String host, int port) {

    private static final Pattern FORM = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):(\\d{1,5})");

    public static ListenAddress parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid listen address '" + text + "': use host:port, such as 127.0.0.1:5000");
        }
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw new IllegalArgumentException("invalid port " + port + ": must be 0–65535");
        }
        String host = m.group(1);
        if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
        return new ListenAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
