package dev.jchat.model.backend;

import dev.jchat.model.gguf.Q8Blocks;
import java.util.Arrays;

/**
 * The yardstick: every {@link Backend} operation in double precision with plain loops on one thread, written to be
 * read rather than to be fast. The CPU and GPU kernels are tested against it, and it is itself tested against
 * finite differences, which double precision makes sharp. Storage is {@code double[]}; upload and download convert
 * from and to float. Not thread-safe (nor need it be: it is a test instrument).
 */
public final class ReferenceBackend implements Backend {

    /** The memory of a reference tensor. Package-private so that the finite-difference tests can nudge values. */
    record DoubleStorage(double[] data) implements Storage {
        @Override
        public long size() {
            return data.length;
        }
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Storage allocate(long size) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate " + size + " elements in one Java array");
        }
        return new DoubleStorage(new double[(int) size]);
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        double[] d = data(dst);
        int o = off(dst);
        for (int i = 0; i < dst.size(); i++) {
            d[o + i] = src[srcOffset + i];
        }
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        double[] s = data(src);
        int o = off(src);
        for (int i = 0; i < src.size(); i++) {
            dst[dstOffset + i] = (float) s[o + i];
        }
    }

    @Override
    public void fill(Tensor t, float value) {
        double[] d = data(t);
        int o = off(t);
        for (int i = 0; i < t.size(); i++) {
            d[o + i] = value;
        }
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Shapes.sameSize(dst, src, "copy");
        System.arraycopy(data(src), off(src), data(dst), off(dst), (int) src.size());
    }

    @Override
    public void add(Tensor acc, Tensor x) {
        Shapes.sameSize(acc, x, "add");
        double[] a = data(acc);
        double[] b = data(x);
        int ao = off(acc);
        int bo = off(x);
        for (int i = 0; i < acc.size(); i++) {
            a[ao + i] += b[bo + i];
        }
    }

    @Override
    public void embedding(Tensor out, Tensor table, int[] tokens, int n, int c) {
        Shapes.embedding(out, table, tokens, n, c);
        double[] o = data(out);
        double[] w = data(table);
        for (int i = 0; i < n; i++) {
            // out[i, :] = table[tokens[i], :]
            for (int j = 0; j < c; j++) {
                o[off(out) + i * c + j] = w[off(table) + tokens[i] * c + j];
            }
        }
    }

    @Override
    public void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int c) {
        Shapes.embedding(dout, dtable, tokens, n, c);
        double[] dw = data(dtable);
        double[] d = data(dout);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                dw[off(dtable) + tokens[i] * c + j] += d[off(dout) + i * c + j];
            }
        }
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int c, float eps) {
        Shapes.rmsNorm(out, rstd, inp, weight, n, c);
        double[] o = data(out);
        double[] r = data(rstd);
        double[] x = data(inp);
        double[] w = data(weight);
        for (int i = 0; i < n; i++) {
            int row = off(inp) + i * c;
            double ss = 0;
            for (int j = 0; j < c; j++) {
                ss += x[row + j] * x[row + j];
            }
            double s = 1.0 / Math.sqrt(ss / c + eps);
            r[off(rstd) + i] = s;
            for (int j = 0; j < c; j++) {
                o[off(out) + i * c + j] = x[row + j] * s * w[off(weight) + j];
            }
        }
    }

    @Override
    public void rmsNormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                                int n, int c) {
        Shapes.rmsNorm(dinp, rstd, inp, weight, n, c);
        Shapes.holds(dout, (long) n * c, "dout");
        Shapes.holds(dweight, c, "dweight");
        double[] dx = data(dinp);
        double[] dw = data(dweight);
        double[] dy = data(dout);
        double[] x = data(inp);
        double[] w = data(weight);
        double[] r = data(rstd);
        for (int i = 0; i < n; i++) {
            // y_j = x_j · s · w_j with s = (Σx²/c + eps)^-½, so ∂s/∂x_j = -s³·x_j/c and
            // dx_j = s·w_j·dy_j − x_j·s³/c · Σ_k dy_k·w_k·x_k
            int row = i * c;
            double s = r[off(rstd) + i];
            double dot = 0;
            for (int j = 0; j < c; j++) {
                dot += dy[off(dout) + row + j] * w[off(weight) + j] * x[off(inp) + row + j];
            }
            for (int j = 0; j < c; j++) {
                double xj = x[off(inp) + row + j];
                double dyj = dy[off(dout) + row + j];
                dx[off(dinp) + row + j] += s * w[off(weight) + j] * dyj - xj * s * s * s * dot / c;
                dw[off(dweight) + j] += dyj * xj * s;
            }
        }
    }

    @Override
    public void matmul(Tensor out, Tensor inp, Tensor weight, int n, int k, int m) {
        Shapes.matmul(out, inp, weight, n, k, m);
        double[] o = data(out);
        double[] x = data(inp);
        double[] w = data(weight);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += x[off(inp) + i * k + p] * w[off(weight) + j * k + p];
                }
                o[off(out) + i * m + j] = sum;
            }
        }
    }

    /** Q8_0 weights held dequantised in double: the exact values, the yardstick of the CPU kernel. */
    private record ReferenceQ8(Q8Blocks blocks, double[] values) implements QuantizedMatrix {
        @Override
        public int rows() {
            return blocks.rows();
        }

        @Override
        public int cols() {
            return blocks.cols();
        }
    }

    @Override
    public QuantizedMatrix upload(Q8Blocks blocks) {
        float[] values = blocks.dequantize();
        double[] exact = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            exact[i] = values[i];
        }
        return new ReferenceQ8(blocks, exact);
    }

    @Override
    public Q8Blocks download(QuantizedMatrix matrix) {
        return reference(matrix).blocks();
    }

    @Override
    public void matmul(Tensor out, Tensor inp, QuantizedMatrix weight, int n) {
        Shapes.matmul(out, inp, weight, n);
        double[] w = reference(weight).values();
        double[] o = data(out);
        double[] x = data(inp);
        int k = weight.cols();
        int m = weight.rows();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += x[off(inp) + i * k + p] * w[j * k + p];
                }
                o[off(out) + i * m + j] = sum;
            }
        }
    }

    private static ReferenceQ8 reference(QuantizedMatrix matrix) {
        if (!(matrix instanceof ReferenceQ8 q)) {
            throw new IllegalArgumentException("a " + matrix.getClass().getSimpleName()
                    + " matrix passed to the reference backend");
        }
        return q;
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, int n, int k,
                               int m) {
        Shapes.matmul(dout, inp, weight, n, k, m);
        Shapes.holds(dweight, (long) m * k, "dweight");
        if (dinp != null) {
            Shapes.holds(dinp, (long) n * k, "dinp");
        }
        double[] dy = data(dout);
        double[] x = data(inp);
        double[] w = data(weight);
        double[] dw = data(dweight);
        double[] dx = dinp == null ? null : data(dinp);
        if (dx != null) {
            Arrays.fill(dx, off(dinp), off(dinp) + n * k, 0);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double d = dy[off(dout) + i * m + j];
                for (int p = 0; p < k; p++) {
                    // out[i, j] = Σ_p inp[i, p]·w[j, p]
                    if (dx != null) {
                        dx[off(dinp) + i * k + p] += d * w[off(weight) + j * k + p];
                    }
                    dw[off(dweight) + j * k + p] += d * x[off(inp) + i * k + p];
                }
            }
        }
    }

    @Override
    public void rope(Tensor x, Tensor cos, Tensor sin, int b, int t, int rowStride, int heads, int headDim, int pos0,
                     boolean inverse) {
        Shapes.rope(x, cos, sin, b, t, rowStride, heads, headDim, pos0);
        double[] v = data(x);
        double[] cs = data(cos);
        double[] sn = data(sin);
        int half = headDim / 2;
        // the inverse of a rotation by θ is the rotation by −θ: flip the sign of sin
        double sign = inverse ? -1 : 1;
        for (int bt = 0; bt < b * t; bt++) {
            int pos = pos0 + bt % t;
            for (int h = 0; h < heads; h++) {
                int base = off(x) + bt * rowStride + h * headDim;
                for (int i = 0; i < half; i++) {
                    // HF rotate_half: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin), x1 = x[i], x2 = x[i + half]
                    double c = cs[off(cos) + pos * half + i];
                    double s = sign * sn[off(sin) + pos * half + i];
                    double x1 = v[base + i];
                    double x2 = v[base + half + i];
                    v[base + i] = x1 * c - x2 * s;
                    v[base + half + i] = x2 * c + x1 * s;
                }
            }
        }
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor qkv, int b, int t, int heads, int kvHeads, int headDim) {
        Shapes.attention(out, lse, qkv, b, t, heads, kvHeads, headDim);
        double[] o = data(out);
        double[] l = data(lse);
        double[] in = data(qkv);
        int rowStride = (heads + 2 * kvHeads) * headDim;
        double scale = 1.0 / Math.sqrt(headDim);
        double[] scores = new double[t];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int kh = h / (heads / kvHeads);
                for (int i = 0; i < t; i++) {
                    int q = off(qkv) + (bi * t + i) * rowStride + h * headDim;
                    // scores[j] = q·k_j / sqrt(headDim) for the keys j ≤ i (causal)
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        int k = off(qkv) + (bi * t + j) * rowStride + (heads + kh) * headDim;
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += in[q + d] * in[k + d];
                        }
                        scores[j] = dot * scale;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        sum += Math.exp(scores[j] - max);
                    }
                    double logSum = max + Math.log(sum);
                    l[off(lse) + (bi * heads + h) * t + i] = logSum;
                    // out_i = Σ_j softmax_j · v_j
                    int dst = off(out) + (bi * t + i) * heads * headDim + h * headDim;
                    for (int d = 0; d < headDim; d++) {
                        o[dst + d] = 0;
                    }
                    for (int j = 0; j <= i; j++) {
                        double p = Math.exp(scores[j] - logSum);
                        int v = off(qkv) + (bi * t + j) * rowStride + (heads + kvHeads + kh) * headDim;
                        for (int d = 0; d < headDim; d++) {
                            o[dst + d] += p * in[v + d];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void cachedAttention(Tensor out, Tensor qkv, Tensor keys, Tensor values, int t, int pos0, int capacity,
                                int heads, int kvHeads, int headDim) {
        Shapes.cachedAttention(out, qkv, keys, values, t, pos0, capacity, heads, kvHeads, headDim);
        double[] o = data(out);
        double[] in = data(qkv);
        double[] kc = data(keys);
        double[] vc = data(values);
        int rowStride = (heads + 2 * kvHeads) * headDim;
        // the new rows' keys and values go to their positions in the cache first: row i then sees itself
        for (int i = 0; i < t; i++) {
            for (int g = 0; g < kvHeads; g++) {
                for (int d = 0; d < headDim; d++) {
                    // keys [kvHeads, capacity·headDim] in tiles (Backend.keyIndex), values [kvHeads, capacity, headDim]
                    kc[off(keys) + g * capacity * headDim + Backend.keyIndex(pos0 + i, d, capacity, headDim)] =
                            in[off(qkv) + i * rowStride + (heads + g) * headDim + d];
                    vc[off(values) + (g * capacity + pos0 + i) * headDim + d] =
                            in[off(qkv) + i * rowStride + (heads + kvHeads + g) * headDim + d];
                }
            }
        }
        double scale = 1.0 / Math.sqrt(headDim);
        double[] scores = new double[pos0 + t];
        for (int h = 0; h < heads; h++) {
            int g = h / (heads / kvHeads);
            for (int i = 0; i < t; i++) {
                int q = off(qkv) + i * rowStride + h * headDim;
                int visible = pos0 + i + 1;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += in[q + d] * kc[off(keys) + g * capacity * headDim
                                + Backend.keyIndex(j, d, capacity, headDim)];
                    }
                    scores[j] = dot * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                int dst = off(out) + i * heads * headDim + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int j = 0; j < visible; j++) {
                        acc += scores[j] * vc[off(values) + (g * capacity + j) * headDim + d];
                    }
                    o[dst + d] = acc / sum;
                }
            }
        }
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, Tensor lse, int b, int t,
                                  int heads, int kvHeads, int headDim) {
        Shapes.attention(out, lse, qkv, b, t, heads, kvHeads, headDim);
        Shapes.holds(dout, (long) b * t * heads * headDim, "dout");
        Shapes.holds(dqkv, (long) b * t * (heads + 2L * kvHeads) * headDim, "dqkv");
        double[] dIn = data(dqkv);
        double[] dy = data(dout);
        double[] in = data(qkv);
        double[] l = data(lse);
        int rowStride = (heads + 2 * kvHeads) * headDim;
        double scale = 1.0 / Math.sqrt(headDim);
        double[] p = new double[t];
        double[] dp = new double[t];
        Arrays.fill(dIn, off(dqkv), off(dqkv) + b * t * rowStride, 0);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int kh = h / (heads / kvHeads);
                for (int i = 0; i < t; i++) {
                    int q = (bi * t + i) * rowStride + h * headDim;
                    int dyRow = off(dout) + (bi * t + i) * heads * headDim + h * headDim;
                    double logSum = l[off(lse) + (bi * heads + h) * t + i];
                    // recompute p_j = softmax_j from the saved log-sum-exp; dp_j = ∂L/∂p_j = dy·v_j
                    double pdp = 0;
                    for (int j = 0; j <= i; j++) {
                        int k = (bi * t + j) * rowStride + (heads + kh) * headDim;
                        int v = (bi * t + j) * rowStride + (heads + kvHeads + kh) * headDim;
                        double dot = 0;
                        double dyv = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += in[off(qkv) + q + d] * in[off(qkv) + k + d];
                            dyv += dy[dyRow + d] * in[off(qkv) + v + d];
                        }
                        p[j] = Math.exp(dot * scale - logSum);
                        dp[j] = dyv;
                        pdp += p[j] * dp[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        // softmax Jacobian: ∂L/∂score_j = p_j·(dp_j − Σ_k p_k·dp_k)
                        double ds = p[j] * (dp[j] - pdp) * scale;
                        int k = (bi * t + j) * rowStride + (heads + kh) * headDim;
                        int v = (bi * t + j) * rowStride + (heads + kvHeads + kh) * headDim;
                        for (int d = 0; d < headDim; d++) {
                            dIn[off(dqkv) + q + d] += ds * in[off(qkv) + k + d];
                            dIn[off(dqkv) + k + d] += ds * in[off(qkv) + q + d];
                            dIn[off(dqkv) + v + d] += p[j] * dy[dyRow + d];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void swiglu(Tensor out, Tensor gateUp, int n, int f) {
        Shapes.swiglu(out, gateUp, n, f);
        double[] o = data(out);
        double[] gu = data(gateUp);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                double g = gu[off(gateUp) + i * 2 * f + j];
                double u = gu[off(gateUp) + i * 2 * f + f + j];
                o[off(out) + i * f + j] = g / (1 + Math.exp(-g)) * u;
            }
        }
    }

    @Override
    public void swigluBackward(Tensor dgateUp, Tensor dout, Tensor gateUp, int n, int f) {
        Shapes.swiglu(dout, gateUp, n, f);
        Shapes.holds(dgateUp, 2L * n * f, "dgateUp");
        double[] dgu = data(dgateUp);
        double[] dy = data(dout);
        double[] gu = data(gateUp);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                int gi = i * 2 * f + j;
                double g = gu[off(gateUp) + gi];
                double u = gu[off(gateUp) + gi + f];
                double d = dy[off(dout) + i * f + j];
                // silu(g) = g·σ(g), silu'(g) = σ(g)·(1 + g·(1 − σ(g)))
                double sig = 1 / (1 + Math.exp(-g));
                dgu[off(dgateUp) + gi] = d * u * sig * (1 + g * (1 - sig));
                dgu[off(dgateUp) + gi + f] = d * g * sig;
            }
        }
    }

    @Override
    public double crossEntropy(Tensor dx, Tensor dhead, Tensor x, Tensor head, int[] targets, float[] rowLosses,
                               int n, int c, int vocab, float gradScale) {
        Shapes.crossEntropy(dx, dhead, x, head, targets, rowLosses, n, c, vocab);
        double[] in = data(x);
        double[] w = data(head);
        double[] logits = new double[vocab];
        double total = 0;
        if (dx != null) {
            Arrays.fill(data(dx), off(dx), off(dx) + n * c, 0);
        }
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0) {
                if (rowLosses != null) {
                    rowLosses[i] = 0;
                }
                continue;
            }
            // logits[v] = x_i · head_v; loss = logsumexp(logits) − logits[target]
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                double dot = 0;
                for (int p = 0; p < c; p++) {
                    dot += in[off(x) + i * c + p] * w[off(head) + v * c + p];
                }
                logits[v] = dot;
                max = Math.max(max, dot);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[v] - max);
            }
            double logSum = max + Math.log(sum);
            double loss = logSum - logits[targets[i]];
            total += loss;
            if (rowLosses != null) {
                rowLosses[i] = (float) loss;
            }
            if (dx == null) {
                continue;
            }
            double[] dIn = data(dx);
            double[] dw = data(dhead);
            for (int v = 0; v < vocab; v++) {
                // ∂loss/∂logits[v] = softmax[v] − [v == target]
                double dl = gradScale * (Math.exp(logits[v] - logSum) - (v == targets[i] ? 1 : 0));
                for (int p = 0; p < c; p++) {
                    dIn[off(dx) + i * c + p] += dl * w[off(head) + v * c + p];
                    dw[off(dhead) + v * c + p] += dl * in[off(x) + i * c + p];
                }
            }
        }
        return total;
    }

    @Override
    public double sumOfSquares(Tensor t) {
        double[] d = data(t);
        double sum = 0;
        for (int i = 0; i < t.size(); i++) {
            sum += d[off(t) + i] * d[off(t) + i];
        }
        return sum;
    }

    @Override
    public void scale(Tensor t, float factor) {
        double[] d = data(t);
        for (int i = 0; i < t.size(); i++) {
            d[off(t) + i] *= factor;
        }
    }

    @Override
    public void addScaled(Tensor acc, Tensor x, float factor) {
        Shapes.sameSize(acc, x, "addScaled");
        double[] a = data(acc);
        double[] b = data(x);
        for (int i = 0; i < acc.size(); i++) {
            a[off(acc) + i] += factor * b[off(x) + i];
        }
    }

    @Override
    public void orthogonalize(Tensor x, int rows, int cols, int steps) {
        Shapes.orthogonalize(x, rows, cols, steps);
        boolean transposed = rows > cols;
        int r = Math.min(rows, cols);
        int c = Math.max(rows, cols);
        double[] d = data(x);
        // X [r, c]: x itself, or its transpose when x is tall
        double[] m = new double[r * c];
        double norm = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double v = d[off(x) + i * cols + j];
                m[transposed ? j * c + i : i * c + j] = v;
                norm += v * v;
            }
        }
        norm = Math.sqrt(norm) + 1e-7;
        for (int i = 0; i < m.length; i++) {
            m[i] /= norm;
        }
        for (int step = 0; step < steps; step++) {
            // A [r, r] = X·Xᵀ; B = b·A + c·A·A; X ← a·X + B·X
            double[] a = new double[r * r];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    double sum = 0;
                    for (int k = 0; k < c; k++) {
                        sum += m[i * c + k] * m[j * c + k];
                    }
                    a[i * r + j] = sum;
                }
            }
            double[] b = new double[r * r];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    double sum = 0;
                    for (int k = 0; k < r; k++) {
                        sum += a[i * r + k] * a[k * r + j];
                    }
                    b[i * r + j] = NS_B * a[i * r + j] + NS_C * sum;
                }
            }
            double[] next = new double[r * c];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    double sum = NS_A * m[i * c + j];
                    for (int k = 0; k < r; k++) {
                        sum += b[i * r + k] * m[k * c + j];
                    }
                    next[i * c + j] = sum;
                }
            }
            m = next;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[off(x) + i * cols + j] = m[transposed ? j * c + i : i * c + j];
            }
        }
    }

    /** Keller Jordan's quintic Newton–Schulz coefficients (Muon). */
    private static final double NS_A = 3.4445;
    private static final double NS_B = -4.7750;
    private static final double NS_C = 2.0315;

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        Shapes.adamw(params, grads, m, v, step);
        double[] p = data(params);
        double[] g = data(grads);
        double[] m1 = data(m);
        double[] m2 = data(v);
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < params.size(); i++) {
            double gi = g[off(grads) + i];
            int mi = off(m) + i;
            int vi = off(v) + i;
            m1[mi] = beta1 * m1[mi] + (1 - beta1) * gi;
            m2[vi] = beta2 * m2[vi] + (1 - beta2) * gi * gi;
            double mHat = m1[mi] / correction1;
            double vHat = m2[vi] / correction2;
            int pi = off(params) + i;
            p[pi] -= lr * (mHat / (Math.sqrt(vHat) + eps) + weightDecay * p[pi]);
        }
    }

    @Override
    public void close() {}

    static double[] data(Tensor t) {
        if (!(t.storage() instanceof DoubleStorage s)) {
            throw new IllegalArgumentException("a " + t.storage().getClass().getSimpleName()
                    + " tensor passed to the reference backend");
        }
        return s.data;
    }

    private static int off(Tensor t) {
        return (int) t.offset();
    }
}
