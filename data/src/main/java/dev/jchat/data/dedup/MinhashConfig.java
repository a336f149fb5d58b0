package dev.jchat.data.dedup;

/**
 * MinHash settings, as datatrove's {@code MinhashConfig}; {@link #FINEWEB} is what FineWeb ran: 5-gram
 * shingles of words, 14 bands ("buckets") of 8 hashes (112 hashes; two documents land in a band together
 * with probability s^8 for Jaccard similarity s, so at least one of 14 matches with 1 − (1 − s^8)^14: 0.92
 * at s = 0.8, 0.05 at s = 0.5), permutation parameters from numpy seed 1, 64-bit hashes. Shingles are the
 * first 8 bytes (little-endian) of the SHA-1 of the space-joined n-gram in UTF-8; datatrove HEAD's
 * xxhash64 option is not implemented.
 *
 * @param nGrams          words per shingle
 * @param numBuckets      LSH bands; one signature file per band and task
 * @param hashesPerBucket hashes per band; a band matches when all of them are equal
 * @param seed            numpy {@code RandomState} seed for the permutations' a and b
 * @param normalization   how text is simplified before tokenizing
 */
public record MinhashConfig(int nGrams, int numBuckets, int hashesPerBucket, long seed,
                            MinhashNormalization normalization) {

    /** FineWeb's: datatrove v0.2.0 with {@code use_64bit_hashes=True}. */
    public static final MinhashConfig FINEWEB = new MinhashConfig(5, 14, 8, 1, MinhashNormalization.V0_2_0);

    public MinhashConfig {
        if (nGrams < 1 || numBuckets < 1 || hashesPerBucket < 1) {
            throw new IllegalArgumentException("n-grams, buckets and hashes per bucket must be positive");
        }
        if (normalization == null) {
            throw new IllegalArgumentException("normalization is required");
        }
    }

    public int numHashes() {
        return numBuckets * hashesPerBucket;
    }

    public MinhashConfig withNormalization(MinhashNormalization newNormalization) {
        return new MinhashConfig(nGrams, numBuckets, hashesPerBucket, seed, newNormalization);
    }

    /** Like datatrove's {@code str(config)}: {@code 5ng_14bs_8hs_64b}. */
    @Override
    public String toString() {
        return nGrams + "ng_" + numBuckets + "bs_" + hashesPerBucket + "hs_64b";
    }
}
