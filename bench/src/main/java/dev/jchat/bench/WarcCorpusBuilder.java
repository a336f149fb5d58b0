package dev.jchat.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

/**
 * Writes the data-pipeline benchmark corpus: real HTML pages as Common Crawl-style WARC.gz {@code response}
 * records (HTTP status line and headers, {@code WARC-Identified-Payload-Type}), shuffled with a fixed seed and
 * dealt round-robin into {@code FILES} files, so every file (one pipeline task) has the same mix of sources.
 * The output depends only on the inputs: record ids are name-based UUIDs of the URL, dates count up from
 * 2024-05-20.
 *
 * <pre>
 * WarcCorpusBuilder OUT_DIR FILES SOURCE...
 *   SOURCE = html:DIR:URL_PREFIX   every *.html / *.htm under DIR; URL = URL_PREFIX + path relative to DIR;
 *                                  HTTP Content-Type "text/html" without charset (the page's meta or the
 *                                  detector decides, as for many real servers)
 *            mail:DIR:URL_PREFIX   every raw e-mail under DIR: its MIME text/html parts (quoted-printable and
 *                                  base64 decoded), Content-Type with the part's charset when it has one
 * </pre>
 *
 * Written by {@code bench/build-warc.sh}; read by {@link DataBench}.
 */
