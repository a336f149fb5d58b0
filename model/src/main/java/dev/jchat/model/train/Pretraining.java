package dev.jchat.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jchat.model.Checkpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.data.Batch;
import dev.jchat.model.data.BitsPerByte;
import dev.jchat.model.data.TokenShards;
import dev.jchat.model.data.TrainWindows;
import dev.jchat.model.data.ValWindows;
import dev.jchat.model.io.DType;
import dev.jchat.model.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The pretraining loop: next-token prediction on token shards with AdamW, a learning-rate schedule, gradient
 * accumulation and clipping; periodic validation (loss and bits per byte), samples and checkpoints; one line of
 * metrics per step in {@code logs/metrics.jsonl} and the loss curve in {@code logs/loss.svg}.
 *
 * <p>A run directory holds {@code step_NNNNNN/} checkpoints ({@code model.safetensors}, {@code config.json}, the
 * tokenizer, {@code optimizer.safetensors}, {@code state.json}) and {@code latest}, a link to the newest. Each
 * checkpoint is written to a temporary folder and renamed into place, so a crash leaves the previous one intact.
 * {@link #resume} restores parameters, optimizer moments, the step count and the data loader's position, and cuts
 * the metrics log back to that step: with the same thread count, the resumed run's losses are the uninterrupted
 * run's, bit for bit.
 */
public final class Pretraining {

    /**
     * @param batch       sequences per micro-batch (B)
     * @param gradAccum   micro-batches per optimizer step
     * @param steps       optimizer steps of the whole run
     * @param evalEvery   steps between validations (0: never); also at step 0 and at the end
     * @param evalBatches validation batches of B sequences per evaluation
     * @param peakGflops  the machine's fp32 peak, for MFU
     * @param muonLr      when positive, Muon updates the matrices with this peak learning rate (the schedule's shape
     *                    applies to it too) and AdamW the rest; otherwise AdamW updates everything
     */
    public record Options(int batch, int gradAccum, int steps, LearningRateSchedule schedule, float weightDecay,
                          float gradClip, int evalEvery, int evalBatches, int sampleEvery, int saveEvery, long seed,
                          double peakGflops, double muonLr) {
        public Options {
            if (batch < 1 || gradAccum < 1 || steps < 1 || evalBatches < 0 || evalEvery < 0 || sampleEvery < 0
                    || saveEvery < 0) {
                throw new IllegalArgumentException("batch, grad-accum and steps must be positive; intervals not negative");
            }
        }
    }

    /** One optimizer step's numbers. */
    public record StepMetrics(int step, int steps, double loss, double lr, double gradNorm, double tokensPerSecond,
                              double mfu, double stepSeconds, long tokens) {}

    /** What the loop reports as it goes (progress bars, console lines). */
    public interface Listener {
        void step(StepMetrics metrics);

        void evaluated(int step, double valLoss, double bitsPerByte);

        void sampled(int step, List<String> samples);

        void saved(int step, Path checkpoint);
    }

    /** Text continuations of a few prompts from the current model (the caller owns the tokenizer). */
    @FunctionalInterface
    public interface Sampler {
        List<String> sample(LlamaModel model);
    }

    /** The loss stopped being finite; the last good checkpoint stays as it was. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSON_LINE = new ObjectMapper();
    static final String LATEST = "latest";
    static final String STATE = "state.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String TOKENIZER = "tokenizer.json";

    private final Path out;
    private final LlamaModel model;
    private final TokenShards shards;
    private final int[] tokenBytes;
    private final Options options;
    private final Path tokenizerJson;
    private final Sampler sampler;
    private final Listener listener;
    private final AdamW optimizer;
    private final Muon muon;
    private final List<LossPlot.Point> trainCurve = new ArrayList<>();
    private final List<LossPlot.Point> valCurve = new ArrayList<>();
    private TrainWindows windows;
    private int step;
    private long tokens;

    /**
     * @param tokenBytes    UTF-8 length of every token id (0 for specials), for bits per byte
     * @param tokenizerJson the tokenizer to copy into every checkpoint (null: none)
     */
    public Pretraining(Path out, LlamaModel model, TokenShards shards, int[] tokenBytes, Options options,
                       Path tokenizerJson, Sampler sampler, Listener listener) {
        this.out = out;
        this.model = model;
        this.shards = shards;
        this.tokenBytes = tokenBytes.clone();
        this.options = options;
        this.tokenizerJson = tokenizerJson;
        this.sampler = sampler;
        this.listener = listener;
        this.muon = options.muonLr() > 0 ? new Muon(model, Muon.Hyper.defaults()) : null;
        this.optimizer = new AdamW(model, AdamW.Hyper.defaults(options.weightDecay(), muon != null));
        this.windows = new TrainWindows(shards.train(), model.config().seqLen(), options.seed());
    }

    /** The newest checkpoint of a run directory, or null when it has none. */
    public static Path latest(Path out) throws IOException {
        Path link = out.resolve(LATEST);
        if (Files.exists(link)) {
            return out.resolve(Files.readSymbolicLink(link));
        }
        return null;
    }

    /** Continues from the run's latest checkpoint: parameters, optimizer, step, data position, metrics log. */
    public void resume() throws IOException {
        Path checkpoint = latest(out);
        if (checkpoint == null) {
            throw new IOException(out + " has no checkpoint to resume from (no '" + LATEST + "' link)");
        }
        JsonNode state = JSON.readTree(checkpoint.resolve(STATE).toFile());
        Checkpoint.loadWeights(checkpoint, model);
        try (Safetensors moments = Safetensors.open(checkpoint.resolve(OPTIMIZER))) {
            optimizer.restore(moments.floats("adamw.moments"), state.get("optimizer_steps").asInt());
            if (muon != null) {
                if (!moments.contains("muon.momentum")) {
                    throw new IOException(checkpoint + " was trained with AdamW alone: resume it without Muon");
                }
                muon.restore(moments.floats("muon.momentum"));
            }
        }
        step = state.get("step").asInt();
        tokens = state.get("tokens").asLong();
        windows = new TrainWindows(shards.train(), model.config().seqLen(),
                TrainWindows.State.fromJson(state.get("loader").toString()));
        truncateMetrics(step);
    }

    /** Trains from the current step to {@link Options#steps()}. */
    public void run() throws IOException {
        Files.createDirectories(out.resolve("logs"));
        int b = options.batch();
        int t = model.config().seqLen();
        long tokensPerStep = (long) b * t * options.gradAccum();
        double flopsPerToken = model.config().trainingFlopsPerToken(t);
        Backend backend = model.backend();
        if (step == 0 && options.evalEvery() > 0) {
            evaluate();
        }
        while (step < options.steps()) {
            long started = System.nanoTime();
            model.zeroGradients();
            double lossSum = 0;
            for (int micro = 0; micro < options.gradAccum(); micro++) {
                Batch batch = windows.next(b);
                lossSum += model.forwardBackward(batch.inputs(), batch.targets(), b, t, 1f / tokensPerStep);
            }
            double loss = lossSum / tokensPerStep;
            if (!Double.isFinite(loss)) {
                String layer = model.firstNonFiniteActivation();
                throw new DivergedException("loss is " + loss + " at step " + (step + 1) + " (first non-finite activations: "
                        + (layer == null ? "none; the loss itself overflowed" : layer) + "); the last good checkpoint is "
                        + latest(out));
            }
            double gradNorm = Math.sqrt(backend.sumOfSquares(model.gradients()));
            if (!Double.isFinite(gradNorm)) {
                throw new DivergedException("gradient norm is " + gradNorm + " at step " + (step + 1)
                        + "; the last good checkpoint is " + latest(out));
            }
            if (options.gradClip() > 0 && gradNorm > options.gradClip()) {
                backend.scale(model.gradients(), (float) (options.gradClip() / gradNorm));
            }
            double lr = options.schedule().at(step);
            optimizer.step((float) lr);
            if (muon != null) {
                muon.step((float) (options.muonLr() * lr / options.schedule().peak()));
            }
            step++;
            tokens += tokensPerStep;
            double seconds = (System.nanoTime() - started) / 1e9;
            double tokensPerSecond = tokensPerStep / seconds;
            var metrics = new StepMetrics(step, options.steps(), loss, lr, gradNorm, tokensPerSecond,
                    flopsPerToken * tokensPerSecond / (options.peakGflops() * 1e9), seconds, tokens);
            trainCurve.add(new LossPlot.Point(step, loss));
            log(Map.of("step", step, "loss", loss, "lr", lr, "grad_norm", gradNorm, "tokens", tokens,
                    "tokens_per_s", round(tokensPerSecond), "mfu", round(metrics.mfu()), "step_s", round(seconds)));
            listener.step(metrics);
            boolean last = step == options.steps();
            if (options.evalEvery() > 0 && (step % options.evalEvery() == 0 || last)) {
                evaluate();
            }
            if (sampler != null && options.sampleEvery() > 0 && (step % options.sampleEvery() == 0 || last)) {
                listener.sampled(step, sampler.sample(model));
            }
            if ((options.saveEvery() > 0 && step % options.saveEvery() == 0) || last) {
                save();
            }
        }
        LossPlot.write(out.resolve("logs").resolve("loss.svg"), "pretraining: " + model.config().layers() + " layers, d "
                + model.config().dim(), trainCurve, valCurve);
    }

    /** Validation loss (nats per token) and bits per byte over the first {@code evalBatches} val batches. */
    private void evaluate() throws IOException {
        int b = options.batch();
        int t = model.config().seqLen();
        var val = new ValWindows(shards.val(), t);
        long batches = Math.min(options.evalBatches(), val.batches(b));
        if (batches == 0) {
            return;
        }
        var bpb = new BitsPerByte(tokenBytes);
        float[] rowLosses = new float[b * t];
        double sum = 0;
        for (long i = 0; i < batches; i++) {
            Batch batch = val.batch(i, b);
            sum += model.loss(batch.inputs(), batch.targets(), b, t, rowLosses);
            bpb.add(batch.targets(), rowLosses);
        }
        double valLoss = sum / (batches * b * t);
        valCurve.add(new LossPlot.Point(step, valLoss));
        log(Map.of("step", step, "val_loss", valLoss, "val_bpb", bpb.value()));
        listener.evaluated(step, valLoss, bpb.value());
        LossPlot.write(out.resolve("logs").resolve("loss.svg"), "pretraining", trainCurve, valCurve);
    }

    private void save() throws IOException {
        String name = String.format(Locale.ROOT, "step_%06d", step);
        Path finalDir = out.resolve(name);
        Path partial = out.resolve(name + ".partial");
        deleteTree(partial);
        Checkpoint.save(partial, model);
        var entries = new ArrayList<Safetensors.Entry>();
        entries.add(entry("adamw.moments", optimizer.state()));
        if (muon != null) {
            entries.add(entry("muon.momentum", muon.state()));
        }
        Safetensors.write(partial.resolve(OPTIMIZER), Map.of("optimizer", muon != null ? "muon+adamw" : "adamw"), entries);
        if (tokenizerJson != null) {
            Files.copy(tokenizerJson, partial.resolve(TOKENIZER), StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode state = JSON.createObjectNode();
        state.put("step", step);
        state.put("tokens", tokens);
        state.put("optimizer_steps", optimizer.steps());
        state.set("loader", JSON.readTree(windows.state().toJson()));
        state.put("batch", options.batch());
        state.put("grad_accum", options.gradAccum());
        state.put("steps", options.steps());
        state.put("schedule", options.schedule().toString());
        state.put("optimizer", muon != null ? "muon (lr " + options.muonLr() + ") + adamw" : "adamw");
        Files.writeString(partial.resolve(STATE), JSON.writeValueAsString(state) + "\n");
        deleteTree(finalDir);
        Files.move(partial, finalDir, StandardCopyOption.ATOMIC_MOVE);
        Path link = out.resolve(LATEST + ".partial");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(name));
        Files.move(link, out.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        listener.saved(step, finalDir);
    }

    private Safetensors.Entry entry(String name, dev.jchat.model.backend.Tensor state) {
        float[] values = new float[Math.toIntExact(state.size())];
        model.backend().download(state, values, 0);
        return Safetensors.Entry.of(name, DType.F32, values, values.length);
    }

    private void log(Map<String, Object> fields) throws IOException {
        ObjectNode line = JSON_LINE.createObjectNode();
        line.put("step", (Integer) fields.get("step"));
        fields.entrySet().stream().filter(e -> !e.getKey().equals("step")).sorted(Map.Entry.comparingByKey())
                .forEach(e -> line.putPOJO(e.getKey(), e.getValue()));
        Files.writeString(out.resolve("logs").resolve("metrics.jsonl"), JSON_LINE.writeValueAsString(line) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Drops metrics logged after {@code lastStep} (by a run that crashed later) and reloads the curves. */
    private void truncateMetrics(int lastStep) throws IOException {
        Path file = out.resolve("logs").resolve("metrics.jsonl");
        if (!Files.exists(file)) {
            return;
        }
        var kept = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode json;
            try {
                json = JSON_LINE.readTree(line);
            } catch (IOException e) {
                continue;
            }
            int at = json.path("step").asInt(Integer.MAX_VALUE);
            if (at <= lastStep) {
                kept.append(line).append('\n');
                if (json.has("loss")) {
                    trainCurve.add(new LossPlot.Point(at, json.get("loss").asDouble()));
                } else if (json.has("val_loss")) {
                    valCurve.add(new LossPlot.Point(at, json.get("val_loss").asDouble()));
                }
            }
        }
        Files.writeString(file, kept);
    }

    private static double round(double value) {
        return Math.round(value * 1e4) / 1e4;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
