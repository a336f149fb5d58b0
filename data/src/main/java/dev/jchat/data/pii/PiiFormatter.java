package dev.jchat.data.pii;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FineWeb's last step: replaces e-mail addresses and public IPv4 addresses in the text, as datatrove
 * v0.2.0's {@code PIIFormatter} does.
 *
 * <ol>
 *   <li>E-mail addresses (datatrove's RFC-5322-style regex, see {@link EmailMatcher}; by default the v0.2.0
 *       variant whose classes are lowercase only, so {@code John.Smith@Example.com} is left alone; the
 *       2024-05 {@code A-Za-z} variant is {@link EmailCase#MIXED_CASE}) become, in turn,
 *       {@code email@example.com} and {@code firstname.lastname@example.org}.
 *   <li>Then dotted quads matched by {@code (?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(…same…)}
 *       (no word boundaries: in {@code 1234.5.6.78} the match is {@code 234.5.6.78}) that Python's
 *       {@code ipaddress.ip_address} accepts (no leading zeros) and that are global ({@link Ipv4Registry};
 *       multicast counts as global, as in CPython) become, in turn, the six addresses of
 *       {@link #IP_REPLACEMENTS}. Other matches stay as they are.
 * </ol>
 *
 * <p><b>Deliberate divergence: the round-robin restarts with every document.</b> datatrove keeps one
 * counter per formatter instance, so which placeholder replaces an address depends on how many addresses
 * the same worker saw before, i.e. on document order, task count and sharding. jchat steps are pure
 * functions shared between threads, so here each document starts at the first placeholder (its first
 * e-mail becomes {@code email@example.com}, its first public IP {@code 22.214.171.124}): the output is
 * identical across runs, worker counts and executors (local or Spark). The set of placeholders and the
 * positions replaced are exactly datatrove's.
 *
 * <p>Counters: {@code email} and {@code ip}, the number of addresses replaced. Documents without PII come
 * back as the same instance. Immutable and thread-safe.
 */
public final class PiiFormatter implements DocumentStep {

    public static final String NAME = "pii";
    public static final String EMAIL = "email";
    public static final String IP = "ip";

    /** datatrove's e-mail placeholders ({@code example.com/org} are reserved for examples). */
    public static final List<String> EMAIL_REPLACEMENTS = List.of("email@example.com", "firstname.lastname@example.org");
    /** datatrove's IP placeholders ("randomly generated; did not respond to ping when the list was made"). */
    public static final List<String> IP_REPLACEMENTS = List.of(
            "22.214.171.124", "126.96.36.199", "188.8.131.52", "184.108.40.206", "220.127.116.11", "18.104.22.168");

    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)");

    /** Which character classes the e-mail regex uses. */
    public enum EmailCase {
        /** {@code [a-z0-9…]}: datatrove v0.2.0, the version that produced FineWeb. */
        LOWERCASE,
        /** {@code [A-Za-z0-9…]}: datatrove since 2024-05-02 (HEAD). */
        MIXED_CASE
    }

    /**
     * @param removeEmails replace e-mail addresses (FineWeb: true)
     * @param removeIps replace IPv4 addresses (FineWeb: true)
     * @param onlyPublicIps replace only global addresses; when false every address {@code ipaddress} accepts
     *     is replaced (FineWeb: true)
     * @param emailCase the e-mail regex variant (FineWeb: {@link EmailCase#LOWERCASE})
     * @param emailReplacements placeholders used in turn for e-mail addresses (non-empty)
     * @param ipReplacements placeholders used in turn for IP addresses (non-empty)
     */
    public record Params(
            boolean removeEmails,
            boolean removeIps,
            boolean onlyPublicIps,
            EmailCase emailCase,
            List<String> emailReplacements,
            List<String> ipReplacements) {

        public static final Params FINEWEB =
                new Params(true, true, true, EmailCase.LOWERCASE, EMAIL_REPLACEMENTS, IP_REPLACEMENTS);

        public Params {
            Objects.requireNonNull(emailCase, "emailCase");
            emailReplacements = List.copyOf(emailReplacements);
            ipReplacements = List.copyOf(ipReplacements);
            if (emailReplacements.isEmpty() || ipReplacements.isEmpty()) {
                throw new IllegalArgumentException("replacement lists must not be empty");
            }
        }

        public Params withEmailCase(EmailCase value) {
            return new Params(removeEmails, removeIps, onlyPublicIps, value, emailReplacements, ipReplacements);
        }
    }

    /** The rewritten text and how many addresses were replaced. */
    public record Result(String text, int emails, int ips) {}

    private final Params params;
    private final EmailMatcher emails;

    public PiiFormatter(Params params) {
        this.params = Objects.requireNonNull(params, "params");
        this.emails = new EmailMatcher(params.emailCase() == EmailCase.MIXED_CASE);
    }

    /** FineWeb's PII step: datatrove v0.2.0 defaults. */
    public static PiiFormatter fineweb() {
        return new PiiFormatter(Params.FINEWEB);
    }

    public Params params() {
        return params;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        Result result = format(document.text());
        stats.add(EMAIL, result.emails());
        stats.add(IP, result.ips());
        return Outcome.keep(result.emails() + result.ips() == 0 ? document : document.withText(result.text()));
    }

    /** The text with its PII replaced; the same String instance when there is none. */
    public Result format(String text) {
        String out = text;
        int emailCount = 0;
        int ipCount = 0;
        if (params.removeEmails() && out.indexOf('@') >= 0) {
            var sb = new StringBuilder(out.length());
            int last = 0;
            for (long m; (m = emails.find(out, last)) >= 0; ) {
                int start = (int) (m >>> 32);
                int end = (int) m;
                sb.append(out, last, start).append(pick(params.emailReplacements(), emailCount++));
                last = end;
            }
            if (emailCount > 0) {
                out = sb.append(out, last, out.length()).toString();
            }
        }
        if (params.removeIps()) {
            Matcher m = IPV4.matcher(out);
            StringBuilder sb = null;
            int last = 0;
            while (m.find()) {
                long address = Ipv4Registry.parse(out, m.start(), m.end());
                if (address < 0 || params.onlyPublicIps() && !Ipv4Registry.isGlobal((int) address)) {
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder(out.length());
                }
                sb.append(out, last, m.start()).append(pick(params.ipReplacements(), ipCount++));
                last = m.end();
            }
            if (sb != null) {
                out = sb.append(out, last, out.length()).toString();
            }
        }
        return new Result(out, emailCount, ipCount);
    }

    private static String pick(List<String> replacements, int index) {
        return replacements.get(index % replacements.size());
    }
}
