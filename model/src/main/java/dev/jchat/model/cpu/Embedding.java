package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.LANES;

/** Token embedding lookup and its gradient scatter. */
final class Embedding {

    private Embedding() {}

    /** out[i, :] = table[tokens[i], :]; out [n, c], table [vocab, c]. */
    static void forward(Parallel pool, float[] out, int outOff, float[] table, int tableOff, int[] tokens, int n,
                        int c) {
        pool.forRange(n, (start, end) -> {
            for (int i = start; i < end; i++) {
                System.arraycopy(table, tableOff + tokens[i] * c, out, outOff + i * c, c);
            }
        });
    }

    /**
     * dtable[tokens[i], :] += dout[i, :]. A token repeats across rows, so threads split the columns, not the rows:
     * each owns a band of columns and walks all rows in order, which needs no locks and adds in a fixed order.
     */
    static void backward(Parallel pool, float[] dtable, int dtableOff, float[] dout, int doutOff, int[] tokens, int n,
                         int c) {
        int bands = (c + LANES - 1) / LANES;
        pool.forRange(bands, (start, end) -> {
            int from = start * LANES;
            int width = Math.min(c, end * LANES) - from;
            for (int i = 0; i < n; i++) {
                Vectors.axpy(1f, dout, doutOff + i * c + from, dtable, dtableOff + tokens[i] * c + from, width);
            }
        });
    }
}
