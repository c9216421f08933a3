package net.saharasync.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingHostTest {
    /**
     * Every method of the host API, defaults included, is declared by the forwarding host: a
     * wrapper that left a default alone would run the default's code instead of the wrapped
     * host's (a test would then prove its property for a path production does not take).
     */
    @Test
    void theForwardingHostDeclaresEveryMethodOfTheHostApi() {
        List<String> missing = Arrays.stream(HostApi.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> {
                    try {
                        ForwardingHost.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                        return false;
                    } catch (NoSuchMethodException e) {
                        return true;
                    }
                })
                .map(Method::toString).toList();
        assertThat(missing).isEmpty();
    }
}
