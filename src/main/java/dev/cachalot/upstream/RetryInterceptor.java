package dev.cachalot.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Retries a request on 500/502/503/504, 429 and on I/O failures before a response arrived (refused
 * connection, timeout), with the {@link RetryPolicy}'s backoff or the upstream's {@code Retry-After} when that
 * fits in what is left of the time budget. When {@code Retry-After} asks for more, the response is returned at
 * once so the caller can report how long to wait. Failures of the body after the response started are the
 * caller's to handle: nothing here can replay a half-read stream.
 */
final class RetryInterceptor implements Interceptor {

    private static final Set<Integer> RETRYABLE = Set.of(429, 500, 502, 503, 504);

    private final RetryPolicy policy;
    private final Clock clock;

    RetryInterceptor(RetryPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Duration waited = Duration.ZERO;
        Duration budget = budget(chain);
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= policy.maxAttempts();
            Response response;
            try {
                response = chain.proceed(chain.request());
            } catch (IOException e) {
                if (last || !retryable(e) || chain.call().isCanceled()) throw e;
                Duration delay = policy.backoff(attempt);
                if (waited.plus(delay).compareTo(budget) > 0) throw e;
                waited = waited.plus(delay);
                sleep(delay);
                continue;
            }
            if (last || !RETRYABLE.contains(response.code())) {
                return response;
            }
            Duration delay = policy.backoff(attempt);
            Optional<Duration> retryAfter = RetryAfter.parse(response.header("Retry-After"), clock.instant());
            if (retryAfter.isPresent()) {
                delay = retryAfter.get();
            }
            if (waited.plus(delay).compareTo(budget) > 0) {
                return response; // the caller maps it, carrying Retry-After
            }
            response.close();
            waited = waited.plus(delay);
            sleep(delay);
        }
    }

    /**
     * The most this call may spend waiting between attempts: the policy's bound, and never more than the call's own
     * deadline. A wait the call cannot live through would only hold the caller until the deadline cancels it, and
     * then lose the {@code Retry-After} the caller needs to know how long to stay away.
     */
    private Duration budget(Chain chain) {
        Duration budget = policy.maxTotalDelay();
        long callNanos = chain.call().timeout().timeoutNanos();
        if (callNanos > 0 && callNanos < budget.toNanos()) {
            return Duration.ofNanos(callNanos);
        }
        return budget;
    }

    private static boolean retryable(IOException e) {
        // Decided failures and certificate problems do not get better by asking again; a hop to TLS is not a failure.
        return !(e instanceof UpstreamFailure) && !(e instanceof TlsHopNeeded) && !(e instanceof SSLPeerUnverifiedException)
                && !(e instanceof SSLHandshakeException);
    }

    private void sleep(Duration delay) throws IOException {
        if (delay.isZero()) return;
        try {
            policy.sleeper().sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }
}
