package dev.cachalot.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that must not share the machine with another one: it starts a whole cluster (PostgreSQL, S3Proxy,
 * several engine JVMs, HAProxy) or drives load through the benchmark. The build runs the other classes two at a time
 * (two forked JVMs) and these afterwards, one at a time ({@code pom.xml}, execution {@code runs-alone}), so their
 * start-up deadlines are not eaten by a neighbour.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {
    String TAG = "runs-alone";
}
