package dev.jchat.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vectorised exp: accurate against Math.exp, bit-identical to its scalar twin, and safe at the edges. */
class VectorsTest {

    @Test
    void expIsAccurateAndMatchesItsScalarTwin() {
        int count = 200_000;
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = -87f + 175f * i / (count - 1);
        }
        float[] y = new float[count];
        int i = 0;
        for (; i < Vectors.F.loopBound(count); i += Vectors.LANES) {
            Vectors.exp(FloatVector.fromArray(Vectors.F, x, i)).intoArray(y, i);
        }
        double worst = 0;
        for (int j = 0; j < count; j++) {
            float vector = j < i ? y[j] : Vectors.exp(x[j]);
            assertEquals(Float.floatToIntBits(Vectors.exp(x[j])), Float.floatToIntBits(vector),
                    "vector and scalar exp differ at " + x[j]);
            double exact = Math.exp(x[j]);
            worst = Math.max(worst, Math.abs(Vectors.exp(x[j]) - exact) / exact);
        }
        // about one float ulp (2^-23 ≈ 1.2e-7) relative
        assertTrue(worst < 2.5e-7, "worst relative error " + worst);
    }

    @Test
    void expEdges() {
        assertEquals(1f, Vectors.exp(0f));
        assertEquals(0f, Vectors.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, Vectors.exp(-100f));
        assertTrue(Float.isNaN(Vectors.exp(Float.NaN)));
        // the same edges through the vector path, whatever the vector length
        float[] edges = {Float.NEGATIVE_INFINITY, -100f, Float.NaN, 88f, 0f};
        int length = (edges.length + Vectors.LANES - 1) / Vectors.LANES * Vectors.LANES;
        float[] in = Arrays.copyOf(edges, length);
        float[] out = new float[length];
        for (int i = 0; i < length; i += Vectors.LANES) {
            Vectors.exp(FloatVector.fromArray(Vectors.F, in, i)).intoArray(out, i);
        }
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
        assertTrue(Float.isNaN(out[2]));
        assertEquals(Math.exp(88), out[3], 1e-6 * Math.exp(88));
        assertEquals(1f, out[4]);
    }
}
