package dev.jchat.data.dedup;

/**
 * numpy's legacy {@code np.random.RandomState}: MT19937 seeded the way {@code RandomState(seed)} seeds it,
 * and {@code randint(low, high, size, dtype=np.uint64)} with the masked rejection sampling that legacy
 * seeding keeps. Only what datatrove's MinHash needs to draw its permutation parameters bit for bit:
 *
 * <pre>
 * gen = np.random.RandomState(seed)
 * a = gen.randint(1, (1 &lt;&lt; 61) - 1, dtype=np.uint64, size=(1, num_hashes))
 * b = gen.randint(0, (1 &lt;&lt; 61) - 1, dtype=np.uint64, size=(1, num_hashes))
 * </pre>
 *
 * Ported from numpy's {@code random/src/mt19937/mt19937.c} ({@code mt19937_seed}, which is the reference
 * {@code init_genrand}; {@code mt19937_init_by_array}; {@code mt19937_gen}; tempering; {@code next64} =
 * first draw in the high half) and {@code random/src/distributions/distributions.c}
 * ({@code random_bounded_uint64_fill} with {@code use_masked=true}). Not thread-safe.
 */
public final class NumpyRandomState {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] key = new int[N];
    private int pos;

    /** {@code RandomState(seed)} for an integer seed in [0, 2^32): {@code init_genrand(seed)}. */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Seed must be between 0 and 2**32 - 1");
        }
        initGenrand((int) seed);
    }

    /** {@code RandomState(array)} for a 1-d array of integers in [0, 2^32): {@code init_by_array}. */
    public NumpyRandomState(long[] seedArray) {
        if (seedArray.length == 0) {
            throw new IllegalArgumentException("Seed must be non-empty");
        }
        int[] initKey = new int[seedArray.length];
        for (int i = 0; i < seedArray.length; i++) {
            if (seedArray[i] < 0 || seedArray[i] > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("Seed values must be between 0 and 2**32 - 1");
            }
            initKey[i] = (int) seedArray[i];
        }
        initByArray(initKey);
    }

    private void initGenrand(int seed) {
        // Knuth's generator, as in the reference implementation; int arithmetic is mod 2^32
        for (int i = 0; i < N; i++) {
            key[i] = seed;
            seed = 1812433253 * (seed ^ (seed >>> 30)) + i + 1;
        }
        pos = N;
    }

    private void initByArray(int[] initKey) {
        initGenrand(19650218);
        int[] mt = key;
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, initKey.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + initKey[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= initKey.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
        pos = N;
    }

    private void generate() {
        int i;
        for (i = 0; i < N - M; i++) {
            int y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
            key[i] = key[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        for (; i < N - 1; i++) {
            int y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
            key[i] = key[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        int y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
        key[N - 1] = key[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        pos = 0;
    }

    /** The next 32-bit output (as an unsigned value in a long): numpy's {@code mt19937_next32}. */
    public long nextUint32() {
        if (pos == N) {
            generate();
        }
        int y = key[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xFFFFFFFFL;
    }

    /** The next 64-bit output: the first 32-bit draw is the high half ({@code mt19937_next64}). */
    public long nextUint64() {
        long hi = nextUint32();
        return hi << 32 | nextUint32();
    }

    /**
     * {@code randint(low, high, size=size, dtype=np.uint64)}: {@code size} draws from [low, high), both bounds
     * and the results read as unsigned 64-bit values.
     */
    public long[] randintUint64(long low, long high, int size) {
        if (Long.compareUnsigned(low, high) >= 0) {
            throw new IllegalArgumentException("low >= high");
        }
        return randintUint64Closed(low, high - 1, size); // numpy shifts to the closed interval [low, high - 1]
    }

    /**
     * {@code randint(low, high, size=size, dtype=np.uint64, endpoint=True)}: draws from [low, high], so that
     * {@code high = -1L} (2^64 − 1) reaches the whole range.
     */
    public long[] randintUint64Closed(long low, long high, int size) {
        if (Long.compareUnsigned(low, high) > 0) {
            throw new IllegalArgumentException("low > high");
        }
        long rng = high - low;
        long[] out = new long[size];
        if (rng == 0) {
            java.util.Arrays.fill(out, low);
        } else if (Long.compareUnsigned(rng, 0xFFFFFFFFL) <= 0) {
            // 32-bit generator for a 32-bit range (the buffer of numpy's buffered_uint32 is unused at 32 bits)
            if (rng == 0xFFFFFFFFL) {
                for (int i = 0; i < size; i++) {
                    out[i] = low + nextUint32();
                }
            } else {
                long mask = mask(rng);
                for (int i = 0; i < size; i++) {
                    long val;
                    do {
                        val = nextUint32() & mask;
                    } while (val > rng);
                    out[i] = low + val;
                }
            }
        } else if (rng == -1L) {
            for (int i = 0; i < size; i++) {
                out[i] = low + nextUint64();
            }
        } else {
            long mask = mask(rng);
            for (int i = 0; i < size; i++) {
                long val;
                do {
                    val = nextUint64() & mask;
                } while (Long.compareUnsigned(val, rng) > 0);
                out[i] = low + val;
            }
        }
        return out;
    }

    /** Smallest all-ones bit mask >= {@code max} (numpy's {@code gen_mask}). */
    static long mask(long max) {
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        mask |= mask >>> 32;
        return mask;
    }
}
