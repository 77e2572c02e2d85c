package dev.cachalot.upstream;

import okhttp3.HttpUrl;

/** Web origins (scheme, host, port): credentials stay within the origin they were meant for. */
final class Origins {

    private Origins() {
    }

    static String of(HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port();
    }

    static boolean same(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
    }
}
