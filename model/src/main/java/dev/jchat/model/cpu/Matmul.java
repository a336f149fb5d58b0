package dev.jchat.model.cpu;

/**
 * Matrix products of a linear layer on float arrays (row-major, weights [out, in] as HF stores them).
 * Placeholder straightforward loops; the blocked Vector API kernel replaces the bodies.
 */
public final class Matmul {

    private Matmul() {}

    /** out[n, m] = inp[n, k] · w[m, k]ᵀ. */
    public static void forward(Parallel pool, float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                               int n, int k, int m) {
        pool.forRange(n, (start, end) -> {
            for (int i = start; i < end; i++) {
                for (int j = 0; j < m; j++) {
                    float sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += inp[inOff + i * k + p] * w[wOff + j * k + p];
                    }
                    out[outOff + i * m + j] = sum;
                }
            }
        });
    }

    /** dinp[n, k] += dout[n, m] · w[m, k]. */
    public static void backwardInput(Parallel pool, float[] dinp, int dinpOff, float[] dout, int doutOff, float[] w,
                                     int wOff, int n, int k, int m) {
        pool.forRange(n, (start, end) -> {
            for (int i = start; i < end; i++) {
                for (int j = 0; j < m; j++) {
                    float d = dout[doutOff + i * m + j];
                    for (int p = 0; p < k; p++) {
                        dinp[dinpOff + i * k + p] += d * w[wOff + j * k + p];
                    }
                }
            }
        });
    }

    /** dw[m, k] += dout[n, m]ᵀ · inp[n, k]. */
    public static void backwardWeight(Parallel pool, float[] dw, int dwOff, float[] dout, int doutOff, float[] inp,
                                      int inOff, int n, int k, int m) {
        pool.forRange(m, (start, end) -> {
            for (int i = 0; i < n; i++) {
                for (int j = start; j < end; j++) {
                    float d = dout[doutOff + i * m + j];
                    for (int p = 0; p < k; p++) {
                        dw[dwOff + j * k + p] += d * inp[inOff + i * k + p];
                    }
                }
            }
        });
    }
}
