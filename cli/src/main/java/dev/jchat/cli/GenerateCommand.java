package dev.jchat.cli;

import dev.jchat.model.Checkpoint;
import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.gguf.GgufFile;
import dev.jchat.model.infer.Engine;
import dev.jchat.model.infer.SamplingParams;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.StreamingDecoder;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat generate}: continuations of a prompt, streamed as they are sampled. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continue a prompt with a model, streaming the new text to stdout (the prompt is not echoed; "
                + "each sample ends with a newline, and with --n above 1 each starts with a '=== sample K of N ===' "
                + "line). The prompt is encoded after BOS, as pretraining saw documents.",
                "A sample ends at EOS or BOS (a new document), at a --stop string (not printed), at --max-tokens, or "
                        + "when the model's context is full. A prompt that leaves no room in the context is an error.",
                "Prefill and decode speeds go to stderr (a fresh JVM's first prefill includes compiling the kernels; "
                        + "jchat bench decode measures warm), with the seed that reproduces the samples."})
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
            description = "a checkpoint folder with tokenizer.json, a pretraining run directory (its latest "
                    + "checkpoint), or a GGUF Llama model (which carries its tokenizer)")
    Path checkpoint;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "the prompt")
        String text;

        @Option(names = "--prompt-file", paramLabel = "FILE", description = "the prompt, from a UTF-8 file")
        Path file;
    }

    @Option(names = "--max-tokens", defaultValue = "256", paramLabel = "N",
            description = "new tokens per sample at most (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T",
            description = "0 is greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K",
            description = "keep the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P",
            description = "nucleus sampling; 1 = off (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P",
            description = "drop tokens below P times the most likely one's probability; 0 = off (default: "
                    + "${DEFAULT-VALUE})")
    double minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "R",
            description = "llama.cpp's repetition penalty; 1 = off (default: ${DEFAULT-VALUE})")
    double repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", paramLabel = "N",
            description = "tokens the penalties look back on, prompt included; -1 = all (default: ${DEFAULT-VALUE})")
    int repeatLastN;

    @Option(names = "--presence-penalty", defaultValue = "0", paramLabel = "P",
            description = "OpenAI's presence penalty (default: ${DEFAULT-VALUE})")
    double presencePenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0", paramLabel = "F",
            description = "OpenAI's frequency penalty (default: ${DEFAULT-VALUE})")
    double frequencyPenalty;

    @Option(names = "--seed", paramLabel = "S",
            description = "sample K draws with seed S + K - 1 (default: a random seed, printed)")
    Long seed;

    @Option(names = "--n", defaultValue = "1", paramLabel = "N",
            description = "samples of the one prompt, prefilled once (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--stop", arity = "1..*", paramLabel = "STR", description = "strings that end a sample")
    List<String> stops = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "kernel threads (default: all cores)")
    Integer threads;

    @Option(names = "--dtype", defaultValue = "auto", paramLabel = "f32|q8_0|auto", description = InferenceDtype.DESCRIPTION)
    String dtype;

    @Override
    public Integer call() throws Exception {
        var sampling = new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty);
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("--stop takes non-empty strings");
        }
        String text = prompt.text != null ? prompt.text : TextInput.readAll(prompt.file).text();
        long seedValue = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 32);
        try (var backend = new CpuBackend(threads != null ? threads : Runtime.getRuntime().availableProcessors());
             Loaded loaded = Loaded.read(checkpoint, backend)) {
            ModelConfig config = loaded.model().config();
            int[] encoded = loaded.tokenizer().encode(text);
            // BOS first, as in training; a model from elsewhere may have none
            int bos = config.bosTokenId() >= 0 ? 1 : 0;
            int[] tokens = new int[encoded.length + bos];
            if (bos == 1) {
                tokens[0] = config.bosTokenId();
            }
            System.arraycopy(encoded, 0, tokens, bos, encoded.length);
            var out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            var printer = new Printer(out, loaded.tokenizer(), stops, samples);
            var engine = InferenceDtype.engine(loaded.model(), checkpoint, dtype);
            Engine.Generation generation = engine.generate(tokens, new Engine.Options(samples, maxTokens, sampling,
                    seedValue, config.eosTokenId(), config.bosTokenId()), printer);
            out.flush();
            System.err.printf(Locale.ROOT, "jchat: prefill %d tokens, %.1f tok/s; decode %d tokens, %.1f tok/s "
                            + "(seed %d, %s)%n", generation.promptTokens(), generation.prefillTokensPerSecond(),
                    generation.decodedTokens(), generation.decodeTokensPerSecond(), seedValue,
                    String.join(", ", generation.completions().stream()
                            .map(c -> c.finish().name().toLowerCase(Locale.ROOT)).toList()));
        }
        return 0;
    }

    /** A model and its tokenizer, from a checkpoint folder, a run directory or a GGUF file. */
    record Loaded(LlamaModel model, Tokenizer tokenizer) implements AutoCloseable {

        static Loaded read(Path path, CpuBackend backend) throws IOException {
            if (!Files.exists(path)) {
                throw new IllegalArgumentException("no checkpoint at " + path);
            }
            if (InferenceDtype.isGguf(path)) {
                LlamaModel model = GgufCheckpoint.load(path, backend);
                try (GgufFile gguf = GgufFile.open(path)) {
                    return new Loaded(model, GgufTokenizer.read(gguf));
                }
            }
            Path dir = PretrainCommand.checkpointDir(path);
            Path tokenizerJson = dir.resolve("tokenizer.json");
            LlamaModel model = Checkpoint.load(dir, backend);
            if (!Files.isRegularFile(tokenizerJson)) {
                throw new IllegalArgumentException(dir + " has no tokenizer.json, which generating text needs");
            }
            return new Loaded(model, HfTokenizerJson.read(tokenizerJson));
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /**
     * Streams each sample's tokens to stdout as text: whole UTF-8 characters only ({@link StreamingDecoder}), and
     * text that might be the start of a stop string held back until it is known not to be one.
     */
    static final class Printer implements Engine.Listener {
        private final PrintStream out;
        private final Tokenizer tokenizer;
        private final StopStrings stops;
        private final int samples;
        private StreamingDecoder decoder;

        Printer(PrintStream out, Tokenizer tokenizer, List<String> stops, int samples) {
            this.out = out;
            this.tokenizer = tokenizer;
            this.stops = new StopStrings(stops);
            this.samples = samples;
        }

        @Override
        public void started(int sample) {
            if (samples > 1) {
                out.printf("=== sample %d of %d ===%n", sample + 1, samples);
            }
            decoder = tokenizer.streamingDecoder();
            stops.reset();
        }

        @Override
        public boolean token(int sample, int token) {
            out.print(stops.push(decoder.push(token)));
            out.flush();
            return !stops.stopped();
        }

        @Override
        public void finished(int sample, Engine.Completion completion) {
            if (!stops.stopped()) {
                out.print(stops.push(decoder.finish()));
                out.print(stops.flush());
            }
            out.println();
        }
    }

    /**
     * Text on its way out, cut at the first stop string: what could still become one (a suffix of the text that
     * begins a stop string) is held back until the next piece decides.
     */
    static final class StopStrings {
        private final List<String> stops;
        private final StringBuilder held = new StringBuilder();
        private boolean stopped;

        StopStrings(List<String> stops) {
            this.stops = List.copyOf(stops);
        }

        void reset() {
            held.setLength(0);
            stopped = false;
        }

        boolean stopped() {
            return stopped;
        }

        /** Adds text; returns what can be printed now (the text before a stop string, once one appears). */
        String push(String piece) {
            if (stopped) {
                return "";
            }
            held.append(piece);
            int cut = -1;
            for (String stop : stops) {
                int at = held.indexOf(stop);
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                }
            }
            if (cut >= 0) {
                stopped = true;
                String before = held.substring(0, cut);
                held.setLength(0);
                return before;
            }
            String text = held.toString();
            int keep = 0;
            for (String stop : stops) {
                for (int k = Math.min(stop.length() - 1, text.length()); k > keep; k--) {
                    if (text.regionMatches(text.length() - k, stop, 0, k)) {
                        keep = k;
                        break;
                    }
                }
            }
            held.delete(0, text.length() - keep);
            return text.substring(0, text.length() - keep);
        }

        /** The held text, at the end of a sample that no stop string ended. */
        String flush() {
            String rest = held.toString();
            held.setLength(0);
            return rest;
        }
    }
}
