package dev.jchat.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.ParameterLayout;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.data.TokenShardWriter;
import dev.jchat.model.data.TokenShards;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's guard rails: schedules, and a loss that stops being finite. */
class PretrainingTest {

    static final ModelConfig TINY = new ModelConfig(2, 2, 2, 16, 32, 50, 16, 10_000, 1e-5, false, 0, 1);

    /** Random tokens in llm.c shards with a meta file, as jchat tokenize writes them. */
    static TokenShards shards(Path dir) throws IOException {
        var random = new Random(4);
        var splits = new ArrayList<TokenShards.Split>();
        for (String split : List.of("train", "val")) {
            try (var writer = new TokenShardWriter(dir, split, TINY.vocab(), TokenShardWriter.DEFAULT_TOKENS_PER_SHARD)) {
                writer.write(random.ints(4_000, 0, TINY.vocab()).toArray());
                List<Path> files = writer.finish();
                splits.add(new TokenShards.Split(1, 4_000, 4_000, files.stream().map(f -> f.getFileName().toString()).toList()));
            }
        }
        new TokenShards.Meta(TINY.vocab(), 0, "test", null, TokenShardWriter.DEFAULT_TOKENS_PER_SHARD, splits.get(0),
                splits.get(1), Map.of()).write(dir);
        return TokenShards.open(dir);
    }

    static Pretraining.Options options(int steps) {
        return new Pretraining.Options(2, 1, steps, new LearningRateSchedule(LearningRateSchedule.Shape.COSINE, 1e-3, 1,
                steps, 0.1, 0.2), 0.1f, 1f, 0, 1, 0, 2, 7, 570, 0);
    }

    static final Pretraining.Listener QUIET = new Pretraining.Listener() {
        @Override
        public void step(Pretraining.StepMetrics metrics) {}

        @Override
        public void evaluated(int step, double valLoss, double bitsPerByte) {}

        @Override
        public void sampled(int step, List<String> samples) {}

        @Override
        public void saved(int step, Path checkpoint) {}
    };

    @Test
    void aNonFiniteLossStopsTrainingNamingTheStepAndLayerAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws IOException {
        TokenShards shards = shards(dir.resolve("tokens"));
        Path out = dir.resolve("run");
        try (var backend = new CpuBackend(2)) {
            var model = new LlamaModel(TINY, backend, 1);
            var run = new Pretraining(out, model, shards, new int[TINY.vocab()], options(2), null, null, QUIET);
            run.run();
            assertEquals(out.resolve("step_000002"), Pretraining.latest(out));

            ParameterLayout.Parameter up = model.layout().parameter("model.layers.1.mlp.up_proj.weight");
            float[] huge = new float[(int) up.size()];
            java.util.Arrays.fill(huge, Float.MAX_VALUE);
            backend.upload(model.parameter(up), huge, 0);
            var diverging = new Pretraining(out, model, shards, new int[TINY.vocab()], options(4), null, null, QUIET);
            diverging.resume();
            backend.upload(model.parameter(up), huge, 0);
            var error = assertThrows(Pretraining.DivergedException.class, diverging::run);
            assertTrue(error.getMessage().contains("at step 3") && error.getMessage().contains("layer 1 MLP")
                    && error.getMessage().contains("step_000002"), error.getMessage());
            assertEquals(out.resolve("step_000002"), Pretraining.latest(out));
            assertTrue(Files.notExists(out.resolve("step_000003")));
        }
    }

    @Test
    void schedulesWarmUpThenDecayToTheirFloor() {
        var cosine = new LearningRateSchedule(LearningRateSchedule.Shape.COSINE, 1.0, 10, 110, 0.1, 0.2);
        assertEquals(0.1, cosine.at(0), 1e-12);
        assertEquals(1.0, cosine.at(9), 1e-12);
        assertEquals(1.0, cosine.at(10), 1e-12);
        assertEquals(0.55, cosine.at(60), 1e-12);
        assertEquals(0.1, cosine.at(110), 1e-12);
        var wsd = new LearningRateSchedule(LearningRateSchedule.Shape.WSD, 1.0, 10, 110, 0.0, 0.2);
        assertEquals(1.0, wsd.at(87), 1e-12);
        assertEquals(1.0 - 1.0 / 22, wsd.at(88), 1e-12);
        assertEquals(0.0, wsd.at(109), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Shape.named("linear"));
    }
}
