package dev.jchat.model.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.Checkpoint;
import dev.jchat.model.GoldenTiny;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.ReferenceBackend;
import dev.jchat.model.cpu.CpuBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generation with a KV cache on the golden tiny checkpoint (2 layers, 4 query heads sharing 2 kv heads): the same
 * tokens as PyTorch's greedy decoding and the same logits as a full recomputation at every step, on the CPU and in
 * double precision; and the engine's bookkeeping (copies, samples, limits, injected tokens).
 */
class EngineTest {
    private static GoldenTiny golden;
    private static CpuBackend cpu;
    private static LlamaModel model;
    private static Engine engine;

    @BeforeAll
    static void load() throws IOException {
        golden = GoldenTiny.load();
        cpu = new CpuBackend(2);
        model = Checkpoint.load(GoldenTiny.dir(), cpu);
        engine = new Engine(model);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    @Test
    void greedyDecodingGivesPyTorchsTokensAndTheFullRecomputationsLogits() throws IOException {
        int[] prompt = golden.greedyPrompt();
        int[] expected = golden.greedyGenerated();
        var generation = engine.generate(prompt, new Engine.Options(1, expected.length, SamplingParams.greedy(), 0),
                (sample, token) -> true);
        assertArrayEquals(expected, generation.completions().getFirst().tokens());
        assertEquals(Engine.Finish.LENGTH, generation.completions().getFirst().finish());

        try (Backend reference = new ReferenceBackend()) {
            LlamaModel exact = Checkpoint.load(GoldenTiny.dir(), reference);
            for (var pair : List.of(new Object[] {model, 1e-4}, new Object[] {exact, 1e-9})) {
                LlamaModel m = (LlamaModel) pair[0];
                double tol = (double) pair[1];
                Sequence sequence = new Engine(m).start(prompt);
                int[] all = Arrays.copyOf(prompt, prompt.length + expected.length);
                for (int step = 0; step < expected.length; step++) {
                    int length = prompt.length + step;
                    float[] cached = sequence.logits();
                    float[] full = m.lastLogits(all, length);
                    for (int v = 0; v < full.length; v++) {
                        assertEquals(full[v], cached[v], tol, m.backend().name() + " step " + step + " logit " + v);
                    }
                    assertEquals(expected[step], Sampler.argmax(cached));
                    sequence.append(expected[step]);
                    all[length] = expected[step];
                }
            }
        }
    }

    @Test
    void aPromptFedInPiecesOrWithInjectedTokensGivesTheSameLogitsAsOnePrefill() {
        int[] tokens = golden.sequences().get(1);
        float[] whole = engine.start(Arrays.copyOf(tokens, 30)).logits();
        Sequence pieces = engine.start(Arrays.copyOf(tokens, 1));
        pieces.logits();
        for (int i = 1; i < 30; i += 7) {
            pieces.append(Arrays.copyOfRange(tokens, i, Math.min(30, i + 7)));
            pieces.logits();
        }
        assertArrayEquals(Arrays.copyOf(tokens, 30), pieces.tokens());
        assertClose(whole, pieces.logits(), 1e-5);

        // a tool's output forced between sampled tokens: the cache continues as if the prompt had held them
        Sequence tool = engine.start(Arrays.copyOf(tokens, 10));
        int sampled = tool.sample(SamplingParams.greedy(), new SplittableRandom(0));
        tool.append(sampled);
        tool.append(40, 41, 42);
        int[] same = Arrays.copyOf(tokens, 14);
        same[10] = sampled;
        same[11] = 40;
        same[12] = 41;
        same[13] = 42;
        assertClose(engine.start(same).logits(), tool.logits(), 1e-5);
    }

    @Test
    void aCopyContinuesExactlyAsTheOriginalAndIndependently() {
        Sequence original = engine.start(new int[] {1, 5, 6, 7, 8});
        original.logits();
        Sequence copy = original.copy();
        original.append(9, 10);
        copy.append(9, 10);
        assertArrayEquals(original.logits(), copy.logits());
        copy.append(11);
        assertEquals(7, original.length());
        assertNotEquals(Arrays.toString(original.logits()), Arrays.toString(copy.logits()));
    }

    @Test
    void samplesAreReproducibleAndEachIsTheSingleSampleOfItsSeed() {
        var sampling = new SamplingParams(1.0, 40, 0.95, 0, 1.1, 16, 0, 0);
        int[] prompt = {1, 5, 6, 7};
        var three = engine.generate(prompt, new Engine.Options(3, 12, sampling, 42), (s, t) -> true);
        var again = engine.generate(prompt, new Engine.Options(3, 12, sampling, 42), (s, t) -> true);
        var streamed = new ArrayList<List<Integer>>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        engine.generate(prompt, new Engine.Options(3, 12, sampling, 42), (s, t) -> streamed.get(s).add(t));
        for (int i = 0; i < 3; i++) {
            int[] tokens = three.completions().get(i).tokens();
            assertArrayEquals(tokens, again.completions().get(i).tokens());
            assertArrayEquals(tokens, streamed.get(i).stream().mapToInt(Integer::intValue).toArray());
            var alone = engine.generate(prompt, new Engine.Options(1, 12, sampling, 42 + i), (s, t) -> true);
            assertArrayEquals(tokens, alone.completions().getFirst().tokens(), "sample " + i);
        }
        assertNotEquals(Arrays.toString(three.completions().get(0).tokens()),
                Arrays.toString(three.completions().get(1).tokens()));
        assertEquals(4, three.promptTokens());
        assertTrue(three.decodedTokens() >= 3 && three.decodeNanos() > 0 && three.prefillNanos() > 0);
    }

    @Test
    void samplesEndAtStopTokensTheListenerAndTheContext() {
        int[] prompt = golden.greedyPrompt();
        int first = golden.greedyGenerated()[0];
        var stopped = engine.generate(prompt, new Engine.Options(1, 8, SamplingParams.greedy(), 0, 50, first),
                (s, t) -> true);
        assertEquals(Engine.Finish.STOP_TOKEN, stopped.completions().getFirst().finish());
        assertEquals(0, stopped.completions().getFirst().tokens().length);

        var listener = engine.generate(prompt, new Engine.Options(1, 8, SamplingParams.greedy(), 0), (s, t) -> false);
        assertEquals(Engine.Finish.STOPPED, listener.completions().getFirst().finish());
        assertArrayEquals(new int[] {first}, listener.completions().getFirst().tokens());

        int context = golden.config().seqLen();
        int[] longPrompt = Arrays.copyOf(golden.sequences().getFirst(), context - 3);
        var full = engine.generate(longPrompt, new Engine.Options(1, 100, SamplingParams.greedy(), 0), (s, t) -> true);
        assertEquals(Engine.Finish.CONTEXT, full.completions().getFirst().finish());
        assertEquals(3, full.completions().getFirst().tokens().length);

        var tooLong = assertThrows(IllegalArgumentException.class, () -> engine.start(new int[context]));
        assertTrue(tooLong.getMessage().contains("context is " + context), tooLong.getMessage());
        Sequence sequence = engine.start(new int[] {1});
        assertThrows(IllegalArgumentException.class, () -> sequence.append(golden.config().vocab()));
        assertThrows(IllegalArgumentException.class, () -> sequence.append(new int[context]));
        assertEquals(1, sequence.length());
    }

    private static void assertClose(float[] expected, float[] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "logit " + i);
        }
    }
}
