package dev.cachalot.upstream;

import java.io.IOException;
import okhttp3.Request;

/**
 * A redirect from a plain-HTTP upstream to an https location (storage behind TLS), raised inside a call whose client
 * speaks only cleartext. It is not a failure: the client runs {@link #next} again on its TLS client. Plain-HTTP
 * upstreams get a cleartext client so that a cache that only ever talks to them never loads a trust store.
 */
final class TlsHopNeeded extends IOException {

    final transient Request next;

    TlsHopNeeded(Request next) {
        super("redirect to " + next.url().scheme() + "://" + next.url().host() + " needs TLS");
        this.next = next;
    }
}
