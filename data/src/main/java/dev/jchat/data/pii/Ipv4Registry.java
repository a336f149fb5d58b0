package dev.jchat.data.pii;

/**
 * Python's {@code ipaddress.ip_address(s)} for dotted-quad strings and {@code IPv4Address.is_global}, as in
 * current CPython (3.13, and 3.12.4+/3.11.10+ security releases), which follows the IANA IPv4
 * special-purpose address registry. An address is global unless it is in the shared address space
 * {@code 100.64.0.0/10} or in one of these "private" blocks (CPython's {@code _private_networks}):
 *
 * <pre>
 *   0.0.0.0/8          "this network"             192.168.0.0/16      private use
 *   10.0.0.0/8         private use                198.18.0.0/15       benchmarking
 *   127.0.0.0/8        loopback                   198.51.100.0/24     documentation (TEST-NET-2)
 *   169.254.0.0/16     link local                 203.0.113.0/24      documentation (TEST-NET-3)
 *   172.16.0.0/12      private use                240.0.0.0/4         reserved
 *   192.0.0.0/24       IETF protocol assignments  255.255.255.255/32  limited broadcast
 *   192.0.2.0/24       documentation (TEST-NET-1)
 * </pre>
 *
 * except {@code 192.0.0.9} (Port Control Protocol anycast) and {@code 192.0.0.10} (TURN anycast), which are
 * global. ({@code 192.0.0.170/31}, NAT64 discovery, is also listed by CPython but lies inside
 * {@code 192.0.0.0/24}.) Multicast {@code 224.0.0.0/4} is <b>global</b> in CPython and therefore here.
 *
 * <p>Python releases before that fix listed {@code 192.0.0.0/29} and {@code 192.0.0.170/31} instead of
 * {@code 192.0.0.0/24} without exceptions, so they call e.g. {@code 192.0.0.8} global; every other address
 * is classified the same by both.
 */
final class Ipv4Registry {

    /** {network, prefix length} pairs; 100.64.0.0/10 is not "private" in CPython but not global either. */
    private static final int[][] NOT_GLOBAL = {
        {ip(0, 0, 0, 0), 8},
        {ip(10, 0, 0, 0), 8},
        {ip(100, 64, 0, 0), 10},
        {ip(127, 0, 0, 0), 8},
        {ip(169, 254, 0, 0), 16},
        {ip(172, 16, 0, 0), 12},
        {ip(192, 0, 0, 0), 24},
        {ip(192, 0, 2, 0), 24},
        {ip(192, 168, 0, 0), 16},
        {ip(198, 18, 0, 0), 15},
        {ip(198, 51, 100, 0), 24},
        {ip(203, 0, 113, 0), 24},
        {ip(240, 0, 0, 0), 4},
        {ip(255, 255, 255, 255), 32},
    };

    private static final int PCP_ANYCAST = ip(192, 0, 0, 9);
    private static final int TURN_ANYCAST = ip(192, 0, 0, 10);

    private Ipv4Registry() {}

    /** {@code is_global} of the address given as its 32 bits. */
    static boolean isGlobal(int address) {
        if (address == PCP_ANYCAST || address == TURN_ANYCAST) {
            return true;
        }
        for (int[] block : NOT_GLOBAL) {
            int mask = block[1] == 0 ? 0 : -1 << (32 - block[1]);
            if ((address & mask) == block[0]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The address of a dotted quad as Python's {@code ipaddress} parses it, or -1 (as a long) when Python
     * raises {@code ValueError}: exactly four dot-separated octets of 1–3 ASCII digits, each ≤ 255, and no
     * leading zeros ({@code "0"} is fine, {@code "01"} is not; Python ≥ 3.9.5, bpo-36384).
     */
    static long parse(CharSequence text, int start, int end) {
        long address = 0;
        int octets = 0;
        int i = start;
        while (octets < 4) {
            int digitsStart = i;
            int value = 0;
            while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
                if (i - digitsStart > 3) {
                    return -1;
                }
            }
            int digits = i - digitsStart;
            if (digits == 0 || value > 255 || digits > 1 && text.charAt(digitsStart) == '0') {
                return -1;
            }
            address = address << 8 | value;
            octets++;
            if (octets < 4) {
                if (i >= end || text.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == end ? address : -1;
    }

    static long parse(CharSequence text) {
        return parse(text, 0, text.length());
    }

    private static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
