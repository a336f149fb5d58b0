package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import jdk.incubator.vector.FloatVector;

/** One AdamW step over a flat parameter array, vectorised and parallel. */
final class AdamW {

    private AdamW() {}

    /**
     * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr·(m̂/(sqrt(v̂) + eps) + wd·p) with m̂ = m/(1−β1^step),
     * v̂ = v/(1−β2^step). The decay is decoupled: it acts on p directly, not through the moments.
     */
    static void step(Parallel pool, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                     int n, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        // dividing by the bias correction is multiplying by its inverse, computed once in double
        float inv1 = (float) (1 / (1 - Math.pow(beta1, step)));
        float inv2 = (float) (1 / (1 - Math.pow(beta2, step)));
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        Vectors.run(pool, n, (start, end) -> {
            int i = start;
            for (int upper = start + F.loopBound(end - start); i < upper; i += LANES) {
                FloatVector gv = FloatVector.fromArray(F, g, gOff + i);
                FloatVector mv = FloatVector.fromArray(F, m, mOff + i).mul(beta1).add(gv.mul(oneMinusBeta1));
                FloatVector vv = FloatVector.fromArray(F, v, vOff + i).mul(beta2).add(gv.mul(gv).mul(oneMinusBeta2));
                mv.intoArray(m, mOff + i);
                vv.intoArray(v, vOff + i);
                FloatVector pv = FloatVector.fromArray(F, p, pOff + i);
                FloatVector update = mv.mul(inv1).div(vv.mul(inv2).sqrt().add(eps)).add(pv.mul(weightDecay));
                pv.sub(update.mul(lr)).intoArray(p, pOff + i);
            }
            for (; i < end; i++) {
                float gi = g[gOff + i];
                float mi = m[mOff + i] * beta1 + gi * oneMinusBeta1;
                float vi = v[vOff + i] * beta2 + gi * gi * oneMinusBeta2;
                m[mOff + i] = mi;
                v[vOff + i] = vi;
                float pi = p[pOff + i];
                p[pOff + i] = pi - (mi * inv1 / ((float) Math.sqrt(vi * inv2) + eps) + pi * weightDecay) * lr;
            }
        });
    }
}
