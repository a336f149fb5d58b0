package dev.jchat.cli;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import dev.jchat.data.io.DocumentReader;
import dev.jchat.data.io.Warnings;
import dev.jchat.model.data.TokenShardWriter;
import dev.jchat.model.data.TokenShards;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat tokenize}: documents to llm.c token shards for training. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Encode documents into llm.c token shards: OUT/train_000000.bin …, OUT/val_000000.bin …, "
                + "every document starting with the BOS token; OUT/meta.json names the tokenizer (vocabulary size, BOS "
                + "id, SHA-256 of its file) and counts each split; OUT/summary.txt is the same for people.",
                "Inputs: the --out of jchat data (its documents/ are read), JSONL with a \"text\" field (optionally "
                        + ".gz/.zst), Parquet, or .txt files (one document each); directories and globs. Bad records "
                        + "are skipped and counted. A document goes to val when the SHA-256 of its text falls below "
                        + "--val-fraction, so a rerun, or a copy of the same text, splits the same way. Rerunning "
                        + "replaces the shards; meta.json is written last, once everything is in place."})
final class TokenizeCommand implements Callable<Integer> {
    /** Documents are encoded in chunks of this many documents or chars, whichever comes first. */
    private static final int CHUNK_DOCUMENTS = 256;
    private static final long CHUNK_CHARS = 1 << 20;

