package dev.jchat.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarcDocumentReaderTest {

    record Read(List<Document> documents, StepStats stats) {}

    static Read read(Path path) throws IOException {
        var documents = new ArrayList<Document>();
        var stats = new StepStats("reader");
        DocumentReader.forFile(path).read(path, documents::add, stats);
        return new Read(documents, stats);
    }

    static Read shared(String name) throws IOException {
        return read(SharedData.path("warc/" + name));
    }

    @Test
    void commonCrawlExcerptYieldsItsHtmlResponses() throws IOException {
        Read whirlwind = shared("whirlwind.warc.gz");
        assertEquals(1, whirlwind.documents().size());
        Document page = whirlwind.documents().getFirst();
        assertEquals("https://an.wikipedia.org/wiki/Escopete", page.url());
        assertEquals("<urn:uuid:2aabeff2-67f5-4608-8466-e87c6296e2b6>", page.id());
        assertEquals("2024-05-18T01:58:10Z", page.get(Document.DATE));
        assertTrue(page.text().contains("<html") && page.text().contains("Escopete"));
        assertEquals(1, whirlwind.stats().count("skipped_request"));
        assertEquals(1, whirlwind.stats().count("skipped_metadata"));
        assertEquals(1, whirlwind.stats().count("skipped_warcinfo"));
    }

    @Test
    void multilingualExcerptDecodesEveryCharsetWithoutReplacementCharacters() throws IOException {
        Read read = shared("resiliparse-cc-main-2020-34.warc.gz");
        assertEquals(16, read.documents().size());
        assertEquals(17, read.stats().count("skipped_request"));
        assertEquals(16, read.stats().count("skipped_metadata"));
        for (Document d : read.documents()) {
            long replaced = d.text().chars().filter(c -> c == '\uFFFD').count();
            assertTrue(replaced < 5, d.url() + " has " + replaced + " replacement characters");
        }
        Document chinese = read.documents().stream().filter(d -> d.url().equals("http://037426.cn/")).findFirst().orElseThrow();
        assertTrue(chinese.text().codePoints().anyMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN));
        Document russian = read.documents().stream().filter(d -> d.url().equals("http://01spb.ru/company/")).findFirst().orElseThrow();
        assertTrue(russian.text().codePoints().anyMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.CYRILLIC));
    }

    @Test
    void wgetCrawlsWithoutPayloadTypeAreSniffedFromContentType() throws IOException {
        assertEquals(22, shared("dolma-sample-0000.warc.gz").documents().size());
        Read second = shared("dolma-sample-0001.warc.gz");
        assertEquals(15, second.documents().size());
        assertEquals("https://creativecommons.org/", second.documents().getFirst().url());
        assertEquals(2, second.stats().count("skipped_resource"));
    }

    @Test
    void revisitsAndRequestsAreSkippedAndCounted() throws IOException {
        Read read = shared("warcio-example.warc.gz");
        assertEquals(1, read.documents().size());
        assertEquals(1, read.stats().count("skipped_revisit"));
        assertEquals(2, read.stats().count("skipped_request"));
    }

    @Test
    void truncatedGzipKeepsTheRecordsBeforeTheDamage(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(SharedData.path("warc/dolma-sample-0000.warc.gz"));
        Path truncated = dir.resolve("truncated.warc.gz");
        Files.write(truncated, Arrays.copyOf(whole, whole.length * 2 / 3));
        Read read = read(truncated);
        assertTrue(read.documents().size() >= 10 && read.documents().size() < 22, "" + read.documents().size());
        assertEquals(1, read.stats().count("skipped_damaged"));
    }

    @Test
    void garbageBetweenRecordsIsSkippedAndReadingResumes(@TempDir Path dir) throws IOException {
        var warc = new ByteArrayOutputStream();
        warc.write(response("http://a.test/", "text/html; charset=utf-8", "<html><body>first</body></html>"));
        warc.write("this is not a WARC record at all\r\n\r\n\u0000\u0001garbage".getBytes(StandardCharsets.ISO_8859_1));
        warc.write(response("http://b.test/", "text/html", "<html><body>second</body></html>"));
        Path file = dir.resolve("garbage.warc");
        Files.write(file, warc.toByteArray());
        Read read = read(file);
        assertEquals(List.of("http://a.test/", "http://b.test/"), read.documents().stream().map(Document::url).toList());
        assertEquals(1, read.stats().count("skipped_damaged"));
    }

    @Test
    void garbageBetweenGzipMembersIsSkippedAndReadingResumes(@TempDir Path dir) throws IOException {
        var warc = new ByteArrayOutputStream();
        warc.write(gzip(response("http://a.test/", "text/html", "<html><body>first</body></html>")));
        warc.write(gzip("WARC/1.0\r\nContent-Length: oops\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        warc.write(gzip(response("http://b.test/", "text/html", "<html><body>second</body></html>")));
        Path file = dir.resolve("garbage.warc.gz");
        Files.write(file, warc.toByteArray());
        Read read = read(file);
        assertEquals(List.of("http://a.test/", "http://b.test/"), read.documents().stream().map(Document::url).toList());
        assertTrue(read.stats().count("skipped_damaged") + read.stats().count("skipped_bad_record") >= 1);
    }

    @Test
    void bogusCharsetLabelFallsBackAndIsCounted(@TempDir Path dir) throws IOException {
        Charset latin = Charset.forName("windows-1252");
        byte[] html = "<html><body>Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade</body></html>".getBytes(latin);
        Path file = dir.resolve("bogus.warc");
        Files.write(file, response("http://c.test/", "text/html; charset=no-such-charset-x", html));
        Read read = read(file);
        assertEquals(1, read.documents().size());
        assertEquals(1, read.stats().count("charset_label_unknown"));
        assertTrue(read.documents().getFirst().text().contains("na\u00efve"), read.documents().getFirst().text());
    }

    @Test
    void hugePageIsSkippedWithoutReadingItIntoMemory(@TempDir Path dir) throws IOException {
        byte[] page = new byte[50 << 20];
        Arrays.fill(page, (byte) 'a');
        System.arraycopy("<html><body>".getBytes(StandardCharsets.US_ASCII), 0, page, 0, 12);
        var warc = new ByteArrayOutputStream();
        warc.write(response("http://big.test/", "text/html", page));
        warc.write(response("http://small.test/", "text/html", "<html><body>small</body></html>"));
        Path file = dir.resolve("big.warc");
        Files.write(file, warc.toByteArray());
        Read read = read(file);
        assertEquals(List.of("http://small.test/"), read.documents().stream().map(Document::url).toList());
        assertEquals(1, read.stats().count("skipped_too_large"));
    }

    @Test
    void nonHtmlResponsesAreSkipped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pdf.warc");
        Files.write(file, response("http://d.test/x.pdf", "application/pdf", "%PDF-1.4 binary"));
        Read read = read(file);
        assertEquals(0, read.documents().size());
        assertEquals(1, read.stats().count("skipped_not_html"));
    }

    static byte[] response(String url, String contentType, String body) {
        return response(url, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] response(String url, String contentType, byte[] body) {
        var http = new ByteArrayOutputStream();
        http.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        http.writeBytes(body);
        byte[] block = http.toByteArray();
        var record = new ByteArrayOutputStream();
        record.writeBytes(("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:" + java.util.UUID.nameUUIDFromBytes(url.getBytes())
                + ">\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: " + url
                + "\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: " + block.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        record.writeBytes(block);
        record.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return record.toByteArray();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
