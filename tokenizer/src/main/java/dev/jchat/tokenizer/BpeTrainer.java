package dev.jchat.tokenizer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a byte-level BPE tokenizer, in two phases:
 * <ol>
 *   <li>count: split each document (its first {@code maxChars} chars) with the pre-tokenizer and count
 *       each distinct chunk as a UTF-8 byte string, on {@code threads} threads ({@link ChunkCounter});</li>
 *   <li>merge: starting from the 256 single bytes, repeatedly merge the most frequent adjacent pair of
 *       tokens over all chunks, with incremental pair-count updates ({@link PairMerger}).</li>
 * </ol>
 *
 * <p>Ids: 0..255 are the single bytes in byte order, 256.. the merges in the order they were learned, then
 * the specials ({@link SpecialTokens#RESERVED} unless set) in their order. The vocabulary size counts all
 * three; a corpus with too few distinct pairs yields fewer merges, and the specials then follow the last.
 *
 * <p>Deterministic: ties between pairs of equal count go to the smallest (left id, right id), so the
 * result depends only on the chunk counts, the same on every run and for every thread count (unless the
 * unique-chunk cap drops chunks during counting; see {@link ChunkCounter}).
 *
 * <p>Memory grows with the distinct chunks, not with the corpus, and {@code maxUniqueChunks} (U) bounds
 * it. Counting stores each distinct chunk once per thread, as its bytes + 28 (count, length, hash slots),
 * and a thread that passes 2U distinct chunks drops its rarest down to U; the added-up table keeps the U
 * most frequent. Merging stores each chunk of two or more bytes as an int per byte + 12, and per distinct
 * adjacent pair about 60 bytes (key, count, index, queue entry) plus 4 bytes per chunk it occurs in.
 * Dropped chunks are counted in {@link Stats}. The documents in flight are a few batches of 64K chars per
 * thread.
 */
public final class BpeTrainer {
    /** Documents are cut to this many chars by default, as nanochat's tokenizer training does. */
    public static final int DEFAULT_MAX_CHARS = 10_000;
    public static final int DEFAULT_MAX_UNIQUE_CHUNKS = 10_000_000;
    private static final int BYTES = 256;

    private final int vocabSize;
    private final PreTokenizer preTokenizer;
    private final int maxChars;
    private final int threads;
    private final int maxUniqueChunks;
    private final List<String> specials;
    private final String name;

    /** Reports how far a phase got: {@code count} in input read, {@code merge} in merges done. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (phase, done, total) -> {};

        /** {@code total} is -1 where unknown. */
        void update(String phase, long done, long total);
    }

    /**
     * What training saw and did: documents and chars trained on (after the per-document cap), lines the
     * corpus reader skipped (by reason), chunk occurrences and distinct chunks counted, chunks (and their
     * occurrences) dropped by the unique-chunk cap, merges learned, and the time of each phase.
     */
    public record Stats(long documents, long chars, long skippedLines, Map<String, Long> skippedByReason,
                        long chunkOccurrences, long uniqueChunks, long droppedChunks, long droppedOccurrences,
                        int merges, Duration countTime, Duration mergeTime) {}

    public record Result(Tokenizer tokenizer, Stats stats) {}

    /** A trainer for {@code vocabSize} ids with the defaults: GPT-4 split, reserved specials, all cores. */
    public BpeTrainer(int vocabSize) {
        this(vocabSize, PreTokenizer.named("gpt4"), DEFAULT_MAX_CHARS, Runtime.getRuntime().availableProcessors(),
                DEFAULT_MAX_UNIQUE_CHUNKS, SpecialTokens.RESERVED, "jchat");
    }

    private BpeTrainer(int vocabSize, PreTokenizer preTokenizer, int maxChars, int threads, int maxUniqueChunks,
                       List<String> specials, String name) {
        if (maxChars < 1 || threads < 1 || maxUniqueChunks < 1) {
            throw new IllegalArgumentException("maxChars, threads and maxUniqueChunks must be positive, got "
                    + maxChars + ", " + threads + ", " + maxUniqueChunks);
        }
        if (new HashSet<>(specials).size() != specials.size() || specials.contains("")) {
            throw new IllegalArgumentException("special tokens must be distinct and non-empty: " + specials);
        }
        this.vocabSize = vocabSize;
        this.preTokenizer = preTokenizer;
        this.maxChars = maxChars;
        this.threads = threads;
        this.maxUniqueChunks = maxUniqueChunks;
        this.specials = List.copyOf(specials);
        this.name = name;
    }

    public BpeTrainer withPreTokenizer(PreTokenizer value) {
        return new BpeTrainer(vocabSize, value, maxChars, threads, maxUniqueChunks, specials, name);
    }

    /** Trains on the first {@code value} chars of each document. */
    public BpeTrainer withMaxChars(int value) {
        return new BpeTrainer(vocabSize, preTokenizer, value, threads, maxUniqueChunks, specials, name);
    }

    public BpeTrainer withThreads(int value) {
        return new BpeTrainer(vocabSize, preTokenizer, maxChars, value, maxUniqueChunks, specials, name);
    }

    /** Keeps at most this many distinct chunks, dropping the rarest (see {@link ChunkCounter}). */
    public BpeTrainer withMaxUniqueChunks(int value) {
        return new BpeTrainer(vocabSize, preTokenizer, maxChars, threads, value, specials, name);
    }

    public BpeTrainer withSpecials(List<String> value) {
        return new BpeTrainer(vocabSize, preTokenizer, maxChars, threads, maxUniqueChunks, value, name);
    }

    /** The name of the trained tokenizer. */
    public BpeTrainer withName(String value) {
        return new BpeTrainer(vocabSize, preTokenizer, maxChars, threads, maxUniqueChunks, specials, value);
    }

    /** Trains on a corpus of files; counting progress is in file bytes read (compressed, on disk). */
    public Result train(TrainingCorpus corpus, Progress progress) {
        checkVocabSize();
        long start = System.nanoTime();
        var counter = new ChunkCounter(preTokenizer, threads, maxUniqueChunks);
        TrainingCorpus.Stats read;
        try {
            read = corpus.read(maxChars, (text, bytesRead) -> {
                if (counter.add(text, text.length())) {
                    progress.update("count", bytesRead, corpus.totalBytes());
                }
            });
        } catch (RuntimeException e) {
            counter.abandon();
            throw e;
        }
        ChunkCounter.Result counted = counter.finish();
        progress.update("count", corpus.totalBytes(), corpus.totalBytes());
        return merge(counted, read.skippedLines(), read.skippedByReason(), start, progress);
    }

    /**
     * Trains on documents in memory; counting progress is in chars, out of the total for a collection and
     * of -1 (unknown) otherwise.
     */
    public Result train(Iterable<String> documents, Progress progress) {
        checkVocabSize();
        long start = System.nanoTime();
        long total = -1;
        if (documents instanceof Collection<String> all) {
            total = 0;
            for (String doc : all) {
                total += TrainingCorpus.cappedLength(doc, maxChars);
            }
        }
        var counter = new ChunkCounter(preTokenizer, threads, maxUniqueChunks);
        long done = 0;
        try {
            for (String doc : documents) {
                int length = TrainingCorpus.cappedLength(doc, maxChars);
                done += length;
                if (counter.add(doc, length)) {
                    progress.update("count", done, total);
                }
            }
        } catch (RuntimeException e) {
            counter.abandon();
            throw e;
        }
        ChunkCounter.Result counted = counter.finish();
        progress.update("count", done, total);
        return merge(counted, 0, Map.of(), start, progress);
    }

    private void checkVocabSize() {
        if (vocabSize < BYTES + specials.size()) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " leaves no room: it must hold the "
                    + BYTES + " byte tokens and the " + specials.size() + " special tokens");
        }
    }

    private Result merge(ChunkCounter.Result counted, long skippedLines, Map<String, Long> skippedByReason,
                         long start, Progress progress) {
        long merging = System.nanoTime();
        var merger = new PairMerger(counted.counts());
        long unique = counted.counts().size();
        counted.counts().clear(); // the merger has its own copy: free the table while merging
        List<Merge> merges = merger.merge(vocabSize - BYTES - specials.size(), BYTES, progress);

        byte[][] tokens = new byte[BYTES + merges.size()][];
        for (int b = 0; b < BYTES; b++) {
            tokens[b] = new byte[] {(byte) b};
        }
        for (Merge m : merges) {
            byte[] left = tokens[m.left()];
            byte[] right = tokens[m.right()];
            byte[] joined = new byte[left.length + right.length];
            System.arraycopy(left, 0, joined, 0, left.length);
            System.arraycopy(right, 0, joined, left.length, right.length);
            tokens[m.result()] = joined;
        }
        var specialIds = new LinkedHashMap<String, Integer>();
        for (String special : specials) {
            specialIds.put(special, tokens.length + specialIds.size());
        }
        var tokenizer = Tokenizer.fromMerges(name, preTokenizer, tokens, merges, specialIds, false);
        long end = System.nanoTime();

        var stats = new Stats(counted.documents(), counted.chars(), skippedLines, skippedByReason,
                counted.occurrences(), unique, counted.dropped().chunks(), counted.dropped().occurrences(),
                merges.size(), Duration.ofNanos(merging - start), Duration.ofNanos(end - merging));
        return new Result(tokenizer, stats);
    }
}
