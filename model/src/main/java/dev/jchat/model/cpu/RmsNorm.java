package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm forward and backward, parallel over rows. The weight gradient sums over all rows, so each thread sums its
 * own fixed share of rows into a private partial [c] and the partials are then added in thread order: no locks, and
 * the same bits every run for a given thread count.
 */
final class RmsNorm {

    private final Parallel pool;
    /** [threads, c] weight-gradient partials, grown on demand and reused. */
    private float[] partials = new float[0];

    RmsNorm(Parallel pool) {
        this.pool = pool;
    }

    /** out[i, :] = inp[i, :]·rstd[i]·weight, rstd[i] = 1/sqrt(mean(inp[i, :]²) + eps); inp, out [n, c]. */
    void forward(float[] out, int outOff, float[] rstd, int rstdOff, float[] inp, int inOff, float[] weight, int wOff,
                 int n, int c, float eps) {
        pool.forRange(n, (start, end) -> {
            float[] lanes = new float[LANES];
            for (int i = start; i < end; i++) {
                int x = inOff + i * c;
                float s = (float) (1.0 / Math.sqrt(Vectors.dot(inp, x, inp, x, c, lanes) / c + eps));
                rstd[rstdOff + i] = s;
                int o = outOff + i * c;
                int j = 0;
                for (int upper = F.loopBound(c); j < upper; j += LANES) {
                    FloatVector.fromArray(F, inp, x + j).mul(s).mul(FloatVector.fromArray(F, weight, wOff + j))
                            .intoArray(out, o + j);
                }
                for (; j < c; j++) {
                    out[o + j] = inp[x + j] * s * weight[wOff + j];
                }
            }
        });
    }

    /**
     * dinp += ∂L/∂inp, dweight += ∂L/∂weight. With y_j = x_j·s·w_j and s = (Σx²/c + eps)^-½:
     * dx_j = s·w_j·dy_j − x_j·s³/c·Σ_k dy_k·w_k·x_k and dw_j = Σ_rows dy_j·x_j·s.
     */
    void backward(float[] dinp, int dinpOff, float[] dweight, int dwOff, float[] dout, int doutOff, float[] inp,
                  int inOff, float[] weight, int wOff, float[] rstd, int rstdOff, int n, int c) {
        int parts = Math.max(1, Math.min(pool.threads(), n));
        if (partials.length < parts * c) {
            partials = new float[parts * c];
        }
        float[] part = partials;
        // one contiguous share of rows per part, and forRange over parts gives each thread exactly one part
        pool.forRange(parts, (pStart, pEnd) -> {
            float[] lanes = new float[LANES];
            for (int p = pStart; p < pEnd; p++) {
                int pw = p * c;
                Arrays.fill(part, pw, pw + c, 0f);
                int rowEnd = (int) ((long) n * (p + 1) / parts);
                for (int i = (int) ((long) n * p / parts); i < rowEnd; i++) {
                    int x = inOff + i * c;
                    int dy = doutOff + i * c;
                    int dx = dinpOff + i * c;
                    float s = rstd[rstdOff + i];
                    // Σ_k dy_k·w_k·x_k
                    FloatVector acc = FloatVector.zero(F);
                    int j = 0;
                    for (int upper = F.loopBound(c); j < upper; j += LANES) {
                        acc = FloatVector.fromArray(F, dout, dy + j).mul(FloatVector.fromArray(F, weight, wOff + j))
                                .fma(FloatVector.fromArray(F, inp, x + j), acc);
                    }
                    acc.intoArray(lanes, 0);
                    float dot = Vectors.sumLanes(lanes);
                    for (; j < c; j++) {
                        dot += dout[dy + j] * weight[wOff + j] * inp[x + j];
                    }
                    float k = -s * s * s * dot / c;
                    j = 0;
                    for (int upper = F.loopBound(c); j < upper; j += LANES) {
                        FloatVector xv = FloatVector.fromArray(F, inp, x + j);
                        FloatVector dyv = FloatVector.fromArray(F, dout, dy + j);
                        FloatVector wv = FloatVector.fromArray(F, weight, wOff + j);
                        dyv.mul(wv).mul(s).add(xv.mul(k)).add(FloatVector.fromArray(F, dinp, dx + j))
                                .intoArray(dinp, dx + j);
                        dyv.mul(xv).mul(s).add(FloatVector.fromArray(F, part, pw + j)).intoArray(part, pw + j);
                    }
                    for (; j < c; j++) {
                        dinp[dx + j] += dout[dy + j] * weight[wOff + j] * s + inp[x + j] * k;
                        part[pw + j] += dout[dy + j] * inp[x + j] * s;
                    }
                }
            }
        });
        // dweight[j] += Σ_p part[p, j], parts in order
        for (int j = 0; j < c; j++) {
            float sum = 0;
            for (int p = 0; p < parts; p++) {
                sum += part[p * c + j];
            }
            dweight[dwOff + j] += sum;
        }
    }
}
