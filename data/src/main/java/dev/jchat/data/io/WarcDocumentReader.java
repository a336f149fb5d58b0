package dev.jchat.data.io;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Optional;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcTargetRecord;

/**
 * Common Crawl WARC (and WARC.gz) files: {@code response} records with an HTML payload become documents
 * whose text is the decoded HTML, as datatrove's WarcReader does; WET files ({@code *.wet}): {@code
 * conversion} records, already plain text. Every other record is skipped and counted by type
 * ({@code skipped_request}, {@code skipped_revisit}, {@code skipped_not_html}, …).
 *
 * <p>The payload type comes from {@code WARC-Identified-Payload-Type}, else the HTTP Content-Type, else
 * a look at the first bytes. Bodies over {@code maxBytes} are skipped ({@code skipped_too_large}) without
 * being read into memory.
 */
public final class WarcDocumentReader implements DocumentReader {
    /** Larger pages are almost always binary mislabelled as HTML, or traps. */
    public static final int DEFAULT_MAX_BYTES = 10 << 20;

    private final boolean wet;
    private final int maxBytes;
    private final String dump;

    public WarcDocumentReader(boolean wet, int maxBytes, String dump) {
        this.wet = wet;
        this.maxBytes = maxBytes;
        this.dump = dump;
    }

    WarcDocumentReader(boolean wet) {
        this(wet, DEFAULT_MAX_BYTES, null);
    }

    @Override
    public boolean producesHtml() {
        return !wet;
    }

    @Override
    public void read(Path file, DocumentSink sink, StepStats stats) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = 0;
            while (start >= 0) {
                channel.position(start);
                start = readFrom(channel, file, sink, stats);
            }
        }
    }

    /**
     * Reads records from the channel's position until the end (returns -1) or until a record cannot be
     * parsed; then returns where the next record seems to start, so one damaged record does not lose
     * the rest of the file.
     */
    private long readFrom(FileChannel channel, Path file, DocumentSink sink, StepStats stats) throws IOException {
        var warc = new WarcReader(channel);
        warc.onWarning(message -> stats.increment("warc_warning"));
        while (true) {
            // jwarc reports the file offset of the record it returned last: a search for the next one starts there
            long at = warc.position();
            Optional<WarcRecord> next;
            try {
                next = warc.next();
            } catch (IOException | RuntimeException e) {
                long resume = RecordBoundary.next(channel, at + 1, warc.compression() == WarcCompression.GZIP);
                stats.increment("skipped_damaged");
                Warnings.warn(file + " after byte " + at + ": damaged record skipped ("
                        + (resume < 0 ? "no further records" : "resuming at byte " + resume) + "): " + e.getMessage());
                return resume;
            }
            if (next.isEmpty()) {
                return trailingGarbage(channel, warc.position(), warc, file, stats);
            }
            WarcRecord record = next.get();
            stats.increment("records");
            Document document;
            try {
                document = wet ? fromConversion(record, file, stats) : fromResponse(record, file, stats);
            } catch (IOException | RuntimeException e) {
                stats.increment("skipped_bad_record");
                Warnings.warn(file + " record " + record.id() + ": skipped: " + e.getMessage());
                continue;
            }
            if (document != null) {
                stats.increment("documents");
                sink.accept(document);
            }
        }
    }

    /** jwarc ends quietly at bytes it cannot parse: if real data is left, skip to the next record. */
    private long trailingGarbage(FileChannel channel, long at, WarcReader warc, Path file, StepStats stats)
            throws IOException {
        if (at >= channel.size() || onlyWhitespaceLeft(channel, at)) {
            return -1;
        }
        long resume = RecordBoundary.next(channel, at + 1, warc.compression() == WarcCompression.GZIP);
        stats.increment("skipped_damaged");
        Warnings.warn(file + " at byte " + at + ": unparseable bytes skipped ("
                + (resume < 0 ? "no further records" : "resuming at byte " + resume) + ")");
        return resume;
    }

    private static boolean onlyWhitespaceLeft(FileChannel channel, long at) throws IOException {
        var buffer = java.nio.ByteBuffer.allocate((int) Math.min(4096, channel.size() - at));
        channel.read(buffer, at);
        for (int i = 0; i < buffer.position(); i++) {
            byte b = buffer.get(i);
            if (b != '\r' && b != '\n' && b != ' ' && b != 0) {
                return false;
            }
        }
        return channel.size() - at <= 4096;
    }

    private Document fromResponse(WarcRecord record, Path file, StepStats stats) throws IOException {
        if (!(record instanceof WarcResponse response)) {
            stats.increment("skipped_" + record.type().toLowerCase(Locale.ROOT));
            return null;
        }
        HttpResponse http = response.http();
        String contentType = http.headers().first("Content-Type").orElse(null);
        Optional<MediaType> identified = response.identifiedPayloadType();
        byte[] body = readBounded(http.bodyDecoded().stream(), stats);
        if (body == null) {
            return null;
        }
        boolean html = identified.map(WarcDocumentReader::isHtml)
                .orElseGet(() -> contentType != null ? isHtml(MediaType.parseLeniently(contentType)) : looksLikeHtml(body));
        if (!html) {
            stats.increment("skipped_not_html");
            return null;
        }
        HtmlDecoder.Decoded decoded = HtmlDecoder.decode(body, contentType);
        if (decoded == null) {
            stats.increment("skipped_undecodable");
            return null;
        }
        if (decoded.unknownLabel()) {
            stats.increment("charset_label_unknown");
        }
        stats.increment("charset_" + decoded.source());
        return document(response, decoded.text(), file);
    }

    private Document fromConversion(WarcRecord record, Path file, StepStats stats) throws IOException {
        if (!(record instanceof WarcConversion conversion)) {
            stats.increment("skipped_" + record.type().toLowerCase(Locale.ROOT));
            return null;
        }
        byte[] body = readBounded(conversion.body().stream(), stats);
        return body == null ? null : document(conversion, new String(body, StandardCharsets.UTF_8), file);
    }

    private Document document(WarcTargetRecord record, String text, Path file) {
        var metadata = new LinkedHashMap<String, Object>();
        metadata.put(Document.URL, record.target());
        metadata.put(Document.DATE, record.date().toString());
        if (dump != null) {
            metadata.put(Document.DUMP, dump);
        }
        metadata.put(Document.FILE_PATH, file.toString());
        return new Document(text, "<" + record.id() + ">", metadata);
    }

    private byte[] readBounded(InputStream in, StepStats stats) throws IOException {
        byte[] body = in.readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            stats.increment("skipped_too_large");
            return null;
        }
        return body;
    }

    private static boolean isHtml(MediaType type) {
        String base = type.base().toString().toLowerCase(Locale.ROOT);
        return base.equals("text/html") || base.equals("application/xhtml+xml");
    }

    private static boolean looksLikeHtml(byte[] body) {
        String start = new String(body, 0, Math.min(body.length, 1024), StandardCharsets.ISO_8859_1)
                .stripLeading().toLowerCase(Locale.ROOT);
        return start.startsWith("<!doctype html") || start.startsWith("<html") || start.contains("<body");
    }
}
