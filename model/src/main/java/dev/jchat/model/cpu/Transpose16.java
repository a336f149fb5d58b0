package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import jdk.incubator.vector.FloatVector;

/** The 16 × 16 register transpose that packing (Gemm) and attention's operand layouts share; for 16-lane vectors. */
final class Transpose16 {

    /** Lane selectors of {@link #transpose16}'s rounds (meaningful when LANES is 16). */
    private static final FloatVector LO8 = selector(8, false);
    private static final FloatVector HI8 = selector(8, true);
    private static final FloatVector LO4 = selector(4, false);
    private static final FloatVector HI4 = selector(4, true);
    private static final FloatVector LO2 = selector(2, false);
    private static final FloatVector HI2 = selector(2, true);
    private static final FloatVector LO1 = selector(1, false);
    private static final FloatVector HI1 = selector(1, true);

    private Transpose16() {}

    /**
     * 16 × 16 transpose in registers: four rounds of two-source lane selects (vpermt2ps), round s swapping the
     * off-diagonal 2^(3-s)-blocks of every pair of rows; 64 permutes per 256 floats. Half the time of a scalar load
     * and store per float (0.14 against 0.31 ns per float on an L1-resident weight), which matters where a packed
     * element is used least: the LM head's 128-row chunks reuse each weight element for 256 flops only.
     */
    static void transpose16(float[] s, int so, int ls, float[] d, int dOff, int ld) {
        FloatVector r0 = FloatVector.fromArray(F, s, so);
        FloatVector r1 = FloatVector.fromArray(F, s, so + ls);
        FloatVector r2 = FloatVector.fromArray(F, s, so + 2 * ls);
        FloatVector r3 = FloatVector.fromArray(F, s, so + 3 * ls);
        FloatVector r4 = FloatVector.fromArray(F, s, so + 4 * ls);
        FloatVector r5 = FloatVector.fromArray(F, s, so + 5 * ls);
        FloatVector r6 = FloatVector.fromArray(F, s, so + 6 * ls);
        FloatVector r7 = FloatVector.fromArray(F, s, so + 7 * ls);
        FloatVector r8 = FloatVector.fromArray(F, s, so + 8 * ls);
        FloatVector r9 = FloatVector.fromArray(F, s, so + 9 * ls);
        FloatVector ra = FloatVector.fromArray(F, s, so + 10 * ls);
        FloatVector rb = FloatVector.fromArray(F, s, so + 11 * ls);
        FloatVector rc = FloatVector.fromArray(F, s, so + 12 * ls);
        FloatVector rd = FloatVector.fromArray(F, s, so + 13 * ls);
        FloatVector re = FloatVector.fromArray(F, s, so + 14 * ls);
        FloatVector rf = FloatVector.fromArray(F, s, so + 15 * ls);
        FloatVector t0 = LO8.selectFrom(r0, r8);
        FloatVector t8 = HI8.selectFrom(r0, r8);
        FloatVector t1 = LO8.selectFrom(r1, r9);
        FloatVector t9 = HI8.selectFrom(r1, r9);
        FloatVector t2 = LO8.selectFrom(r2, ra);
        FloatVector ta = HI8.selectFrom(r2, ra);
        FloatVector t3 = LO8.selectFrom(r3, rb);
        FloatVector tb = HI8.selectFrom(r3, rb);
        FloatVector t4 = LO8.selectFrom(r4, rc);
        FloatVector tc = HI8.selectFrom(r4, rc);
        FloatVector t5 = LO8.selectFrom(r5, rd);
        FloatVector td = HI8.selectFrom(r5, rd);
        FloatVector t6 = LO8.selectFrom(r6, re);
        FloatVector te = HI8.selectFrom(r6, re);
        FloatVector t7 = LO8.selectFrom(r7, rf);
        FloatVector tf = HI8.selectFrom(r7, rf);
        r0 = LO4.selectFrom(t0, t4);
        r4 = HI4.selectFrom(t0, t4);
        r1 = LO4.selectFrom(t1, t5);
        r5 = HI4.selectFrom(t1, t5);
        r2 = LO4.selectFrom(t2, t6);
        r6 = HI4.selectFrom(t2, t6);
        r3 = LO4.selectFrom(t3, t7);
        r7 = HI4.selectFrom(t3, t7);
        r8 = LO4.selectFrom(t8, tc);
        rc = HI4.selectFrom(t8, tc);
        r9 = LO4.selectFrom(t9, td);
        rd = HI4.selectFrom(t9, td);
        ra = LO4.selectFrom(ta, te);
        re = HI4.selectFrom(ta, te);
        rb = LO4.selectFrom(tb, tf);
        rf = HI4.selectFrom(tb, tf);
        t0 = LO2.selectFrom(r0, r2);
        t2 = HI2.selectFrom(r0, r2);
        t1 = LO2.selectFrom(r1, r3);
        t3 = HI2.selectFrom(r1, r3);
        t4 = LO2.selectFrom(r4, r6);
        t6 = HI2.selectFrom(r4, r6);
        t5 = LO2.selectFrom(r5, r7);
        t7 = HI2.selectFrom(r5, r7);
        t8 = LO2.selectFrom(r8, ra);
        ta = HI2.selectFrom(r8, ra);
        t9 = LO2.selectFrom(r9, rb);
        tb = HI2.selectFrom(r9, rb);
        tc = LO2.selectFrom(rc, re);
        te = HI2.selectFrom(rc, re);
        td = LO2.selectFrom(rd, rf);
        tf = HI2.selectFrom(rd, rf);
        LO1.selectFrom(t0, t1).intoArray(d, dOff);
        HI1.selectFrom(t0, t1).intoArray(d, dOff + ld);
        LO1.selectFrom(t2, t3).intoArray(d, dOff + 2 * ld);
        HI1.selectFrom(t2, t3).intoArray(d, dOff + 3 * ld);
        LO1.selectFrom(t4, t5).intoArray(d, dOff + 4 * ld);
        HI1.selectFrom(t4, t5).intoArray(d, dOff + 5 * ld);
        LO1.selectFrom(t6, t7).intoArray(d, dOff + 6 * ld);
        HI1.selectFrom(t6, t7).intoArray(d, dOff + 7 * ld);
        LO1.selectFrom(t8, t9).intoArray(d, dOff + 8 * ld);
        HI1.selectFrom(t8, t9).intoArray(d, dOff + 9 * ld);
        LO1.selectFrom(ta, tb).intoArray(d, dOff + 10 * ld);
        HI1.selectFrom(ta, tb).intoArray(d, dOff + 11 * ld);
        LO1.selectFrom(tc, td).intoArray(d, dOff + 12 * ld);
        HI1.selectFrom(tc, td).intoArray(d, dOff + 13 * ld);
        LO1.selectFrom(te, tf).intoArray(d, dOff + 14 * ld);
        HI1.selectFrom(te, tf).intoArray(d, dOff + 15 * ld);
    }

    /**
     * Lane indexes of one transpose round with block size h: the low result takes, in every group of 2h lanes, the
     * first h lanes of the first row and then the first h of the second (index + 16); the high result the second h
     * of each.
     */
    private static FloatVector selector(int h, boolean high) {
        float[] index = new float[LANES];
        for (int lane = 0; lane < Math.min(LANES, 16); lane++) {
            int group = lane / (2 * h) * 2 * h;
            int pos = lane % (2 * h);
            int from = high ? h : 0;
            index[lane] = pos < h ? group + from + pos : 16 + group + from + pos - h;
        }
        return FloatVector.fromArray(F, index, 0);
    }
}
