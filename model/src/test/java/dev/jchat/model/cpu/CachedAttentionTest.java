package dev.jchat.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.ReferenceBackend;
import dev.jchat.model.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attention against a KV cache, CPU against the double-precision reference: one decode row, prefills from position 0
 * (the training kernel's path), and runs of rows after a filled cache, with grouped-query heads and head sizes off
 * and on the vector width; and a sequence fed in pieces against the training kernel on the whole of it.
 */
class CachedAttentionTest {

    private static CpuBackend cpu;
    private final ReferenceBackend ref = new ReferenceBackend();

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @Test
    void matchesTheReferenceAndWritesTheNewKeysAndValues() {
        // t, pos0, capacity, heads, kvHeads, headDim
        int[][] shapes = {{1, 0, 8, 4, 2, 12}, {1, 37, 64, 4, 2, 12}, {5, 0, 9, 4, 4, 16}, {13, 70, 130, 6, 2, 64},
                {1, 129, 130, 2, 1, 37}, {40, 3, 50, 3, 3, 8}, {1, 200, 256, 4, 2, 16}, {2, 228, 230, 4, 2, 16},
                {3, 190, 200, 2, 2, 24}};
        var random = new Random(3);
        for (int[] s : shapes) {
            int t = s[0];
            int pos0 = s[1];
            int capacity = s[2];
            int heads = s[3];
            int kv = s[4];
            int hd = s[5];
            String what = "t " + t + " pos0 " + pos0 + " heads " + heads + "/" + kv + " hd " + hd;
            float[] qkv = randoms(random, t * (heads + 2 * kv) * hd, 1.5f);
            // earlier positions hold keys and values; later ones garbage that must not be read
            float[] keys = randoms(random, kv * capacity * hd, 1.5f);
            float[] values = randoms(random, kv * capacity * hd, 1f);
            float[] cpuOut = run(cpu, qkv, keys, values, t, pos0, capacity, heads, kv, hd);
            float[] refOut = run(ref, qkv, keys, values, t, pos0, capacity, heads, kv, hd);
            assertClose(what, refOut, cpuOut, 1e-5);
            // the new rows' keys (transposed in tiles) and values sit in the cache at their positions, in both backends
            for (Backend backend : new Backend[] {cpu, ref}) {
                float[][] cache = cacheAfter(backend, qkv, keys, values, t, pos0, capacity, heads, kv, hd);
                for (int i = 0; i < t; i++) {
                    for (int g = 0; g < kv; g++) {
                        for (int d = 0; d < hd; d++) {
                            int src = i * (heads + 2 * kv) * hd + (heads + g) * hd + d;
                            // keys in tiles of 64 positions, each [hd, width], the last one as wide as is left
                            int p = pos0 + i;
                            int tile = p / 64 * 64;
                            int key = g * capacity * hd + tile * hd + d * Math.min(64, capacity - tile) + p - tile;
                            assertEquals(qkv[src], cache[0][key], what + " key");
                            assertEquals(qkv[src + kv * hd], cache[1][(g * capacity + pos0 + i) * hd + d],
                                    what + " value");
                        }
                    }
                }
            }
        }
    }

    @Test
    void aPrefillThenRowsAgainstTheCacheGiveTheTrainingKernelsAttention() {
        int t = 70;
        int first = 30;
        int heads = 4;
        int kv = 2;
        int hd = 16;
        int width = (heads + 2 * kv) * hd;
        float[] qkv = randoms(new Random(5), t * width, 1.5f);
        Tensor out = Tensor.of(cpu.allocate(t * heads * hd));
        Tensor in = Tensor.of(cpu.allocate(qkv.length));
        cpu.upload(in, qkv, 0);
        cpu.attention(out, Tensor.of(cpu.allocate(heads * t)), in, 1, t, heads, kv, hd);
        float[] whole = new float[t * heads * hd];
        cpu.download(out, whole, 0);

        // rows [0, 30) as a prefill, then [30, 70) as rows against the cache it filled, in pieces of 1 and 39
        Tensor keys = Tensor.of(cpu.allocate(kv * t * hd));
        Tensor values = Tensor.of(cpu.allocate(kv * t * hd));
        int[][] pieces = {{0, first}, {first, 1}, {first + 1, t - first - 1}};
        float[] cached = new float[t * heads * hd];
        for (int[] piece : pieces) {
            int pos0 = piece[0];
            int rows = piece[1];
            Tensor part = Tensor.of(cpu.allocate(rows * heads * hd));
            cpu.cachedAttention(part, in.slice((long) pos0 * width, (long) rows * width), keys, values, rows, pos0, t,
                    heads, kv, hd);
            cpu.download(part, cached, pos0 * heads * hd);
        }
        assertClose("training attention", whole, cached, 1e-5);
    }

    @Test
    void refusesPositionsBeyondTheCache() {
        for (Backend backend : new Backend[] {cpu, ref}) {
            var e = assertThrows(IllegalArgumentException.class, () -> run(backend, new float[3 * 2 * 4],
                    new float[8 * 4], new float[8 * 4], 3, 6, 8, 1, 1, 4));
            assertTrue(e.getMessage().contains("capacity of 8"), e.getMessage());
        }
    }

    private static float[] run(Backend backend, float[] qkv, float[] keys, float[] values, int t, int pos0,
                               int capacity, int heads, int kv, int hd) {
        Tensor[] ts = tensors(backend, qkv, keys, values, t, heads, hd);
        backend.cachedAttention(ts[0], ts[1], ts[2], ts[3], t, pos0, capacity, heads, kv, hd);
        float[] out = new float[t * heads * hd];
        backend.download(ts[0], out, 0);
        return out;
    }

    private static float[][] cacheAfter(Backend backend, float[] qkv, float[] keys, float[] values, int t, int pos0,
                                        int capacity, int heads, int kv, int hd) {
        Tensor[] ts = tensors(backend, qkv, keys, values, t, heads, hd);
        backend.cachedAttention(ts[0], ts[1], ts[2], ts[3], t, pos0, capacity, heads, kv, hd);
        float[][] cache = {new float[keys.length], new float[values.length]};
        backend.download(ts[2], cache[0], 0);
        backend.download(ts[3], cache[1], 0);
        return cache;
    }

    /** out, qkv, keys, values: views at an offset into one storage, so a kernel that ignores offsets fails. */
    private static Tensor[] tensors(Backend backend, float[] qkv, float[] keys, float[] values, int t, int heads,
                                    int hd) {
        int outSize = t * heads * hd;
        var storage = backend.allocate(11 + outSize + qkv.length + keys.length + values.length);
        Tensor out = new Tensor(storage, 11, outSize);
        Tensor in = new Tensor(storage, 11 + outSize, qkv.length);
        Tensor k = new Tensor(storage, 11 + outSize + qkv.length, keys.length);
        Tensor v = new Tensor(storage, 11 + outSize + qkv.length + keys.length, values.length);
        backend.upload(in, qkv, 0);
        backend.upload(k, keys, 0);
        backend.upload(v, values, 0);
        return new Tensor[] {out, in, k, v};
    }

    private static float[] randoms(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tol) {
        double max = 0;
        for (float e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, max), what + " at " + i);
        }
    }
}
