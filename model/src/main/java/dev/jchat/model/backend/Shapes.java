package dev.jchat.model.backend;

/**
 * The shape checks of every {@link Backend} operation, in one place so that all backends agree on them. A backend
 * calls the check before touching memory, so that a wrong shape fails with a message naming the argument instead of
 * silently reading a neighbouring tensor of the same storage (or, on a GPU, corrupting it). A view may be longer than
 * its shape needs (buffers sized for the longest sequence serve shorter ones); it may not be shorter.
 */
public final class Shapes {

    private Shapes() {}

    public static void embedding(Tensor out, Tensor table, int[] tokens, int n, int c) {
        dims("embedding", n, c);
        holds(out, (long) n * c, "out");
        ids(tokens, n, c == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, table.size() / c), false, "embedding token");
    }

    public static void rmsNorm(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int c) {
        dims("rmsNorm", n, c);
        holds(out, (long) n * c, "out");
        holds(rstd, n, "rstd");
        holds(inp, (long) n * c, "inp");
        holds(weight, c, "weight");
    }

    public static void matmul(Tensor out, Tensor inp, Tensor weight, int n, int k, int m) {
        dims("matmul", n, k, m);
        holds(out, (long) n * m, "out");
        holds(inp, (long) n * k, "inp");
        holds(weight, (long) m * k, "weight");
    }

    /** A Q8_0 matmul: as {@link #matmul} with the weight's own shape. */
    public static void matmul(Tensor out, Tensor inp, QuantizedMatrix weight, int n) {
        dims("matmul", n, weight.rows(), weight.cols());
        holds(out, (long) n * weight.rows(), "out");
        holds(inp, (long) n * weight.cols(), "inp");
    }

    public static void rope(Tensor x, Tensor cos, Tensor sin, int b, int t, int rowStride, int heads, int headDim,
                            int pos0) {
        dims("rope", b, t, rowStride, heads, headDim, pos0);
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rope: head dimension " + headDim + " is odd");
        }
        if ((long) heads * headDim > rowStride) {
            throw new IllegalArgumentException("rope: " + heads + " heads of " + headDim + " exceed the row stride "
                    + rowStride);
        }
        holds(x, (long) b * t * rowStride, "x");
        holds(cos, (long) (pos0 + t) * (headDim / 2), "cos (positions up to " + (pos0 + t) + ")");
        holds(sin, (long) (pos0 + t) * (headDim / 2), "sin (positions up to " + (pos0 + t) + ")");
    }

    public static void attention(Tensor out, Tensor lse, Tensor qkv, int b, int t, int heads, int kvHeads,
                                 int headDim) {
        dims("attention", b, t, headDim);
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: heads (" + heads + ") must be a positive multiple of "
                    + "kv-heads (" + kvHeads + ")");
        }
        holds(out, (long) b * t * heads * headDim, "out");
        holds(lse, (long) b * heads * t, "lse");
        holds(qkv, (long) b * t * (heads + 2L * kvHeads) * headDim, "qkv");
    }

    public static void cachedAttention(Tensor out, Tensor qkv, Tensor keys, Tensor values, int t, int pos0,
                                       int capacity, int heads, int kvHeads, int headDim) {
        dims("cachedAttention", t, pos0, capacity, headDim);
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("cachedAttention: heads (" + heads + ") must be a positive multiple of "
                    + "kv-heads (" + kvHeads + ")");
        }
        if ((long) pos0 + t > capacity) {
            throw new IllegalArgumentException("cachedAttention: positions up to " + ((long) pos0 + t)
                    + " exceed the cache's capacity of " + capacity);
        }
        holds(out, (long) t * heads * headDim, "out");
        holds(qkv, (long) t * (heads + 2L * kvHeads) * headDim, "qkv");
        holds(keys, (long) kvHeads * capacity * headDim, "keys");
        holds(values, (long) kvHeads * capacity * headDim, "values");
    }

    public static void swiglu(Tensor out, Tensor gateUp, int n, int f) {
        dims("swiglu", n, f);
        holds(out, (long) n * f, "out");
        holds(gateUp, 2L * n * f, "gateUp");
    }

    public static void crossEntropy(Tensor dx, Tensor dhead, Tensor x, Tensor head, int[] targets, float[] rowLosses,
                                    int n, int c, int vocab) {
        dims("crossEntropy", n, c, vocab);
        holds(x, (long) n * c, "x");
        holds(head, (long) vocab * c, "head");
        if (dx != null) {
            holds(dx, (long) n * c, "dx");
            if (dhead == null) {
                throw new IllegalArgumentException("crossEntropy: dx given without dhead");
            }
            holds(dhead, (long) vocab * c, "dhead");
        }
        if (rowLosses != null && rowLosses.length < n) {
            throw new IllegalArgumentException("crossEntropy: rowLosses has " + rowLosses.length + " slots for " + n
                    + " rows");
        }
        ids(targets, n, vocab, true, "crossEntropy target");
    }

    public static void orthogonalize(Tensor x, int rows, int cols, int steps) {
        dims("orthogonalize", rows, cols, steps);
        holds(x, (long) rows * cols, "x");
    }

    public static void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, int step) {
        sameSize(params, grads, "adamw grads");
        sameSize(params, m, "adamw m");
        sameSize(params, v, "adamw v");
        if (step < 1) {
            throw new IllegalArgumentException("adamw: step counts from 1, got " + step);
        }
    }

    /** Throws unless the two tensors have the same size. */
    public static void sameSize(Tensor a, Tensor b, String what) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(what + ": sizes differ, " + a.size() + " and " + b.size());
        }
    }

    /** Throws unless {@code t} holds at least {@code elements} numbers. */
    public static void holds(Tensor t, long elements, String name) {
        if (t.size() < elements) {
            throw new IllegalArgumentException(name + " has " + t.size() + " elements, the shape needs " + elements);
        }
    }

    private static void dims(String what, int... dims) {
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(what + ": negative dimension " + d);
            }
        }
    }

    /**
     * Throws unless {@code ids[0..n)} are all in {@code [0, limit)} (negative ids, masked rows, pass when allowed),
     * naming the first bad row. Checked before any work, so that a bad id leaves every output untouched.
     */
    private static void ids(int[] ids, int n, int limit, boolean allowNegative, String what) {
        if (ids.length < n) {
            throw new IllegalArgumentException(what + "s: " + ids.length + " ids for " + n + " rows");
        }
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            if (id >= limit || (id < 0 && !allowNegative)) {
                throw new IllegalArgumentException(what + " " + id + " at row " + i + " is outside [0, " + limit + ")");
            }
        }
    }
}