    @Option(names = "--tokenizer", required = true, description = TokenizerCommand.TOKENIZER_HELP)
    String tokenizer;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "files, directories or globs")
    List<String> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (e.g. runs/NAME/tokens)")
    Path out;

    @Option(names = "--val-fraction", defaultValue = "0.005", paramLabel = "F",
            description = "share of documents for validation (default: ${DEFAULT-VALUE}; at least one document when "
                    + "there are two or more, unless 0)")
    double valFraction;

    @Option(names = "--shard-tokens", defaultValue = "" + TokenShardWriter.DEFAULT_TOKENS_PER_SHARD, paramLabel = "N",
            description = "tokens per shard (default: ${DEFAULT-VALUE}, as llm.c's FineWeb shards)")
    long shardTokens;

    @Option(names = "--threads", paramLabel = "N", description = "encoding threads (default: all cores)")
    Integer threads;

    /** A document's tokens (BOS first), its UTF-8 length, and where its text hash puts it in [0, 1). */
    private record Encoded(int[] tokens, long bytes, double rank) {}

    @Override
    public Integer call() throws Exception {
        if (!(valFraction >= 0 && valFraction <= 1)) {
            throw new IllegalArgumentException("--val-fraction must be between 0 and 1, got " + valFraction);
        }
        if (shardTokens < 1 || shardTokens > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--shard-tokens must be between 1 and " + Integer.MAX_VALUE
                    + " (llm.c's header holds the count as an int32), got " + shardTokens);
        }
        List<Path> files = inputFiles();
        Tokenizer tok = Tokenizer.load(tokenizer);
        int bos = bosId(tok);
        String sha256 = TokenizerFiles.sha256(tokenizer);
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (workers < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + workers);
        }
        Files.createDirectories(out);
        // a meta file from an earlier run would vouch for shards this run is about to replace
        Files.deleteIfExists(out.resolve(TokenShards.META_FILE));
        long totalBytes = 0;
        for (Path file : files) {
            totalBytes += Files.size(file);
        }
        System.err.printf("jchat: tokenizing %d file(s), %.1f MB, with %s on %d thread(s) -> %s%n", files.size(),
                totalBytes / 1e6, tok.name(), workers, out);

        long start = System.nanoTime();
        Run run;
        var bar = new ProgressBar("tokenize", totalBytes, "MB", 1e6);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            var thread = new Thread(r, "tokenize");
            thread.setDaemon(true);
            return thread;
        });
        try (var train = new TokenShardWriter(out, "train", tok.vocabSize(), shardTokens);
             var val = new TokenShardWriter(out, "val", tok.vocabSize(), shardTokens)) {
            run = new Run(tok, bos, pool, 2 * workers, train, val, bar, totalBytes);
            for (Path file : files) {
                run.read(file);
            }
            run.finish();
        } finally {
            pool.shutdownNow();
        }
        bar.close();
        double seconds = (System.nanoTime() - start) / 1e9;

        var meta = new TokenShards.Meta(tok.vocabSize(), bos, tokenizer, sha256, shardTokens, run.trainSplit,
                run.valSplit, run.skipped());
        String summary = summary(meta, tok, files.size(), seconds, workers);
        Files.writeString(out.resolve("summary.txt"), summary);
        meta.write(out);
        System.out.print(summary);
        System.err.println("jchat: wrote " + out.resolve(TokenShards.META_FILE) + ", summary.txt and "
                + (meta.train().shards().size() + meta.val().shards().size()) + " shard(s)");
        return 0;
    }

    /**
     * The documents, read in input order, encoded on a thread pool a chunk at a time, and written in the same
     * order whatever the number of threads: futures are consumed in submission order.
     */
    private final class Run {
        private final Tokenizer tok;
        private final int bos;
        private final ExecutorService pool;
        private final int maxInFlight;
        private final TokenShardWriter train;
        private final TokenShardWriter val;
        private final ProgressBar bar;
        private final long totalBytes;
        private final ArrayDeque<Future<List<Encoded>>> inFlight = new ArrayDeque<>();
        private final StepStats readStats = new StepStats("read");
        private final Map<String, Long> skipped = new TreeMap<>();
        private List<String> chunk = new ArrayList<>();
        private long chunkChars;
        private long trainDocuments;
        private long trainBytes;
        private long valDocuments;
        private long valBytes;
        /**
         * The train document with the lowest rank so far, held back while no document has gone to val: if none
         * does by the end, it becomes the one val document. Deterministic, like everything else here.
         */
        private Encoded held;
        private TokenShards.Split trainSplit;
        private TokenShards.Split valSplit;
        /** Bytes of the input files read to the end, and of the one being read, which counts as done by its text. */
        private long filesDone;
        private long fileSize;
        private boolean fileIsPlainText;
        private long fileTextBytes;

        Run(Tokenizer tok, int bos, ExecutorService pool, int maxInFlight, TokenShardWriter train, TokenShardWriter val,
            ProgressBar bar, long totalBytes) {
            this.tok = tok;
            this.bos = bos;
            this.pool = pool;
            this.maxInFlight = maxInFlight;
            this.train = train;
            this.val = val;
            this.bar = bar;
            this.totalBytes = totalBytes;
        }

        void read(Path file) throws IOException {
            fileSize = Files.size(file);
            String name = file.getFileName().toString();
            fileIsPlainText = !name.endsWith(".gz") && !name.endsWith(".zst") && !name.endsWith(".parquet");
            fileTextBytes = 0;
            try {
                DocumentReader.forFile(file).read(file, this::accept, readStats);
            } catch (IOException e) {
                // the file could not be opened or decompressed: the rest of the corpus is still worth tokenizing
                skipped.merge("file_error", 1L, Long::sum);
                Warnings.warn("skipped " + file + " (" + e.getMessage() + ")");
            }
            filesDone += fileSize;
            fileSize = 0;
            showProgress();
        }

        /**
         * Within an uncompressed file its text encoded so far is a fair measure of how far it got; a compressed
         * file counts when finished.
         */
        private void showProgress() {
            long inFile = fileIsPlainText ? Math.min(fileTextBytes, fileSize) : 0;
            long tokens = train.tokens() + val.tokens();
            bar.update(filesDone + inFile, totalBytes, "%d docs, %.1fM tokens".formatted(trainDocuments + valDocuments,
                    tokens / 1e6));
        }

        private void accept(Document document) {
            if (document.text().isEmpty()) {
                skipped.merge("empty_text", 1L, Long::sum);
                return;
            }
            chunk.add(document.text());
            chunkChars += document.text().length();
            if (chunk.size() >= CHUNK_DOCUMENTS || chunkChars >= CHUNK_CHARS) {
                submit();
            }
        }

        private void submit() {
            if (chunk.isEmpty()) {
                return;
            }
            List<String> texts = chunk;
            chunk = new ArrayList<>();
            chunkChars = 0;
            inFlight.add(pool.submit(() -> texts.stream().map(this::encode).toList()));
            while (inFlight.size() > maxInFlight) {
                writeNext();
            }
        }

        private Encoded encode(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = tok.encode(text);
            int[] tokens = new int[ids.length + 1];
            tokens[0] = bos;
            System.arraycopy(ids, 0, tokens, 1, ids.length);
            return new Encoded(tokens, utf8.length, rank(utf8));
        }

        private void writeNext() {
            List<Encoded> documents;
            try {
                documents = inFlight.removeFirst().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("encoding failed: " + e.getCause(), e.getCause());
            }
            try {
                for (Encoded document : documents) {
                    route(document);
                    fileTextBytes += document.bytes();
                }
            } catch (IOException e) {
                // not the input's fault: a write error (disk full) must stop the run, not count as a bad file
                throw new UncheckedIOException(e);
            }
            showProgress();
        }

        private void route(Encoded document) throws IOException {
            if (document.rank() < valFraction) {
                if (held != null) {
                    writeTrain(held);
                    held = null;
                }
                writeVal(document);
            } else if (valFraction > 0 && valDocuments == 0 && (held == null || document.rank() < held.rank())) {
                Encoded previous = held;
                held = document;
                if (previous != null) {
                    writeTrain(previous);
                }
            } else {
                writeTrain(document);
            }
        }

        void finish() throws IOException {
            submit();
            while (!inFlight.isEmpty()) {
                writeNext();
            }
            if (held != null) {
                if (trainDocuments >= 1) {
                    writeVal(held);
                } else {
                    writeTrain(held);
                }
            }
            trainSplit = new TokenShards.Split(trainDocuments, train.tokens(), trainBytes, names(train.finish()));
            valSplit = new TokenShards.Split(valDocuments, val.tokens(), valBytes, names(val.finish()));
        }

        private void writeTrain(Encoded document) throws IOException {
            train.write(document.tokens());
            trainDocuments++;
            trainBytes += document.bytes();
        }

        private void writeVal(Encoded document) throws IOException {
            val.write(document.tokens());
            valDocuments++;
            valBytes += document.bytes();
        }

        Map<String, Long> skipped() {
            var all = new TreeMap<>(skipped);
            readStats.counts().forEach((label, count) -> {
                if (label.startsWith("skipped_")) {
                    all.merge(label.substring("skipped_".length()), count, Long::sum);
                } else if (label.equals("file_error")) {
                    all.merge(label, count, Long::sum);
                }
            });
            return all;
        }
    }

    /**
     * Where a text falls in [0, 1): the first 8 bytes of the SHA-256 of its UTF-8, big-endian, top 53 bits
     * (a double's precision). In Python:
     * {@code (int.from_bytes(sha256(text.encode()).digest()[:8], "big") >> 11) / 2**53}.
     */
    static double rank(byte[] utf8) {
        byte[] digest = sha256().digest(utf8);
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (digest[i] & 0xFF);
        }
        return (high >>> 11) * 0x1.0p-53;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** jchat's {@code <|bos|>}; for tokenizers without one (the OpenAI encodings), {@code <|endoftext|>}, as llm.c does. */
    private static int bosId(Tokenizer tok) {
        for (String name : List.of(SpecialTokens.BOS, "<|endoftext|>")) {
            Integer id = tok.specialTokens().get(name);
            if (id != null) {
                return id;
            }
        }
        throw new IllegalArgumentException("tokenizer " + tok.name() + " has neither " + SpecialTokens.BOS
                + " nor <|endoftext|> to start documents with; its special tokens: " + tok.specialTokens().keySet());
    }

    /**
     * The input files: a data run's directory means its {@code documents/}; formats that still need the data
     * stage (WARC, HTML) are refused up front rather than tokenized as markup.
     */
    private List<Path> inputFiles() throws IOException {
        var arguments = new ArrayList<String>();
        for (String input : inputs) {
            Path documents = Path.of(input, "documents");
            arguments.add(Files.isDirectory(Path.of(input)) && Files.isDirectory(documents) ? documents.toString() : input);
        }
        List<Path> files = InputPaths.expand(arguments);
        for (Path file : files) {
            if (DocumentReader.forFile(file).producesHtml()) {
                throw new IllegalArgumentException(file + ": web pages (WARC or HTML) need the data stage first: "
                        + "jchat data --input ... --out DIR, then jchat tokenize --input DIR");
            }
        }
        return files;
    }

    private static List<String> names(List<Path> shards) {
        return shards.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static String summary(TokenShards.Meta meta, Tokenizer tok, int files, double seconds, int workers) {
        TokenShards.Split train = meta.train();
        TokenShards.Split val = meta.val();
        long documents = train.documents() + val.documents();
        long tokens = train.tokens() + val.tokens();
        long bytes = train.bytes() + val.bytes();
        var text = new StringBuilder();
        text.append("token shards: %,d documents from %d file(s), tokenizer %s (%,d ids, BOS %s = %d)%n".formatted(
                documents, files, meta.tokenizer(), meta.vocabSize(), tok.specialTokens().entrySet().stream()
                        .filter(e -> e.getValue() == meta.bosId()).findFirst().orElseThrow().getKey(), meta.bosId()));
        text.append("  %-6s %,12d documents %,16d tokens %5d shard(s)%n".formatted("train", train.documents(),
                train.tokens(), train.shards().size()));
        text.append("  %-6s %,12d documents %,16d tokens %5d shard(s)%n".formatted("val", val.documents(),
                val.tokens(), val.shards().size()));
        if (documents > 0) {
            // BOS tokens carry no text, so bytes per token counts only the tokens that stand for bytes
            text.append("  %,.1f tokens/document (BOS included), %.2f bytes/token%n".formatted(
                    (double) tokens / documents, (double) bytes / Math.max(1, tokens - documents)));
        }
        long skipped = meta.skipped().values().stream().mapToLong(Long::longValue).sum();
        text.append("  skipped: ").append(skipped == 0 ? "nothing" : "%,d (".formatted(skipped)
                + String.join(", ", meta.skipped().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + " " + e.getValue()).toList())
                + ")").append('\n');
        text.append("  shards: llm.c version %d (uint%d tokens), up to %,d tokens each%n".formatted(
                meta.vocabSize() > 1 << 16 ? 2 : 1, meta.vocabSize() > 1 << 16 ? 32 : 16, meta.tokensPerShard()));
        text.append("  %.1f s, %,.0f tokens/s on %d thread(s)%n".formatted(seconds, tokens / Math.max(seconds, 1e-9),
                workers));
        return text.toString();
    }
}
