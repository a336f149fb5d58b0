package dev.jchat.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The documents a tokenizer trains on, read from files.
 *
 * <p>Arguments are files, directories (every regular file below, hidden ones excluded, in path order) or
 * globs ({@code data/*.jsonl.zst}, {@code corpus/**.txt}; Java's glob syntax, matched below the part of
 * the argument before the first wildcard). A file's format follows its name, after removing a {@code .gz}
 * or {@code .zst} compression suffix:
 * <ul>
 *   <li>{@code .jsonl}, {@code .ndjson}, {@code .json} (JSON Lines, as C4's {@code .json.gz} files are): one
 *       JSON object per line, whose {@code text} string field is the document. A line that is not such an
 *       object is skipped: counted by reason in {@link Stats} and logged as a warning naming
 *       {@code file:line}. Blank lines are ignored.</li>
 *   <li>anything else: plain text, one document per line with its line ending kept (as HF tokenizers'
 *       trainer reads text files), so that newlines reach the tokenizer.</li>
 * </ul>
 * Bytes that are not valid UTF-8 decode as U+FFFD. Each document is cut to its first {@code maxChars}
 * chars (one fewer where the cut would split a surrogate pair); the rest of a long plain-text line is
 * skipped without being held in memory.
 */
public final class TrainingCorpus {
    private static final System.Logger LOG = System.getLogger(TrainingCorpus.class.getName());
    private static final JsonFactory JSON = new JsonFactory();
    /** Bad lines logged one by one per read; later ones are only counted. */
    private static final int MAX_WARNINGS = 20;

    private final List<Path> files;
    private final long totalBytes;

    private TrainingCorpus(List<Path> files) {
        this.files = List.copyOf(files);
        long total = 0;
        for (Path file : files) {
            try {
                total += Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        this.totalBytes = total;
    }

    /** The corpus of the given files, directories and globs, in argument order. */
    public static TrainingCorpus of(List<String> pathsOrGlobs) {
        var files = new ArrayList<Path>();
        for (String arg : pathsOrGlobs) {
            files.addAll(resolve(arg));
        }
        return new TrainingCorpus(files);
    }

    public static TrainingCorpus of(String... pathsOrGlobs) {
        return of(List.of(pathsOrGlobs));
    }

    /** The files, in reading order. */
    public List<Path> files() {
        return files;
    }

    /** Size of the files on disk (compressed where they are): the scale of {@link DocumentSink}'s progress. */
    public long totalBytes() {
        return totalBytes;
    }

    /** Receives each document and how many file bytes (compressed, on disk) have been read so far. */
    @FunctionalInterface
    public interface DocumentSink {
        void document(String text, long bytesRead);
    }

    /**
     * What one read found: documents passed on, their chars (after the cap), and the lines skipped, by
     * reason, with the first warnings spelled out.
     */
    public record Stats(int files, long documents, long chars, long skippedLines, Map<String, Long> skippedByReason,
                        List<String> warnings) {}

    /** Reads every document, in order, cut to {@code maxChars} chars, into {@code sink}. */
    public Stats read(int maxChars, DocumentSink sink) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1, got " + maxChars);
        }
        var reading = new Reading(maxChars, sink);
        for (Path file : files) {
            reading.file(file);
        }
        return reading.stats();
    }

    /** The length of the first {@code maxChars} chars of {@code text}, one fewer where that splits a pair. */
    static int cappedLength(CharSequence text, int maxChars) {
        if (text.length() <= maxChars) {
            return text.length();
        }
        boolean splitsPair = Character.isHighSurrogate(text.charAt(maxChars - 1))
                && Character.isLowSurrogate(text.charAt(maxChars));
        return splitsPair ? maxChars - 1 : maxChars;
    }

    private static List<Path> resolve(String arg) {
        int wildcard = firstWildcard(arg);
        if (wildcard < 0) {
            Path path = Path.of(arg);
            if (Files.isRegularFile(path)) {
                return List.of(path);
            }
            if (Files.isDirectory(path)) {
                return walk(path, file -> true);
            }
            throw new IllegalArgumentException("no such file or directory: " + arg);
        }
        int slash = arg.lastIndexOf('/', wildcard);
        Path base = Path.of(slash < 0 ? "." : arg.substring(0, slash + 1));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + arg.substring(slash + 1));
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("no such directory " + base + " for the pattern " + arg);
        }
        List<Path> matched = walk(base, file -> matcher.matches(base.relativize(file)));
        if (matched.isEmpty()) {
            throw new IllegalArgumentException("no files match " + arg);
        }
        return matched;
    }

    private static int firstWildcard(String arg) {
        for (int i = 0; i < arg.length(); i++) {
            if ("*?[{".indexOf(arg.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static List<Path> walk(Path dir, Predicate<Path> filter) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile)
                    .filter(file -> !isHidden(dir.relativize(file)))
                    .filter(filter)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The state of one read: counts, and the bytes read of the files before the current one. */
    private static final class Reading {
        private final int maxChars;
        private final DocumentSink sink;
        private final Map<String, Long> skipped = new TreeMap<>();
        private final List<String> warnings = new ArrayList<>();
        private int fileCount;
        private long documents;
        private long chars;
        private long skippedLines;
        private long bytesBefore;
        private CountingInputStream current;

        Reading(int maxChars, DocumentSink sink) {
            this.maxChars = maxChars;
            this.sink = sink;
        }

        void file(Path file) {
            String name = file.getFileName().toString();
            String format = name.replaceFirst("\\.(gz|zst)$", "");
            try (InputStream raw = Files.newInputStream(file)) {
                current = new CountingInputStream(raw);
                InputStream in = decompressed(name, new BufferedInputStream(current, 1 << 16));
                var reader = new InputStreamReader(in, StandardCharsets.UTF_8);
                if (format.endsWith(".jsonl") || format.endsWith(".ndjson") || format.endsWith(".json")) {
                    readJsonLines(file, new BufferedReader(reader, 1 << 16));
                } else {
                    readLines(reader);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            bytesBefore += current.count;
            current = null;
            fileCount++;
        }

        private static InputStream decompressed(String name, InputStream in) throws IOException {
            if (name.endsWith(".gz")) {
                return new GZIPInputStream(in, 1 << 16);
            }
            if (name.endsWith(".zst")) {
                return new ZstdInputStream(in);
            }
            return in;
        }

        /** Plain text: one document per line, ending included; chars past the cap are read but not kept. */
        private void readLines(Reader reader) throws IOException {
            char[] buffer = new char[1 << 16];
            int keep = maxChars == Integer.MAX_VALUE ? maxChars : maxChars + 1; // +1 to see a split pair
            var line = new StringBuilder();
            int n;
            while ((n = reader.read(buffer)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        append(line, buffer, from, i + 1, keep);
                        emit(line);
                        from = i + 1;
                    }
                }
                append(line, buffer, from, n, keep);
            }
            if (!line.isEmpty()) {
                emit(line);
            }
        }

        private static void append(StringBuilder line, char[] buffer, int from, int to, int keep) {
            int room = keep - line.length();
            line.append(buffer, from, Math.max(0, Math.min(to - from, room)));
        }

        private void emit(StringBuilder line) {
            document(line.substring(0, cappedLength(line, maxChars)));
            line.setLength(0);
        }

        private void readJsonLines(Path file, BufferedReader reader) throws IOException {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    String text = textField(line);
                    if (text == null) {
                        skip(file, number, "no \"text\" string field", null);
                    } else {
                        document(text.substring(0, cappedLength(text, maxChars)));
                    }
                } catch (IOException e) {
                    skip(file, number, "malformed JSON", e.getMessage());
                }
            }
        }

        /** The {@code text} field of a JSON object, or null if it has none that is a string. */
        private static String textField(String line) throws IOException {
            try (JsonParser parser = JSON.createParser(line)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("not a JSON object");
                }
                String text = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("text") && value == JsonToken.VALUE_STRING) {
                        text = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
                if (parser.nextToken() != null) {
                    throw new IOException("more after the object");
                }
                return text;
            }
        }

        private void document(String text) {
            documents++;
            chars += text.length();
            sink.document(text, bytesBefore + current.count);
        }

        private void skip(Path file, long line, String reason, String detail) {
            skippedLines++;
            skipped.merge(reason, 1L, Long::sum);
            if (warnings.size() < MAX_WARNINGS) {
                String firstLine = detail == null ? "" : ": " + detail.lines().findFirst().orElse("");
                String message = file + ":" + line + ": skipped, " + reason + firstLine;
                warnings.add(message);
                LOG.log(System.Logger.Level.WARNING, message);
                if (warnings.size() == MAX_WARNINGS) {
                    LOG.log(System.Logger.Level.WARNING, "further bad lines are counted but not logged");
                }
            }
        }

        Stats stats() {
            return new Stats(fileCount, documents, chars, skippedLines, Collections.unmodifiableMap(skipped),
                    List.copyOf(warnings));
        }
    }

    /** Counts the bytes read from a file, for progress on the compressed size. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