public final class WarcCorpusBuilder {
    private static final Instant START = Instant.parse("2024-05-20T00:00:00Z");
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*\"?([^\";\\s]+)\"?");
    private static final Pattern CHARSET = Pattern.compile("(?i)charset\\s*=\\s*\"?([^\";\\s]+)\"?");
    private static final Pattern FROM_DOMAIN = Pattern.compile("@([A-Za-z0-9.-]+\\.[A-Za-z]{2,})");

    /** One page to write: its URL, HTTP Content-Type and body bytes. */
    record Page(String url, String contentType, byte[] body) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: WarcCorpusBuilder OUT_DIR FILES SOURCE...\n"
                    + "  SOURCE = html:DIR:URL_PREFIX | mail:DIR:URL_PREFIX");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int files = Integer.parseInt(args[1]);
        var pages = new ArrayList<Page>();
        for (int i = 2; i < args.length; i++) {
            String[] parts = args[i].split(":", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("bad source " + args[i]);
            }
            Path dir = Path.of(parts[1]);
            int before = pages.size();
            switch (parts[0]) {
                case "html" -> htmlPages(dir, parts[2], pages);
                case "mail" -> mailPages(dir, parts[2], pages);
                default -> throw new IllegalArgumentException("bad source kind " + parts[0]);
            }
            System.out.printf("%-6s %6d pages  %s%n", parts[0], pages.size() - before, dir);
        }
        Collections.shuffle(pages, new Random(20240520));
        Files.createDirectories(out);
        long bytes = 0;
        var writers = new ArrayList<WarcWriter>();
        var channels = new ArrayList<FileChannel>();
        try {
            for (int f = 0; f < files; f++) {
                FileChannel channel = FileChannel.open(out.resolve("bench-%05d.warc.gz".formatted(f)),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                channels.add(channel);
                writers.add(new WarcWriter(channel, WarcCompression.GZIP));
            }
            for (int i = 0; i < pages.size(); i++) {
                Page page = pages.get(i);
                var http = new HttpResponse.Builder(200, "OK")
                        .addHeader("Content-Type", page.contentType())
                        .addHeader("Content-Length", Integer.toString(page.body().length))
                        .addHeader("Server", "Apache")
                        .body(null, page.body())
                        .build();
                var record = new WarcResponse.Builder(URI.create(page.url()))
                        .recordId(UUID.nameUUIDFromBytes(page.url().getBytes(StandardCharsets.UTF_8)))
                        .date(START.plusSeconds(i))
                        .identifiedPayloadType("text/html")
                        .body(http)
                        .build();
                writers.get(i % files).write(record);
                bytes += page.body().length;
            }
        } finally {
            for (WarcWriter w : writers) {
                w.close();
            }
            for (FileChannel c : channels) {
                c.close();
            }
        }
        System.out.printf("wrote %d pages (%.1f MB of HTML) into %d files under %s%n", pages.size(), bytes / 1e6,
                files, out);
    }

    private static void htmlPages(Path dir, String urlPrefix, List<Page> pages) throws IOException {
        for (Path file : sortedFiles(dir)) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!name.endsWith(".html") && !name.endsWith(".htm")) {
                continue;
            }
            String relative = dir.relativize(file).toString().replace('\\', '/');
            pages.add(new Page(urlPrefix + encodePath(relative), "text/html", Files.readAllBytes(file)));
        }
    }

    private static void mailPages(Path dir, String urlPrefix, List<Page> pages) throws IOException {
        for (Path file : sortedFiles(dir)) {
            if (file.getFileName().toString().endsWith(".json")) {
                continue;
            }
            String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            var parts = new ArrayList<Page>();
            String relative = dir.relativize(file).toString().replace('\\', '/');
            htmlParts(raw, parts);
            Matcher from = FROM_DOMAIN.matcher(header(headers(raw), "from"));
            String host = from.find() ? from.group(1).toLowerCase(Locale.ROOT) : null;
            for (int k = 0; k < parts.size(); k++) {
                String url = (host != null ? "http://www." + host + "/" : urlPrefix)
                        + encodePath(relative.replace(".txt", "")) + (k > 0 ? "-" + k : "") + ".html";
                pages.add(new Page(url, parts.get(k).contentType(), parts.get(k).body()));
            }
        }
    }

    /** The text/html leaves of a MIME message (raw bytes as ISO-8859-1 chars), decoded. */
    static void htmlParts(String message, List<Page> out) {
        String headers = headers(message);
        String body = body(message);
        String type = header(headers, "content-type");
        String lowerType = type.toLowerCase(Locale.ROOT);
        if (lowerType.startsWith("multipart/")) {
            Matcher b = BOUNDARY.matcher(type);
            if (!b.find()) {
                return;
            }
            String delimiter = "--" + b.group(1);
            int at = body.indexOf(delimiter);
            while (at >= 0) {
                int start = body.indexOf('\n', at);
                if (start < 0 || body.startsWith(delimiter + "--", at)) {
                    break;
                }
                int next = body.indexOf(delimiter, start);
                String part = body.substring(start + 1, next < 0 ? body.length() : next);
                htmlParts(part, out);
                at = next;
            }
        } else if (lowerType.startsWith("text/html")) {
            String encoding = header(headers, "content-transfer-encoding").trim().toLowerCase(Locale.ROOT);
            byte[] bytes = switch (encoding) {
                case "quoted-printable" -> quotedPrintable(body);
                case "base64" -> base64(body);
                default -> body.getBytes(StandardCharsets.ISO_8859_1);
            };
            Matcher charset = CHARSET.matcher(type);
            String contentType = charset.find() ? "text/html; charset=" + charset.group(1) : "text/html";
            if (bytes.length > 0) {
                out.add(new Page(null, contentType, bytes));
            }
        }
    }

    private static String headers(String message) {
        int end = headerEnd(message);
        return end < 0 ? message : message.substring(0, end);
    }

    private static String body(String message) {
        int end = headerEnd(message);
        if (end < 0) {
            return "";
        }
        return message.substring(message.startsWith("\r\n", end) ? end + 4 : end + 2);
    }

    private static int headerEnd(String message) {
        int lf = message.indexOf("\n\n");
        int crlf = message.indexOf("\r\n\r\n");
        if (lf < 0 || (crlf >= 0 && crlf < lf)) {
            return crlf;
        }
        return lf;
    }

    /** The first header of that name (case-insensitive), folded lines joined; "" when absent. */
    private static String header(String headers, String name) {
        String[] lines = headers.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) {
                var value = new StringBuilder(lines[i].substring(colon + 1).trim());
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                        && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    value.append(' ').append(lines[++i].trim());
                }
                return value.toString();
            }
        }
        return "";
    }

    private static byte[] quotedPrintable(String s) {
        var out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=' && i + 1 < s.length()) {
                if (s.charAt(i + 1) == '\n') {
                    i++;
                    continue;
                }
                if (s.charAt(i + 1) == '\r' && i + 2 < s.length() && s.charAt(i + 2) == '\n') {
                    i += 2;
                    continue;
                }
                if (i + 2 < s.length()) {
                    int hi = Character.digit(s.charAt(i + 1), 16);
                    int lo = Character.digit(s.charAt(i + 2), 16);
                    if (hi >= 0 && lo >= 0) {
                        out.write(hi * 16 + lo);
                        i += 2;
                        continue;
                    }
                }
            }
            out.write(c);
        }
        return out.toByteArray();
    }

    private static byte[] base64(String s) {
        try {
            return Base64.getMimeDecoder().decode(s.trim());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static String encodePath(String path) {
        var b = new StringBuilder();
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    private static List<Path> sortedFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private WarcCorpusBuilder() {}
}
