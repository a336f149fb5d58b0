package dev.jchat.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipFile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    /** Small enough for the reference trainer, big enough for merges of whole keywords and Hangul. */
    private static final int CORPUS_CHARS = 300_000;
    private static final int MAX_CHARS = 4_000;
    private static final int REFERENCE_MERGES = 1_200;
    private static final int SPECIALS = SpecialTokens.RESERVED.size();

    /**
     * Java sources of java.util (a file per document, of which training reads the first MAX_CHARS), the
     * multilingual samples of TestPlans.txt, and Korean with emoji.
     */
    private static final List<String> CORPUS = corpus();
    private static final PreTokenizer GPT4 = PreTokenizer.named("gpt4");
    private static final Reference REFERENCE = Reference.train(CORPUS, GPT4, MAX_CHARS, REFERENCE_MERGES);
    private static final Tokenizer TRAINED = train(1, 256 + 700 + SPECIALS).tokenizer();

    private static BpeTrainer.Result train(int threads, int vocabSize) {
        return new BpeTrainer(vocabSize).withThreads(threads).withMaxChars(MAX_CHARS).train(CORPUS,
                BpeTrainer.Progress.NONE);
    }

    @Test
    void mergesEqualTheReferenceTrainer() {
        for (int merges : new int[] {1, 50, REFERENCE_MERGES}) {
            var result = train(2, 256 + merges + SPECIALS);
            assertEquals(REFERENCE.merges.subList(0, merges), result.tokenizer().merges(), merges + " merges");
            assertEquals(merges, result.stats().merges());
            assertEquals(REFERENCE.chunks.size(), result.stats().uniqueChunks());
        }
    }

    @Test
    void stopsWhenNoPairIsLeft() {
        List<String> tiny = List.of("abab abc", "aaaa", "日本語");
        var reference = Reference.train(tiny, GPT4, MAX_CHARS, Integer.MAX_VALUE);
        var result = new BpeTrainer(256 + 1000 + SPECIALS).train(tiny, BpeTrainer.Progress.NONE);
        assertEquals(reference.merges, result.tokenizer().merges());
        assertEquals(256 + reference.merges.size() + SPECIALS, result.tokenizer().vocabSize());
    }

    @Test
    void sameMergesForAnyThreadCountAndRun() {
        int vocab = 256 + 400 + SPECIALS;
        List<Merge> first = train(1, vocab).tokenizer().merges();
        assertEquals(first, train(1, vocab).tokenizer().merges());
        assertEquals(first, train(2, vocab).tokenizer().merges());
        assertEquals(first, train(3, vocab).tokenizer().merges());
    }

    @Property(tries = 300)
    void decodeInvertsEncode(@ForAll("unicodeText") String text) {
        assertEquals(text, TRAINED.decode(TRAINED.encode(text)));
    }

    @Provide
    Arbitrary<String> unicodeText() {
        Arbitrary<String> codePoint = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 0x7F),
                Arbitraries.integers().between(0x80, 0xFFFF),
                Arbitraries.integers().between(0x10000, 0x10FFFF))
                .filter(cp -> !Character.isSurrogate((char) cp.intValue()) || cp > 0xFFFF)
                .map(Character::toString);
        Arbitrary<String> word = Arbitraries.of(" public", " return", "    ", "\n", "안녕하세요", "🇰🇷", "👍🏽",
                " the", "<|bos|>", "é", "\r\n", "1234");
        return Arbitraries.oneOf(codePoint, word).list().ofMaxSize(60).map(parts -> String.join("", parts));
    }

    @Test
    void frequentChunksAreSingleTokens() {
        List<String> frequent = REFERENCE.chunks.entrySet().stream()
                .filter(e -> e.getKey().length() > 1)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(30)
                .map(Map.Entry::getKey)
                .toList();
        for (String chunk : frequent) {
            assertEquals(1, TRAINED.encode(chunk).length, "'" + chunk + "' is frequent: one token");
        }
        String source = CORPUS.getFirst();
        int tokens = TRAINED.encode(source).length;
        assertTrue(tokens * 5 < source.length() * 2, "a training document compresses: " + tokens
                + " tokens for " + source.length() + " chars");
    }

    @Test
    void specialsFollowTheMergesAndOrdinaryTextNeverEncodesAsOne() {
        var result = train(1, 256 + 300 + SPECIALS);
        Tokenizer tokenizer = result.tokenizer();
        assertEquals(256 + 300 + SPECIALS, tokenizer.vocabSize());
        for (int i = 0; i < SPECIALS; i++) {
            assertEquals(256 + 300 + i, tokenizer.specialId(SpecialTokens.RESERVED.get(i)));
        }
        int bos = tokenizer.specialId(SpecialTokens.BOS);
        int[] ordinary = tokenizer.encode("text " + SpecialTokens.BOS + " more");
        assertFalse(Arrays.stream(ordinary).anyMatch(tokenizer::isSpecial), Arrays.toString(ordinary));
        assertEquals("text " + SpecialTokens.BOS + " more", tokenizer.decode(ordinary));
        assertArrayEquals(new int[] {bos}, tokenizer.encodeWithSpecials(SpecialTokens.BOS));

        var custom = new BpeTrainer(256 + 10 + 2).withSpecials(List.of("<|endoftext|>", "<|pad|>"))
                .train(CORPUS, BpeTrainer.Progress.NONE).tokenizer();
        assertEquals(Map.of("<|endoftext|>", 266, "<|pad|>", 267), custom.specialTokens());
        assertThrows(IllegalArgumentException.class,
                () -> new BpeTrainer(256 + SPECIALS - 1).train(CORPUS, BpeTrainer.Progress.NONE));
    }

    @Test
    void uniqueChunkCapDropsTheRarest() {
        int unique = REFERENCE.chunks.size();
        int cap = unique * 3 / 5;
        long[] counts = REFERENCE.chunks.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long threshold = counts[unique - cap - 1];
        var kept = new HashMap<String, Long>();
        REFERENCE.chunks.forEach((chunk, count) -> {
            if (count > threshold) {
                kept.put(chunk, count);
            }
        });
        long keptOccurrences = kept.values().stream().mapToLong(Long::longValue).sum();

        var capped = new BpeTrainer(256 + 300 + SPECIALS).withThreads(1).withMaxChars(MAX_CHARS)
                .withMaxUniqueChunks(cap).train(CORPUS, BpeTrainer.Progress.NONE);
        var stats = capped.stats();
        assertEquals(kept.size(), stats.uniqueChunks());
        assertEquals(unique - kept.size(), stats.droppedChunks());
        assertEquals(REFERENCE.occurrences() - keptOccurrences, stats.droppedOccurrences());
        assertEquals(Reference.fromChunks(kept, 300).merges, capped.tokenizer().merges());
    }

    @Test
    void tinyCapPrunesWhileCountingAndStaysDeterministic() {
        var trainer = new BpeTrainer(256 + 200 + SPECIALS).withThreads(2).withMaxChars(MAX_CHARS)
                .withMaxUniqueChunks(300);
        var first = trainer.train(CORPUS, BpeTrainer.Progress.NONE);
        assertTrue(first.stats().uniqueChunks() <= 300, first.stats().toString());
        assertTrue(first.stats().droppedChunks() > REFERENCE.chunks.size() - 300, first.stats().toString());
        assertEquals(first.tokenizer().merges(), trainer.train(CORPUS, BpeTrainer.Progress.NONE).tokenizer().merges());
        String text = CORPUS.getFirst();
        assertEquals(text, first.tokenizer().decode(first.tokenizer().encode(text)));
    }

    @Test
    void aFailingWorkerFailsTrainingInsteadOfHanging() {
        PreTokenizer failing = new PreTokenizer() {
            @Override
            public void split(CharSequence text, int from, int to, PieceSink sink) {
                if (text.toString().contains("poison")) {
                    throw new IllegalArgumentException("cannot split poison");
                }
                GPT4.split(text, from, to, sink);
            }

            @Override
            public String pattern() {
                return GPT4.pattern();
            }

            @Override
            public String name() {
                return "failing";
            }
        };
        var docs = new ArrayList<>(CORPUS);
        docs.add(docs.size() / 2, "poison");
        var trainer = new BpeTrainer(256 + 10 + SPECIALS).withThreads(2).withPreTokenizer(failing);
        var error = assertThrows(IllegalStateException.class, () -> trainer.train(docs, BpeTrainer.Progress.NONE));
        assertEquals("cannot split poison", error.getCause().getMessage());
    }

    @Test
    void documentsAreCutToMaxCharsWithoutSplittingAPair() {
        String doc = "ab" + "😀".repeat(10);
        var trained = new BpeTrainer(256 + 50 + SPECIALS).withMaxChars(5).train(List.of(doc),
                BpeTrainer.Progress.NONE);
        assertEquals(4, trained.stats().chars(), "5 chars would split the second emoji");
        assertEquals(1, TrainingCorpus.cappedLength("a😀", 2));
        assertEquals(3, TrainingCorpus.cappedLength("a😀", 3));
    }

    @Test
    void readsTextJsonlCompressedAndDirectories(@TempDir Path dir) throws IOException {
        Path nested = Files.createDirectories(dir.resolve("nested/deeper"));
        Files.writeString(dir.resolve("a.txt"), "first line\r\nsecond\n\nlast without newline");
        writeGzip(dir.resolve("b.jsonl.gz"), String.join("\n",
                "{\"id\":1,\"text\":\"json doc\",\"meta\":{\"text\":\"nested, not the text\"}}",
                "{\"text\": \"broken",
                "",
                "{\"id\":3}",
                "[1,2]",
                "{\"text\":\"after the bad ones\"}") + "\n");
        writeZstd(nested.resolve("c.txt.zst"), "zstd line\n");
        Files.write(nested.resolve("d.txt"), new byte[] {'o', 'k', (byte) 0xFF, '\n'});
        writeZstd(dir.resolve("deeper.ndjson.zst"), "{\"text\":\"x\\ny\"}\n");
        Files.writeString(dir.resolve(".hidden.txt"), "never read\n");

        var corpus = TrainingCorpus.of(dir.toString());
        assertEquals(List.of("a.txt", "b.jsonl.gz", "deeper.ndjson.zst", "c.txt.zst", "d.txt"),
                corpus.files().stream().map(p -> p.getFileName().toString()).toList());
        var docs = new ArrayList<String>();
        long[] lastBytes = {0};
        var stats = corpus.read(1000, (text, bytesRead) -> {
            docs.add(text);
            assertTrue(bytesRead >= lastBytes[0] && bytesRead <= corpus.totalBytes());
            lastBytes[0] = bytesRead;
        });
        assertEquals(List.of("first line\r\n", "second\n", "\n", "last without newline", "json doc",
                "after the bad ones", "x\ny", "zstd line\n", "ok\uFFFD\n"), docs);
        assertEquals(new TrainingCorpus.Stats(5, 9, docs.stream().mapToLong(String::length).sum(), 3,
                Map.of("malformed JSON", 2L, "no \"text\" string field", 1L), stats.warnings()), stats);
        assertEquals(3, stats.warnings().size());
        assertTrue(stats.warnings().get(0).startsWith(dir.resolve("b.jsonl.gz") + ":2: skipped, malformed JSON"),
                stats.warnings().get(0));
        assertTrue(stats.warnings().get(1).startsWith(dir.resolve("b.jsonl.gz") + ":4: skipped, no \"text\""));

        var cut = new ArrayList<String>();
        TrainingCorpus.of(dir.resolve("a.txt").toString()).read(6, (text, bytes) -> cut.add(text));
        assertEquals(List.of("first ", "second", "\n", "last w"), cut);

        var globbed = TrainingCorpus.of(dir + "/**.zst");
        assertEquals(List.of("deeper.ndjson.zst", "c.txt.zst"),
                globbed.files().stream().map(p -> p.getFileName().toString()).toList());
        assertThrows(IllegalArgumentException.class, () -> TrainingCorpus.of(dir + "/*.parquet"));
        assertThrows(IllegalArgumentException.class, () -> TrainingCorpus.of(dir.resolve("missing.txt").toString()));
    }

    @Test
    void trainingOnFilesEqualsTrainingOnTheSameDocuments(@TempDir Path dir) throws IOException {
        var lines = new StringBuilder();
        for (String doc : CORPUS) {
            lines.append(doc.replace('\n', ' ')).append('\n');
        }
        writeZstd(dir.resolve("corpus.txt.zst"), lines.toString());
        var trainer = new BpeTrainer(256 + 200 + SPECIALS).withThreads(2).withMaxChars(MAX_CHARS);
        var progress = new ArrayList<String>();
        var fromFile = trainer.train(TrainingCorpus.of(dir.toString()),
                (phase, done, total) -> progress.add(phase + " " + done + "/" + total));
        var fromMemory = trainer.train(lines.toString().lines().map(line -> line + "\n").toList(),
                BpeTrainer.Progress.NONE);
        assertEquals(fromMemory.tokenizer().merges(), fromFile.tokenizer().merges());
        assertEquals(fromMemory.stats().chars(), fromFile.stats().chars());
        long size = Files.size(dir.resolve("corpus.txt.zst"));
        assertTrue(progress.contains("count " + size + "/" + size), progress.toString());
        assertEquals("merge 200/200", progress.getLast());
    }

    private static void writeGzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void writeZstd(Path file, String text) throws IOException {
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static List<String> corpus() {
        var docs = new ArrayList<String>();
        Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        try (var zip = new ZipFile(srcZip.toFile())) {
            List<String> names = zip.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("java.base/java/util/") && n.endsWith(".java")).sorted().toList();
            int chars = 0;
            for (String name : names) {
                if (chars >= CORPUS_CHARS) {
                    break;
                }
                try (var in = zip.getInputStream(zip.getEntry(name))) {
                    String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    docs.add(source);
                    chars += Math.min(source.length(), MAX_CHARS);
                }
            }
            Path shared = Path.of(System.getProperty("jchat.shared", "../../shared"));
            for (String line : Files.readAllLines(shared.resolve("data/tokenizer/TestPlans.txt"))) {
                if (line.startsWith("Sample: ")) {
                    docs.add(line.substring("Sample: ".length()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("test corpus: " + e.getMessage(), e);
        }
        docs.add("안녕하세요, 세상! 오늘 기분이 어때요? 🇰🇷 좋아요 👍🏽 ".repeat(30));
        return List.copyOf(docs);
    }

    /**
     * The textbook trainer, slow and plain: count chunks with HashMaps; each round, count every adjacent
     * pair over all chunks, take the most frequent (ties: smallest left id, then right id), and rewrite
     * every chunk replacing that pair left to right without overlap.
     */
    private record Reference(Map<String, Long> chunks, List<Merge> merges) {
        long occurrences() {
            return chunks.values().stream().mapToLong(Long::longValue).sum();
        }

        static Reference train(List<String> docs, PreTokenizer pre, int maxChars, int maxMerges) {
            var chunks = new HashMap<String, Long>();
            for (String doc : docs) {
                int end = Math.min(doc.length(), maxChars);
                if (end < doc.length() && Character.isHighSurrogate(doc.charAt(end - 1))) {
                    end--;
                }
                String text = doc.substring(0, end);
                pre.split(text, 0, text.length(), (s, e) -> chunks.merge(text.substring(s, e), 1L, Long::sum));
            }
            return fromChunks(chunks, maxMerges);
        }

        static Reference fromChunks(Map<String, Long> chunks, int maxMerges) {
            var words = new ArrayList<int[]>();
            var counts = new ArrayList<Long>();
            chunks.forEach((chunk, count) -> {
                byte[] utf8 = chunk.getBytes(StandardCharsets.UTF_8);
                words.add(IntStream.range(0, utf8.length).map(i -> utf8[i] & 0xFF).toArray());
                counts.add(count);
            });
            var merges = new ArrayList<Merge>();
            while (merges.size() < maxMerges) {
                var pairs = new HashMap<List<Integer>, Long>();
                for (int w = 0; w < words.size(); w++) {
                    int[] word = words.get(w);
                    for (int i = 0; i + 1 < word.length; i++) {
                        pairs.merge(List.of(word[i], word[i + 1]), counts.get(w), Long::sum);
                    }
                }
                if (pairs.isEmpty()) {
                    break;
                }
                List<Integer> best = pairs.entrySet().stream()
                        .max(Comparator.<Map.Entry<List<Integer>, Long>>comparingLong(Map.Entry::getValue)
                                .thenComparing(e -> -e.getKey().get(0))
                                .thenComparing(e -> -e.getKey().get(1)))
                        .orElseThrow().getKey();
                int id = 256 + merges.size();
                merges.add(new Merge(best.get(0), best.get(1), id));
                words.replaceAll(word -> replace(word, best.get(0), best.get(1), id));
            }
            return new Reference(chunks, merges);
        }

        private static int[] replace(int[] word, int left, int right, int id) {
            var out = new ArrayList<Integer>();
            for (int i = 0; i < word.length; i++) {
                if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                    out.add(id);
                    i++;
                } else {
                    out.add(word[i]);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
