package dev.jchat.model.cpu;

/**
 * Muon's Newton–Schulz orthogonalisation on the CPU: three matrix products per iteration through {@link Matmul},
 * on scratch matrices reused across calls (an optimizer step orthogonalises every weight matrix of the model).
 */
final class NewtonSchulz {

    /** Keller Jordan's quintic coefficients: singular values are pushed into [0.7, 1.2] in 5 steps. */
    private static final float A = 3.4445f;
    private static final float B = -4.7750f;
    private static final float C = 2.0315f;

    private final Parallel pool;
    private float[] x = new float[0];
    private float[] next = new float[0];
    private float[] gram = new float[0];
    private float[] gramSquared = new float[0];

    NewtonSchulz(Parallel pool) {
        this.pool = pool;
    }

    /** m [rows, cols] at {@code off} ← its orthogonalisation (see {@code Backend.orthogonalize}). */
    void orthogonalize(float[] m, int off, int rows, int cols, int steps) {
        boolean transposed = rows > cols;
        int r = Math.min(rows, cols);
        int c = Math.max(rows, cols);
        reserve(r, c);
        double norm = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float v = m[off + i * cols + j];
                x[transposed ? j * c + i : i * c + j] = v;
                norm += (double) v * v;
            }
        }
        Vectors.scale(pool, x, 0, r * c, (float) (1 / (Math.sqrt(norm) + 1e-7)));
        for (int step = 0; step < steps; step++) {
            // gram [r, r] = X·Xᵀ; gram² = gram·gramᵀ (= gram·gram, it is symmetric)
            Matmul.forward(pool, gram, 0, x, 0, x, 0, r, c, r);
            Matmul.forward(pool, gramSquared, 0, gram, 0, gram, 0, r, r, r);
            // gram ← B·gram + C·gram²; next [r, c] = A·X + gram·X
            Vectors.scale(pool, gram, 0, r * r, B);
            Vectors.addScaled(pool, gram, 0, gramSquared, 0, r * r, C);
            System.arraycopy(x, 0, next, 0, r * c);
            Vectors.scale(pool, next, 0, r * c, A);
            // next [r, c] += gram [r, r] · X [r, c]
            Gemm.multiply(pool, true, r, c, r, gram, 0, r, false, x, 0, c, false, next, 0, c, false);
            float[] swap = x;
            x = next;
            next = swap;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[off + i * cols + j] = x[transposed ? j * c + i : i * c + j];
            }
        }
    }

    private void reserve(int r, int c) {
        if (x.length < r * c) {
            x = new float[r * c];
            next = new float[r * c];
        }
        if (gram.length < r * r) {
            gram = new float[r * r];
            gramSquared = new float[r * r];
        }
    }
}
