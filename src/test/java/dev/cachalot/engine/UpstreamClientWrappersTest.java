package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.upstream.DeferredUpstreamClient;
import dev.cachalot.upstream.UpstreamClient;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A wrapper that leaves one of {@link UpstreamClient}'s default methods to the interface silently replaces the real
 * client's behaviour with the default's (the metrics wrapper once paged tags through the default, which fetches the
 * whole list: the bound on upstream answers was lost). Every wrapper forwards every method.
 */
class UpstreamClientWrappersTest {

    @ParameterizedTest
    @ValueSource(classes = {ObservedUpstreamClient.class, DeferredUpstreamClient.class})
    void aWrapperForwardsEveryMethodOfTheUpstreamClient(Class<?> wrapper) throws NoSuchMethodException {
        List<String> inherited = new ArrayList<>();
        for (Method method : UpstreamClient.class.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) continue;
            Method implementation = wrapper.getMethod(method.getName(), method.getParameterTypes());
            if (implementation.getDeclaringClass() != wrapper) inherited.add(method.toString());
        }
        assertThat(inherited).as("methods %s leaves to %s", wrapper.getSimpleName(), UpstreamClient.class.getSimpleName())
                .isEmpty();
    }
}
