package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import jdk.incubator.vector.FloatVector;

/** The SwiGLU gate silu(gate)·up on a fused [n, 2f] projection (gate columns, then up columns); parallel over rows. */
final class SwiGlu {

    private SwiGlu() {}

    /** out[i, j] = silu(g)·u with g = gateUp[i, j], u = gateUp[i, f + j], silu(g) = g·σ(g) = g / (1 + e^-g). */
    static void forward(Parallel pool, float[] out, int outOff, float[] gateUp, int guOff, int n, int f) {
        pool.forRange(n, (start, end) -> {
            for (int i = start; i < end; i++) {
                int g = guOff + i * 2 * f;
                int u = g + f;
                int o = outOff + i * f;
                int j = 0;
                for (int upper = F.loopBound(f); j < upper; j += LANES) {
                    FloatVector gv = FloatVector.fromArray(F, gateUp, g + j);
                    gv.div(Vectors.exp(gv.neg()).add(1f)).mul(FloatVector.fromArray(F, gateUp, u + j))
                            .intoArray(out, o + j);
                }
                for (; j < f; j++) {
                    float gj = gateUp[g + j];
                    out[o + j] = gj / (1f + Vectors.exp(-gj)) * gateUp[u + j];
                }
            }
        });
    }

    /** dgate = dy·u·σ(g)·(1 + g·(1 − σ(g))) (the derivative of silu), dup = dy·silu(g). */
    static void backward(Parallel pool, float[] dgateUp, int dguOff, float[] dout, int doutOff, float[] gateUp,
                         int guOff, int n, int f) {
        pool.forRange(n, (start, end) -> {
            for (int i = start; i < end; i++) {
                int g = guOff + i * 2 * f;
                int dg = dguOff + i * 2 * f;
                int dy = doutOff + i * f;
                int j = 0;
                for (int upper = F.loopBound(f); j < upper; j += LANES) {
                    FloatVector gv = FloatVector.fromArray(F, gateUp, g + j);
                    FloatVector uv = FloatVector.fromArray(F, gateUp, g + f + j);
                    FloatVector dyv = FloatVector.fromArray(F, dout, dy + j);
                    FloatVector sig = FloatVector.broadcast(F, 1f).div(Vectors.exp(gv.neg()).add(1f));
                    FloatVector dsilu = gv.mul(sig.neg().add(1f)).add(1f).mul(sig);
                    dyv.mul(uv).mul(dsilu).intoArray(dgateUp, dg + j);
                    dyv.mul(gv.mul(sig)).intoArray(dgateUp, dg + f + j);
                }
                for (; j < f; j++) {
                    float gj = gateUp[g + j];
                    float sig = 1f / (1f + Vectors.exp(-gj));
                    float d = dout[dy + j];
                    dgateUp[dg + j] = d * gateUp[g + f + j] * ((1f + gj * (1f - sig)) * sig);
                    dgateUp[dg + f + j] = d * (gj * sig);
                }
            }
        });
    }
}
