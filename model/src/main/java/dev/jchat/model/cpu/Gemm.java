package dev.jchat.model.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked single-precision GEMM: {@code C[M, N] (+)= A[M, K] · B[K, N]}, GotoBLAS/BLIS style.
 * A and B may each be stored transposed; C is row-major with row stride {@code ldc}.
 */
final class Gemm {

    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static final int L = SP.length();
    static final int MR = 12;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 144;
    static final int NC = 2048;

    private Gemm() {}

    /** Per-thread packing buffers, allocated once per thread at the largest block size. */
    private static final class Scratch {
        final float[] a = new float[MC * KC];
        final float[] b = new float[NC * KC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code C = A·B} or, with {@code accumulate}, {@code C += A·B}. A[i][p] is {@code a[aOff + i*lda + p]}, or
     * {@code a[aOff + p*lda + i]} when {@code aT}; B[p][j] is {@code b[bOff + p*ldb + j]}, or {@code b[bOff + j*ldb + p]}
     * when {@code bT}.
     */
    static void multiply(Parallel pool, boolean accumulate, int m, int n, int k,
                         float[] a, int aOff, int lda, boolean aT,
                         float[] b, int bOff, int ldb, boolean bT,
                         float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        int threads = pool.threads();
        boolean splitRows = m >= n;
        int units = splitRows ? (m + MR - 1) / MR : (n + NR - 1) / NR;
        int parts = Math.min(threads, units);
        pool.forRange(parts, (s, e) -> {
            Scratch scratch = SCRATCH.get();
            for (int part = s; part < e; part++) {
                int u0 = (int) ((long) units * part / parts);
                int u1 = (int) ((long) units * (part + 1) / parts);
                if (splitRows) {
                    block(scratch, accumulate, u0 * MR, Math.min(m, u1 * MR), 0, n, k,
                            a, aOff, lda, aT, b, bOff, ldb, bT, c, cOff, ldc);
                } else {
                    block(scratch, accumulate, 0, m, u0 * NR, Math.min(n, u1 * NR), k,
                            a, aOff, lda, aT, b, bOff, ldb, bT, c, cOff, ldc);
                }
            }
        });
    }

    private static void block(Scratch s, boolean accumulate, int i0, int i1, int j0, int j1, int k,
                              float[] a, int aOff, int lda, boolean aT,
                              float[] b, int bOff, int ldb, boolean bT,
                              float[] c, int cOff, int ldc) {
        int kBlocks = (k + KC - 1) / KC;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int kb = 0; kb < kBlocks; kb++) {
                int pc = (int) ((long) k * kb / kBlocks);
                int kc = (int) ((long) k * (kb + 1) / kBlocks) - pc;
                boolean add = accumulate || kb > 0;
                if (bT) {
                    packBTransposed(b, bOff, ldb, pc, kc, jc, nc, s.b);
                } else {
                    packB(b, bOff, ldb, pc, kc, jc, nc, s.b);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (aT) {
                        packATransposed(a, aOff, lda, ic, mc, pc, kc, s.a);
                    } else {
                        packA(a, aOff, lda, ic, mc, pc, kc, s.a);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nrv = Math.min(NR, nc - jr);
                        int bp = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mrv = Math.min(MR, mc - ir);
                            int ap = ir * kc;
                            int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mrv == MR && nrv == NR) {
                                kernel(kc, s.a, ap, s.b, bp, c, co, ldc, add);
                            } else {
                                kernel(kc, s.a, ap, s.b, bp, s.tile, 0, NR, false);
                                for (int r = 0; r < mrv; r++) {
                                    int o = co + r * ldc;
                                    for (int j = 0; j < nrv; j++) {
                                        c[o + j] = add ? c[o + j] + s.tile[r * NR + j] : s.tile[r * NR + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** A rows [i, i+mc) × columns [p0, p0+kc) from row-major A into MR-row panels, each kc × MR, zero-padded. */
    private static void packA(float[] a, int aOff, int lda, int i, int mc, int p0, int kc, float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * kc;
            int h = Math.min(MR, mc - ir);
            for (int r = 0; r < h; r++) {
                int src = aOff + (i + ir + r) * lda + p0;
                int d = base + r;
                for (int p = 0; p < kc; p++) {
                    dst[d + p * MR] = a[src + p];
                }
            }
            for (int r = h; r < MR; r++) {
                for (int p = 0; p < kc; p++) {
                    dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    /** The same panels from A stored transposed (A[i][p] at {@code aOff + p*lda + i}): contiguous copies. */
    private static void packATransposed(float[] a, int aOff, int lda, int i, int mc, int p0, int kc, float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * kc;
            int h = Math.min(MR, mc - ir);
            for (int p = 0; p < kc; p++) {
                int src = aOff + (p0 + p) * lda + i + ir;
                int d = base + p * MR;
                for (int r = 0; r < h; r++) {
                    dst[d + r] = a[src + r];
                }
                for (int r = h; r < MR; r++) {
                    dst[d + r] = 0f;
                }
            }
        }
    }

    /** B rows [p0, p0+kc) × columns [j, j+nc) from row-major B into NR-column panels, each kc × NR, zero-padded. */
    private static void packB(float[] b, int bOff, int ldb, int p0, int kc, int j, int nc, float[] dst) {
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
            int w = Math.min(NR, nc - jr);
            for (int jj = 0; jj < w; jj++) {
                int src = bOff + (j + jr + jj) * ldb + p0;
                int d = base + jj;
                for (int p = 0; p < kc; p++) {
                    dst[d + p * NR] = b[src + p];
                }
            }
            for (int jj = w; jj < NR; jj++) {
                for (int p = 0; p < kc; p++) {
                    dst[base + p * NR + jj] = 0f;
                }
            }
        }
    }

    /** C[MR, NR] (+)= Ap[kc, MR]ᵀ-panel · Bp[kc, NR]-panel: 24 accumulators, two B vectors, one broadcast. */
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
            x = FloatVector.broadcast(SP, ap[aOff + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SP, ap[aOff + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SP, ap[aOff + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SP, ap[aOff + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SP, ap[aOff + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SP, ap[aOff + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SP, ap[aOff + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SP, ap[aOff + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SP, ap[aOff + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SP, ap[aOff + 10]);
            ca0 = x.fma(b0, ca0);
            ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(SP, ap[aOff + 11]);
            cb0 = x.fma(b0, cb0);
            cb1 = x.fma(b1, cb1);
            aOff += MR;
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
