package dev.jchat.data.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mozilla.universalchardet.UniversalDetector;

/**
 * Turns an HTML body into text. Order: a byte-order mark; strict UTF-8 (what FineWeb tried first: bytes
 * that are valid UTF-8 are almost never another encoding); the charset of the Content-Type header; a
 * {@code <meta>} charset in the first 4 KB; then statistical detection. A label that names no charset Java
 * knows is noted and skipped over. Nothing decodable → null.
 */
public final class HtmlDecoder {
    private static final int META_SCAN = 4096;
    private static final int DETECT_SCAN = 1 << 16;
    private static final Pattern HEADER_CHARSET = Pattern.compile("charset\\s*=\\s*[\"']?([^\"';\\s]+)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern META_CHARSET = Pattern.compile(
            "<meta[^>]+charset\\s*=\\s*[\"']?\\s*([a-z0-9_\\-:.]+)", Pattern.CASE_INSENSITIVE);

    private HtmlDecoder() {}

    /** The text and where its charset came from: {@code bom}, {@code utf8}, {@code header}, {@code meta}, {@code detected}. */
    public record Decoded(String text, Charset charset, String source, boolean unknownLabel) {}

    public static Decoded decode(byte[] body, String contentType) {
        if (startsWith(body, 0xEF, 0xBB, 0xBF)) {
            return new Decoded(new String(body, 3, body.length - 3, StandardCharsets.UTF_8), StandardCharsets.UTF_8,
                    "bom", false);
        }
        if (startsWith(body, 0xFE, 0xFF) || startsWith(body, 0xFF, 0xFE)) {
            return new Decoded(new String(body, StandardCharsets.UTF_16), StandardCharsets.UTF_16, "bom", false);
        }
        String strict = strictUtf8(body);
        if (strict != null) {
            return new Decoded(strict, StandardCharsets.UTF_8, "utf8", false);
        }
        boolean unknown = false;
        for (String source : new String[] {"header", "meta"}) {
            String label = source.equals("header") ? label(HEADER_CHARSET, contentType)
                    : label(META_CHARSET, new String(body, 0, Math.min(body.length, META_SCAN), StandardCharsets.ISO_8859_1));
            if (label == null) {
                continue;
            }
            Charset charset = charset(label);
            if (charset == null) {
                unknown = true;
            } else if (!charset.equals(StandardCharsets.UTF_8)) {
                return new Decoded(new String(body, charset), charset, source, unknown);
            }
        }
        Charset detected = detect(body);
        if (detected == null || detected.equals(StandardCharsets.UTF_8)) {
            return null;
        }
        return new Decoded(new String(body, detected), detected, "detected", unknown);
    }

    /**
     * The body as UTF-8 if it is valid UTF-8, else null. The lenient decoder (fast, and the same characters for
     * valid input) goes first: without a U+FFFD in its output nothing was malformed; with one, the strict
     * decoder decides, since the body may hold a U+FFFD of its own.
     */
    static String strictUtf8(byte[] body) {
        String lenient = new String(body, StandardCharsets.UTF_8);
        if (lenient.indexOf('\uFFFD') < 0) {
            return lenient;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String label(Pattern pattern, String text) {
        if (text == null) {
            return null;
        }
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    private static Charset charset(String label) {
        try {
            // WHATWG's label mapping: legacy labels decode with the superset browsers actually use
            String name = switch (label) {
                case "iso-8859-1", "latin1", "us-ascii", "ascii", "iso8859-1", "l1" -> "windows-1252";
                case "gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese", "csgb2312" -> "GB18030";
                case "big5", "big5-hkscs", "cn-big5", "x-x-big5" -> "Big5-HKSCS";
                case "shift_jis", "shift-jis", "sjis", "ms_kanji", "x-sjis" -> "windows-31j";
                case "euc-kr", "ks_c_5601-1987", "korean", "windows-949" -> "x-windows-949";
                case "iso-8859-9", "latin5" -> "windows-1254";
                case "tis-620", "iso-8859-11" -> "x-windows-874";
                default -> label;
            };
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Charset detect(byte[] body) {
        var detector = new UniversalDetector();
        detector.handleData(body, 0, Math.min(body.length, DETECT_SCAN));
        detector.dataEnd();
        String name = detector.getDetectedCharset();
        return name == null ? null : charset(name.toLowerCase(Locale.ROOT));
    }

    private static boolean startsWith(byte[] body, int... prefix) {
        if (body.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((body[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
