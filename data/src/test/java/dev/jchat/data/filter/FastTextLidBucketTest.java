package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The n-gram bucket is computed without a division: it must equal fastText's {@code hash % bucket} for every hash. */
class FastTextLidBucketTest {

    @Test
    void bucketOfEqualsTheUnsignedRemainder() {
        FastTextLid lid = FastTextLid.lid176();
        int bucket = 2_000_000; // lid.176's
        int[] edges = {0, 1, -1, bucket - 1, bucket, bucket + 1, Integer.MAX_VALUE, Integer.MIN_VALUE,
                       -bucket, 2 * bucket - 1, 2 * bucket, 0x811C9DC5, 0x01000193};
        for (int h : edges) {
            assertEquals(Integer.remainderUnsigned(h, bucket), lid.bucketOf(h), "hash " + Integer.toUnsignedString(h));
        }
        var random = new SplittableRandom(5);
        for (int i = 0; i < 5_000_000; i++) {
            int h = random.nextInt();
            assertEquals(Integer.remainderUnsigned(h, bucket), lid.bucketOf(h));
        }
        // every multiple of the bucket count and its neighbours, across the whole unsigned range
        for (long m = 0; m <= 0xFFFFFFFFL; m += bucket) {
            for (long d = -1; d <= 1; d++) {
                long x = m + d;
                if (x >= 0 && x <= 0xFFFFFFFFL) {
                    assertEquals(Long.remainderUnsigned(x, bucket), lid.bucketOf((int) x));
                }
            }
        }
    }
}
