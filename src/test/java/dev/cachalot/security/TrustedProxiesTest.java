package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private static boolean trusts(TrustedProxies proxies, String address) throws Exception {
        return proxies.contains(InetAddress.getByName(address));
    }

    @Test
    void rangesMatchByPrefixAndSingleAddressesExactly() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.4.0/22", "127.0.0.1", "fd00::/8"));

        assertThat(trusts(proxies, "10.255.1.2")).isTrue();
        assertThat(trusts(proxies, "11.0.0.1")).isFalse();
        assertThat(trusts(proxies, "192.168.7.255")).as("last of the /22").isTrue();
        assertThat(trusts(proxies, "192.168.8.0")).as("first past the /22").isFalse();
        assertThat(trusts(proxies, "127.0.0.1")).isTrue();
        assertThat(trusts(proxies, "127.0.0.2")).isFalse();
        assertThat(trusts(proxies, "fd12:3456::1")).isTrue();
        assertThat(trusts(proxies, "fe80::1")).isFalse();
        assertThat(proxies.contains(null)).isFalse();
    }

    @Test
    void nobodyIsTrustedByDefault() throws Exception {
        assertThat(TrustedProxies.NONE.isEmpty()).isTrue();
        assertThat(TrustedProxies.parse(List.of())).isSameAs(TrustedProxies.NONE);
        assertThat(trusts(TrustedProxies.NONE, "127.0.0.1")).isFalse();
    }

    @Test
    void zeroPrefixTrustsEveryAddressOfItsFamily() throws Exception {
        TrustedProxies any4 = TrustedProxies.parse(List.of("0.0.0.0/0"));
        assertThat(trusts(any4, "203.0.113.9")).isTrue();
        assertThat(trusts(any4, "2001:db8::1")).as("an IPv4 range never matches IPv6").isFalse();
    }

    @Test
    void refusesWhatIsNotALiteralRangeSayingWhy() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
                .hasMessage("'10.0.0.0/33': the prefix length must be a number from 0 to 32");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("fd00::/129")))
                .hasMessage("'fd00::/129': the prefix length must be a number from 0 to 128");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/x"))).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.1/8")))
                .hasMessage("'10.0.0.1/8' has bits set beyond its prefix; did you mean 10.0.0.0/8?");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("300.1.2.3"))).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("localhost"))).hasMessageContaining("host names are not taken");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of(""))).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("1:2"))).hasMessageContaining("is not an IP address");
    }
}
