package dev.jchat.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;

/**
 * Encode throughput, side by side in one JVM: jchat vs jtokkit 1.1.0 (Java tiktoken) vs HF tokenizers
 * (Rust, through DJL 0.38.0's JNI binding, loading the tokenizer.json jchat writes, which encodes to
 * identical ids), for cl100k_base and o200k_base, with 1 and 2 threads.
 *
 * <p>Documents of ~4 KB are encoded one call each (how a data pipeline calls a tokenizer); with 2 threads
 * the documents are split between two workers. MB/s counts UTF-8 input bytes. Each figure is the median
 * of 3 timed passes after 1 warm-up pass, the passes of the three encoders interleaved so that load from
 * other processes falls on all alike; every pass checks the token count against jchat's.
 *
 * <pre>
 * bench/fetch-corpus.sh
 * java -cp bench/target/jchat-bench.jar dev.jchat.bench.EncodeBench target/bench-corpus/*.txt
 * </pre>
 */
public final class EncodeBench {
    private static final int PASSES = 3;
    private static final int WARMUP = 1;

    public static void main(String[] args) throws Exception {
        List<Path> files = new ArrayList<>();
        for (String arg : args) {
            files.add(Path.of(arg));
        }
        if (files.isEmpty()) {
            System.err.println("usage: EncodeBench TEXT_FILE... (run bench/fetch-corpus.sh for the standard corpus)");
            System.exit(2);
        }
        List<String> documents = BenchCorpus.documents(files, 4096);
        long bytes = BenchCorpus.utf8Bytes(documents);
        System.out.printf("corpus: %d documents, %.1f MB UTF-8, from %s%n", documents.size(), bytes / 1e6, files);
        System.out.printf("%-12s %7s %12s %12s %12s %10s %10s%n",
                "encoding", "threads", "jchat MB/s", "jtokkit MB/s", "HF MB/s", "vs jtokkit", "vs HF");
        Path tmp = Files.createTempDirectory("encode-bench");
        for (var type : List.of(EncodingType.CL100K_BASE, EncodingType.O200K_BASE)) {
            Tokenizer ours = Tokenizer.load(type.getName());
            Encoding jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(type);
            Path json = tmp.resolve(type.getName() + ".json");
            HfTokenizerJson.write(ours, json);
            try (var hf = HuggingFaceTokenizer.builder().optTokenizerPath(json).optAddSpecialTokens(false)
                    .optTruncation(false).build()) {
                ToIntFunction<String> jchatEncode = d -> ours.encode(d).length;
                ToIntFunction<String> jtokkitEncode = d -> jtokkit.countTokensOrdinary(d);
                ToIntFunction<String> hfEncode = d -> hf.encode(d, false, false).getIds().length;
                for (int threads : new int[] {1, 2}) {
                    double[] rates = interleaved(documents, bytes, threads, List.of(jchatEncode, jtokkitEncode, hfEncode));
                    System.out.printf("%-12s %7d %12.1f %12.1f %12.1f %9.2fx %9.2fx%n", type.getName(), threads,
                            rates[0], rates[1], rates[2], rates[0] / rates[1], rates[0] / rates[2]);
                }
            }
        }
    }

    /**
     * Median MB/s of each encoder. Passes alternate between the encoders, so that load from other
     * processes on a shared machine falls on all of them alike rather than on whichever ran during it.
     */
    private static double[] interleaved(List<String> documents, long bytes, int threads,
                                        List<ToIntFunction<String>> encoders) throws Exception {
        long expected = count(documents, encoders.getFirst(), threads);
        for (int i = 0; i < WARMUP; i++) {
            for (var encoder : encoders) {
                count(documents, encoder, threads);
            }
        }
        double[][] rates = new double[encoders.size()][PASSES];
        for (int pass = 0; pass < PASSES; pass++) {
            for (int e = 0; e < encoders.size(); e++) {
                long start = System.nanoTime();
                long tokens = count(documents, encoders.get(e), threads);
                rates[e][pass] = bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
                if (tokens != expected) {
                    throw new IllegalStateException("encoder " + e + " gave " + tokens + " tokens, jchat " + expected);
                }
            }
        }
        double[] medians = new double[encoders.size()];
        for (int e = 0; e < encoders.size(); e++) {
            medians[e] = BenchCorpus.median(rates[e]);
        }
        return medians;
    }

    private static long count(List<String> documents, ToIntFunction<String> encode, int threads) throws Exception {
        if (threads == 1) {
            return countRange(documents, encode, 0, documents.size());
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            var parts = new ArrayList<Future<Long>>();
            int per = (documents.size() + threads - 1) / threads;
            for (int t = 0; t < threads; t++) {
                int from = Math.min(documents.size(), t * per);
                int to = Math.min(documents.size(), from + per);
                parts.add(pool.submit(() -> countRange(documents, encode, from, to)));
            }
            long total = 0;
            for (var part : parts) {
                total += part.get();
            }
            return total;
        }
    }

    private static long countRange(List<String> documents, ToIntFunction<String> encode, int from, int to) {
        long tokens = 0;
        for (int i = from; i < to; i++) {
            tokens += encode.applyAsInt(documents.get(i));
        }
        return tokens;
    }
}
