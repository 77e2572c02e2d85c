package dev.cachalot.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The balancers whose connections may announce the client's address with a PROXY protocol header: address ranges in
 * CIDR form ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses ({@code 127.0.0.1}). Only literal addresses
 * are taken: a host name would be looked up once at start and trusted forever after, whoever holds it then.
 * {@link #NONE} (the default) trusts nobody, and the listener then reads no header at all.
 */
public final class TrustedProxies {

    /** Nobody: every connection is its own client, as without this setting. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Range> ranges;
    private final List<String> written;

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) return false;
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) return false;
            }
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private TrustedProxies(List<Range> ranges, List<String> written) {
        this.ranges = ranges;
        this.written = written;
    }

    /**
     * The ranges {@code entries} name.
     *
     * @throws IllegalArgumentException naming the first entry that is not a literal address or range, and why
     */
    public static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        List<String> written = new ArrayList<>();
        for (String entry : entries) {
            String text = entry == null ? "" : entry.strip();
            ranges.add(range(text));
            written.add(text);
        }
        return ranges.isEmpty() ? NONE : new TrustedProxies(List.copyOf(ranges), List.copyOf(written));
    }

    private static Range range(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] network = literal(text, host);
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            try {
                prefix = Integer.parseInt(digits);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits || !digits.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be a number from 0 to " + bits);
            }
        }
        Range range = new Range(network, prefix);
        byte[] masked = network.clone();
        for (int bit = prefix; bit < bits; bit++) masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        if (!Arrays.equals(masked, network)) {
            throw new IllegalArgumentException("'" + text + "' has bits set beyond its prefix; did you mean "
                    + format(masked) + "/" + prefix + "?");
        }
        return range;
    }

    private static byte[] literal(String text, String host) {
        boolean ipv4 = IPV4.matcher(host).matches() && Arrays.stream(host.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
        if (!ipv4 && !IPV6.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or address range (such as 10.0.0.0/8"
                    + " or 127.0.0.1); host names are not taken");
        }
        try {
            // A literal (checked above, octets included): no name lookup happens here.
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or address range (such as 10.0.0.0/8"
                    + " or 127.0.0.1)");
        }
    }

    private static String format(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which a parsed address never has
        }
    }

    /** True when a connection from {@code address} may announce its client's address. */
    public boolean contains(InetAddress address) {
        if (address == null || ranges.isEmpty()) return false;
        byte[] bytes = address.getAddress();
        for (Range range : ranges) {
            if (range.contains(bytes)) return true;
        }
        return false;
    }

    /** True when nobody is trusted. */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(", ", written);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedProxies other && written.equals(other.written);
    }

    @Override
    public int hashCode() {
        return written.hashCode();
    }
}
