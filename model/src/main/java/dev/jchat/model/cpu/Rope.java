package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import jdk.incubator.vector.FloatVector;

/** Rotary position embedding in place, HF {@code rotate_half} convention, parallel over the b·t rows. */
final class Rope {

    private Rope() {}

    /**
     * x [b, t, rowStride]: the first {@code heads} heads of each row rotate by the angle of position pos0 + t, with
     * dimension i paired with i + headDim/2: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin). cos, sin are
     * [maxPositions, headDim/2]. {@code inverse} rotates by −θ (sin negated): the backward pass.
     */
    static void apply(Parallel pool, float[] x, int xOff, float[] cos, int cosOff, float[] sin, int sinOff, int b,
                      int t, int rowStride, int heads, int headDim, int pos0, boolean inverse) {
        int half = headDim / 2;
        float sign = inverse ? -1f : 1f;
        pool.forRange(b * t, (start, end) -> {
            for (int row = start; row < end; row++) {
                int angles = (pos0 + row % t) * half;
                for (int h = 0; h < heads; h++) {
                    int x1 = xOff + row * rowStride + h * headDim;
                    int x2 = x1 + half;
                    int i = 0;
                    for (int upper = F.loopBound(half); i < upper; i += LANES) {
                        FloatVector c = FloatVector.fromArray(F, cos, cosOff + angles + i);
                        FloatVector s = FloatVector.fromArray(F, sin, sinOff + angles + i).mul(sign);
                        FloatVector a = FloatVector.fromArray(F, x, x1 + i);
                        FloatVector bv = FloatVector.fromArray(F, x, x2 + i);
                        a.mul(c).sub(bv.mul(s)).intoArray(x, x1 + i);
                        bv.mul(c).add(a.mul(s)).intoArray(x, x2 + i);
                    }
                    for (; i < half; i++) {
                        float c = cos[cosOff + angles + i];
                        float s = sign * sin[sinOff + angles + i];
                        float a = x[x1 + i];
                        float bv = x[x2 + i];
                        x[x1 + i] = a * c - bv * s;
                        x[x2 + i] = bv * c + a * s;
                    }
                }
            }
        });
    }
}
