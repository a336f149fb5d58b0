package dev.jchat.model.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked single-precision GEMM, {@code C[M, N] (+)= A[M, K] · B[K, N]}, in the GotoBLAS/BLIS
 * scheme: B is packed into panels NR columns wide, A into panels MR rows tall, and a register-blocked micro-kernel
 * multiplies one A panel by one B panel into an MR × NR tile of C. A, B and C may each be stored transposed, so
 * that the products of a linear layer (see {@link Matmul}) need no transposed copies.
 *
 * <p>Sizes, for the 2-core Zen 5 this project measures on (AVX-512: 32 zmm registers, 2 FMA pipes; L1d 48 KiB,
 * L2 1 MiB per core, L3 32 MiB) and the model's layers (2048 token rows; depths 256..2048; widths 256..8192):
 * <ul>
 * <li>micro-kernel MR × NR = 12 × 32 (two 16-lane vectors): 24 accumulators, two B vectors and one broadcast use 27
 *     of the 32 registers; per depth step 2 loads and 12 broadcast loads feed 24 FMAs. In isolation it runs at the
 *     speed of a register-only FMA loop on this machine (about 75% of the nominal peak under C2's code).
 * <li>A panels are rows at the fixed stride KC, so the 12 broadcasts address {@code [base + constant]}; a stride
 *     known only at run time costs C2 twelve address registers and the kernel 17%.
 * <li>KC = 256: a B panel (256 × 32 floats, 32 KiB) stays in L1 while the A panels stream past it from L2. Depths
 *     above 256 are cut into equal blocks in multiples of 16 (384 → 2 × 192, 688 → 240 + 240 + 208).
 * <li>MC = 144 rows (a multiple of 12 and 16): A block of 144 KiB in L2, B block of KC × NC (2 MiB) in L3, each B
 *     panel reused by 12 A panels per load.
 * <li>MB = 512: a thread with at most 512 rows (weight gradients of up to 1024 outputs split over two threads,
 *     products split by depth or columns) packs them as one A block (512 KiB, in L2) and packs each B panel right
 *     before its 12-row tiles use it, into an L1-sized buffer: the B block would otherwise make a round trip
 *     through L3 for one use.
 * </ul>
 */
final class Gemm {

    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static final int L = SP.length();
    static final int MR = 12;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 144;
    static final int MB = 512;
    static final int NC = 2048;
    /** Side of the square tiles in which transposed operands are packed. */
    static final int T = 16;

    private Gemm() {}

    /** Per-thread packing buffers, allocated once per thread at the largest block size. */
    private static final class Scratch {
        final float[] a = new float[(Math.max(MC, MB) + MR - 1) / MR * MR * KC];
        final float[] b = new float[NC * KC];
        final float[] panel = new float[NR * KC];
        /** One tile for edges and transposed stores: MR rows, up to T with zero rows for {@link Transpose16#transpose16}. */
        final float[] tile = new float[Math.max(MR, T) * NR];
        final float[] tileT = new float[NR * T];
        /** Partial products of the other threads when this thread splits a product's depth. */
        float[] partial = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code C = A·B} or, with {@code accumulate}, {@code C += A·B}. C[i][j] is {@code c[cOff + i*ldc + j]}, or
     * {@code c[cOff + j*ldc + i]} when {@code cT}; A[i][p] is {@code a[aOff + i*lda + p]}, or
     * {@code a[aOff + p*lda + i]} when {@code aT}; B[p][j] is {@code b[bOff + p*ldb + j]}, or
     * {@code b[bOff + j*ldb + p]} when {@code bT}.
     */
    static void multiply(Parallel pool, boolean accumulate, int m, int n, int k,
                         float[] a, int aOff, int lda, boolean aT,
                         float[] b, int bOff, int ldb, boolean bT,
                         float[] c, int cOff, int ldc, boolean cT) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int r = 0; r < (cT ? n : m); r++) {
                    Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + (cT ? m : n), 0f);
                }
            }
            return;
        }
        int threads = pool.threads();
        int rowUnits = (m + MR - 1) / MR;
        int colUnits = (n + NR - 1) / NR;
        int depthUnits = (k + T - 1) / T;
        // What each further thread adds: splitting rows packs all of B again, splitting columns all of A (a
        // transposed operand counts twice: its packing is a transpose, not a copy), splitting the depth writes,
        // reads and adds one more partial C.
        long rowCost = rowUnits >= threads ? (bT ? 2L : 1L) * k * n : Long.MAX_VALUE;
        long colCost = colUnits >= threads ? (aT ? 2L : 1L) * m * k : Long.MAX_VALUE;
        long depthCost = depthUnits >= threads ? 3L * m * n : Long.MAX_VALUE;
        if (threads > 1 && depthCost < Math.min(rowCost, colCost)) {
            multiplySplitDepth(pool, accumulate, m, n, k, depthUnits, a, aOff, lda, aT, b, bOff, ldb, bT,
                    c, cOff, ldc, cT);
            return;
        }
        boolean splitRows = rowCost <= colCost;
        int units = splitRows ? rowUnits : colUnits;
        int parts = Math.min(threads, units);
        pool.forRange(parts, (start, end) -> {
            Scratch scratch = SCRATCH.get();
            for (int part = start; part < end; part++) {
                int u0 = (int) ((long) units * part / parts);
                int u1 = (int) ((long) units * (part + 1) / parts);
                if (splitRows) {
                    block(scratch, accumulate, u0 * MR, Math.min(m, u1 * MR), 0, n, 0, k,
                            a, aOff, lda, aT, b, bOff, ldb, bT, c, cOff, ldc, cT);
                } else {
                    block(scratch, accumulate, 0, m, u0 * NR, Math.min(n, u1 * NR), 0, k,
                            a, aOff, lda, aT, b, bOff, ldb, bT, c, cOff, ldc, cT);
                }
            }
        });
    }

    /**
     * Each thread takes a slice of the depth: the first adds its product into C, the others write theirs into
     * partial products that are then summed into C. For a small C and a long depth (the weight gradient, whose
     * depth is the 2048 token rows; the LM head's input gradient, depth 8192) this packs every operand once.
     */
    private static void multiplySplitDepth(Parallel pool, boolean accumulate, int m, int n, int k, int units,
                                           float[] a, int aOff, int lda, boolean aT,
                                           float[] b, int bOff, int ldb, boolean bT,
                                           float[] c, int cOff, int ldc, boolean cT) {
        int parts = pool.threads();
        int size = m * n;
        int rows = cT ? n : m;
        int width = cT ? m : n;
        Scratch caller = SCRATCH.get();
        if (caller.partial.length < (parts - 1) * size) {
            caller.partial = new float[(parts - 1) * size];
        }
        float[] partial = caller.partial;
        pool.forRange(parts, (start, end) -> {
            Scratch scratch = SCRATCH.get();
            for (int part = start; part < end; part++) {
                int p0 = (int) ((long) units * part / parts) * T;
                int p1 = Math.min(k, (int) ((long) units * (part + 1) / parts) * T);
                if (part == 0) {
                    block(scratch, accumulate, 0, m, 0, n, p0, p1, a, aOff, lda, aT, b, bOff, ldb, bT,
                            c, cOff, ldc, cT);
                } else {
                    block(scratch, false, 0, m, 0, n, p0, p1, a, aOff, lda, aT, b, bOff, ldb, bT,
                            partial, (part - 1) * size, width, cT);
                }
            }
        });
        pool.forRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = cOff + r * ldc;
                int j = 0;
                for (int bound = SP.loopBound(width); j < bound; j += L) {
                    FloatVector sum = FloatVector.fromArray(SP, c, o + j);
                    for (int part = 1; part < parts; part++) {
                        sum = sum.add(FloatVector.fromArray(SP, partial, (part - 1) * size + r * width + j));
                    }
                    sum.intoArray(c, o + j);
                }
                for (; j < width; j++) {
                    float sum = c[o + j];
                    for (int part = 1; part < parts; part++) {
                        sum += partial[(part - 1) * size + r * width + j];
                    }
                    c[o + j] = sum;
                }
            }
        });
    }

    /** C rows [i0, i1) × columns [j0, j1) (+)= the product over depth [p0, p1), on the calling thread. */
    private static void block(Scratch s, boolean accumulate, int i0, int i1, int j0, int j1, int p0, int p1,
                              float[] a, int aOff, int lda, boolean aT,
                              float[] b, int bOff, int ldb, boolean bT,
                              float[] c, int cOff, int ldc, boolean cT) {
        int ci = cT ? 1 : ldc;
        int cj = cT ? ldc : 1;
        int kBlocks = (p1 - p0 + KC - 1) / KC;
        int kcStep = ((p1 - p0 + kBlocks - 1) / kBlocks + T - 1) / T * T;
        if (i1 - i0 <= MB) {
            for (int pc = p0; pc < p1; pc += kcStep) {
                int kc = Math.min(kcStep, p1 - pc);
                boolean add = accumulate || pc > p0;
                packA(a, aOff, lda, aT, i0, i1 - i0, pc, kc, s.a);
                for (int jr = j0; jr < j1; jr += NR) {
                    int nr = Math.min(NR, j1 - jr);
                    packB(b, bOff, ldb, bT, pc, kc, jr, nr, s.panel);
                    panelColumn(s, kc, i1 - i0, s.panel, 0, nr, c, cOff + i0 * ci + jr * cj, ldc, cT, add);
                }
            }
            return;
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = p0; pc < p1; pc += kcStep) {
                int kc = Math.min(kcStep, p1 - pc);
                boolean add = accumulate || pc > p0;
                packB(b, bOff, ldb, bT, pc, kc, jc, nc, s.b);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(a, aOff, lda, aT, ic, mc, pc, kc, s.a);
                    for (int jr = 0; jr < nc; jr += NR) {
                        panelColumn(s, kc, mc, s.b, jr * kc, Math.min(NR, nc - jr), c,
                                cOff + ic * ci + (jc + jr) * cj, ldc, cT, add);
                    }
                }
            }
        }
    }

    /** The packed A block (mc rows) times one packed B panel (nr ≤ NR valid columns) into C at {@code co}. */
    private static void panelColumn(Scratch s, int kc, int mc, float[] bp, int bpOff, int nr, float[] c, int co,
                                    int ldc, boolean cT, boolean add) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            if (!cT && mr == MR && nr == NR) {
                kernel(kc, s.a, ir * KC, bp, bpOff, c, co + ir * ldc, ldc, add);
            } else {
                kernel(kc, s.a, ir * KC, bp, bpOff, s.tile, 0, NR, false);
                if (cT) {
                    storeTransposed(s, mr, nr, c, co + ir, ldc, add);
                } else {
                    int o = co + ir * ldc;
                    for (int r = 0; r < mr; r++) {
                        for (int j = 0; j < nr; j++) {
                            float v = s.tile[r * NR + j];
                            c[o + r * ldc + j] = add ? c[o + r * ldc + j] + v : v;
                        }
                    }
                }
            }
        }
    }

    /**
     * The tile (mr × nr) into a C stored transposed: tile column j is C's row, {@code c[o + j*ldc + r]}. A full tile
     * goes through two in-register 16 × 16 transposes and one masked store of mr lanes per C row, about 300 vector
     * operations against the kernel's 6144 FMAs at depth 256; 384 scalar read-modify-writes would cost more.
     */
    private static void storeTransposed(Scratch s, int mr, int nr, float[] c, int o, int ldc, boolean add) {
        if (L == T && nr == NR) {
            for (int h = 0; h < NR; h += T) {
                Transpose16.transpose16(s.tile, h, NR, s.tileT, h * T, T);
            }
            VectorMask<Float> mask = SP.indexInRange(0, mr);
            for (int j = 0; j < NR; j++) {
                FloatVector v = FloatVector.fromArray(SP, s.tileT, j * T);
                int row = o + j * ldc;
                if (add) {
                    v = v.add(FloatVector.fromArray(SP, c, row, mask));
                }
                v.intoArray(c, row, mask);
            }
            return;
        }
        for (int j = 0; j < nr; j++) {
            for (int r = 0; r < mr; r++) {
                float v = s.tile[r * NR + j];
                int at = o + j * ldc + r;
                c[at] = add ? c[at] + v : v;
            }
        }
    }

    private static void packA(float[] a, int aOff, int lda, boolean aT, int i, int mc, int p0, int kc, float[] dst) {
        if (aT) {
            packATransposed(a, aOff, lda, i, mc, p0, kc, dst);
        } else {
            packARowMajor(a, aOff, lda, i, mc, p0, kc, dst);
        }
    }

    private static void packB(float[] b, int bOff, int ldb, boolean bT, int p0, int kc, int j, int nc, float[] dst) {
        if (bT) {
            packBTransposed(b, bOff, ldb, p0, kc, j, nc, dst);
        } else {
            packBRowMajor(b, bOff, ldb, p0, kc, j, nc, dst);
        }
    }

    /**
     * A rows [i, i+mc) × columns [p0, p0+kc) from row-major A into row panels: row r at {@code dst[r * KC]}, rows
     * past mc up to the next multiple of MR zeroed.
     */
    private static void packARowMajor(float[] a, int aOff, int lda, int i, int mc, int p0, int kc, float[] dst) {
        for (int r = 0; r < mc; r++) {
            System.arraycopy(a, aOff + (i + r) * lda + p0, dst, r * KC, kc);
        }
        zeroRows(dst, mc, kc);
    }

    /** The same from A stored transposed (A[i][p] at {@code aOff + p*lda + i}): transposed 16 × 16 tiles. */
    private static void packATransposed(float[] a, int aOff, int lda, int i, int mc, int p0, int kc, float[] dst) {
        for (int p = 0; p < kc; p += T) {
            int rows = Math.min(T, kc - p);
            for (int r = 0; r < mc; r += T) {
                transpose(a, aOff + (p0 + p) * lda + i + r, lda, rows, Math.min(T, mc - r), dst, r * KC + p, KC, T);
            }
        }
        zeroRows(dst, mc, kc);
    }

    private static void zeroRows(float[] dst, int mc, int kc) {
        for (int r = mc; r % MR != 0; r++) {
            Arrays.fill(dst, r * KC, r * KC + kc, 0f);
        }
    }

    /** B rows [p0, p0+kc) × columns [j, j+nc) from row-major B into NR-column panels, each kc × NR, zero-padded. */
    private static void packBRowMajor(float[] b, int bOff, int ldb, int p0, int kc, int j, int nc, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            int w = nc - jr;
            if (w >= NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j + jr;
                    FloatVector.fromArray(SP, b, src).intoArray(dst, base + p * NR);
                    FloatVector.fromArray(SP, b, src + L).intoArray(dst, base + p * NR + L);
                }
            } else {
                VectorMask<Float> m0 = SP.indexInRange(0, w);
                VectorMask<Float> m1 = SP.indexInRange(L, w);
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j + jr;
                    FloatVector.fromArray(SP, b, src, m0).intoArray(dst, base + p * NR);
                    FloatVector.fromArray(SP, b, src + L, m1).intoArray(dst, base + p * NR + L);
                }
            }
        }
    }

    /** The same panels from B stored transposed (B[p][j] at {@code bOff + j*ldb + p}, a weight [out, in]). */
    private static void packBTransposed(float[] b, int bOff, int ldb, int p0, int kc, int j, int nc, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            for (int h = 0; h < NR; h += T) {
                int rows = Math.max(0, Math.min(T, nc - jr - h));
                for (int p = 0; p < kc; p += T) {
                    transpose(b, bOff + (j + jr + h) * ldb + p0 + p, ldb, rows, Math.min(T, kc - p),
                            dst, base + p * NR + h, NR, Math.min(T, NR));
                }
            }
        }
    }

    /**
     * Writes the transpose of a rows × cols tile of {@code src} (row stride {@code lds}) as cols rows of
     * {@code lanes} floats (row stride {@code ldd}), lanes past {@code rows} zero. Full tiles of a 16-lane species
     * take {@link Transpose16#transpose16}.
     */
    private static void transpose(float[] src, int so, int lds, int rows, int cols, float[] dst, int dOff, int ldd,
                                  int lanes) {
        if (L == T && rows == T && cols == T) {
            Transpose16.transpose16(src, so, lds, dst, dOff, ldd);
            return;
        }
        for (int c = 0; c < cols; c++) {
            int d = dOff + c * ldd;
            for (int r = 0; r < rows; r++) {
                dst[d + r] = src[so + r * lds + c];
            }
            for (int r = rows; r < lanes; r++) {
                dst[d + r] = 0f;
            }
        }
    }


    /**
     * C[MR, NR] = or += (with {@code add}) A panel · B panel over depth kc: A panel rows at {@code ap[aOff + r*KC]},
     * B panel {@code bp[bOff + p*NR + j]}.
     */
    private static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc,
                               boolean add) {
        FloatVector c00 = FloatVector.zero(SP), c01 = FloatVector.zero(SP);
        FloatVector c10 = FloatVector.zero(SP), c11 = FloatVector.zero(SP);
        FloatVector c20 = FloatVector.zero(SP), c21 = FloatVector.zero(SP);
        FloatVector c30 = FloatVector.zero(SP), c31 = FloatVector.zero(SP);
        FloatVector c40 = FloatVector.zero(SP), c41 = FloatVector.zero(SP);
        FloatVector c50 = FloatVector.zero(SP), c51 = FloatVector.zero(SP);
        FloatVector c60 = FloatVector.zero(SP), c61 = FloatVector.zero(SP);
        FloatVector c70 = FloatVector.zero(SP), c71 = FloatVector.zero(SP);
        FloatVector c80 = FloatVector.zero(SP), c81 = FloatVector.zero(SP);
        FloatVector c90 = FloatVector.zero(SP), c91 = FloatVector.zero(SP);
        FloatVector ca0 = FloatVector.zero(SP), ca1 = FloatVector.zero(SP);
        FloatVector cb0 = FloatVector.zero(SP), cb1 = FloatVector.zero(SP);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(SP, bp, bOff);
            FloatVector b1 = FloatVector.fromArray(SP, bp, bOff + L);
            FloatVector x;
            x = FloatVector.broadcast(SP, ap[aOff]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SP, ap[aOff + 1 * KC]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SP, ap[aOff + 2 * KC]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SP, ap[aOff + 3 * KC]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SP, ap[aOff + 4 * KC]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SP, ap[aOff + 5 * KC]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SP, ap[aOff + 6 * KC]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SP, ap[aOff + 7 * KC]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SP, ap[aOff + 8 * KC]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SP, ap[aOff + 9 * KC]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SP, ap[aOff + 10 * KC]);
            ca0 = x.fma(b0, ca0);
            ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(SP, ap[aOff + 11 * KC]);
            cb0 = x.fma(b0, cb0);
            cb1 = x.fma(b1, cb1);
            aOff++;
            bOff += NR;
        }
        int o0 = cOff;
        int o1 = o0 + ldc;
        int o2 = o1 + ldc;
        int o3 = o2 + ldc;
        int o4 = o3 + ldc;
        int o5 = o4 + ldc;
        int o6 = o5 + ldc;
        int o7 = o6 + ldc;
        int o8 = o7 + ldc;
        int o9 = o8 + ldc;
        int oa = o9 + ldc;
        int ob = oa + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(SP, c, o0));
            c01 = c01.add(FloatVector.fromArray(SP, c, o0 + L));
            c10 = c10.add(FloatVector.fromArray(SP, c, o1));
            c11 = c11.add(FloatVector.fromArray(SP, c, o1 + L));
            c20 = c20.add(FloatVector.fromArray(SP, c, o2));
            c21 = c21.add(FloatVector.fromArray(SP, c, o2 + L));
            c30 = c30.add(FloatVector.fromArray(SP, c, o3));
            c31 = c31.add(FloatVector.fromArray(SP, c, o3 + L));
            c40 = c40.add(FloatVector.fromArray(SP, c, o4));
            c41 = c41.add(FloatVector.fromArray(SP, c, o4 + L));
            c50 = c50.add(FloatVector.fromArray(SP, c, o5));
            c51 = c51.add(FloatVector.fromArray(SP, c, o5 + L));
            c60 = c60.add(FloatVector.fromArray(SP, c, o6));
            c61 = c61.add(FloatVector.fromArray(SP, c, o6 + L));
            c70 = c70.add(FloatVector.fromArray(SP, c, o7));
            c71 = c71.add(FloatVector.fromArray(SP, c, o7 + L));
            c80 = c80.add(FloatVector.fromArray(SP, c, o8));
            c81 = c81.add(FloatVector.fromArray(SP, c, o8 + L));
            c90 = c90.add(FloatVector.fromArray(SP, c, o9));
            c91 = c91.add(FloatVector.fromArray(SP, c, o9 + L));
            ca0 = ca0.add(FloatVector.fromArray(SP, c, oa));
            ca1 = ca1.add(FloatVector.fromArray(SP, c, oa + L));
            cb0 = cb0.add(FloatVector.fromArray(SP, c, ob));
            cb1 = cb1.add(FloatVector.fromArray(SP, c, ob + L));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + L);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + L);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + L);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + L);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + L);
        c60.intoArray(c, o6);
        c61.intoArray(c, o6 + L);
        c70.intoArray(c, o7);
        c71.intoArray(c, o7 + L);
        c80.intoArray(c, o8);
        c81.intoArray(c, o8 + L);
        c90.intoArray(c, o9);
        c91.intoArray(c, o9 + L);
        ca0.intoArray(c, oa);
        ca1.intoArray(c, oa + L);
        cb0.intoArray(c, ob);
        cb1.intoArray(c, ob + L);
    }
}
