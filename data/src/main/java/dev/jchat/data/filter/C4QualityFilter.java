package dev.jchat.data.filter;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.text.SentenceSplitter;
import dev.jchat.data.text.PythonStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * C4's heuristics (Raffel et al. 2020; TensorFlow Datasets' {@code c4_utils}) as datatrove v0.2.0's
 * {@code C4QualityFilter} runs them. It <b>rewrites</b> the text: the kept lines, stripped, joined by "\n".
 *
 * <p>Each line of {@code text.splitlines()} is stripped, then, in order:
 *
 * <ol>
 *   <li>a whitespace-separated word longer than 1000 code points drops the line
 *       ({@code line-filter-too_long_word});
 *   <li>Wikipedia citations {@code [12]}, {@code []}, {@code [edit]}, {@code [citation needed]} are removed;
 *   <li>(off by default, as FineWeb ran it) a line not ending in . ? ! " ' or ending in ... is dropped
 *       ({@code line-filter-no_terminal_punc});
 *   <li>fewer than 3 words, counted before the citations were removed, drop the line
 *       ({@code line-filter-too_few_words});
 *   <li>"lorem ipsum" (any case) drops the document ({@code lorem_ipsum});
 *   <li>"javascript" (any case) drops the line ({@code line-filter-javascript});
 *   <li>a curly bracket drops the document ({@code curly_bracket});
 *   <li>"terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies" or "use cookies"
 *       (any case) drops the line ({@code line-filter-policy});
 *   <li>otherwise the line is kept ({@code line-kept}) and its Punkt sentences are counted.
 * </ol>
 *
 * Fewer than 5 sentences in the kept lines drop the document ({@code too_few_sentences}). Every line is
 * counted in {@code line-total}. With {@code splitParagraph} off, the "lines" are the Punkt sentences of
 * the whole text, each counts as one sentence, and the kept ones are joined by a space. A limit of -1 turns
 * the sentence, word-count and word-length rules off. Immutable and thread-safe.
 */
public final class C4QualityFilter implements DocumentStep {

    private static final Pattern CITATION = Pattern.compile("\\[\\p{Nd}*]|\\[edit]|\\[citation needed]");
    private static final List<String> POLICY_SUBSTRINGS = List.of(
            "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies");

    public record Params(
            boolean splitParagraph,
            boolean removeCitations,
            boolean filterNoTerminalPunct,
            int minNumSentences,
            int minWordsPerLine,
            int maxWordLength,
            boolean filterLoremIpsum,
            boolean filterJavascript,
            boolean filterCurlyBracket,
            boolean filterPolicy) {

        /** FineWeb's configuration: datatrove's defaults with {@code filter_no_terminal_punct=False}. */
        public static Params fineweb() {
            return new Params(true, true, false, 5, 3, 1000, true, true, true, true);
        }

        /** datatrove's own defaults (C4 as published): also drops lines without terminal punctuation. */
        public static Params c4() {
            Params f = fineweb();
            return new Params(f.splitParagraph, f.removeCitations, true, f.minNumSentences, f.minWordsPerLine,
                    f.maxWordLength, f.filterLoremIpsum, f.filterJavascript, f.filterCurlyBracket, f.filterPolicy);
        }
    }

    private final Params params;
    private final SentenceSplitter sentences;

    public C4QualityFilter() {
        this(Params.fineweb(), SentenceSplitter.english());
    }

    public C4QualityFilter(Params params, SentenceSplitter sentences) {
        this.params = params;
        this.sentences = sentences;
    }

    @Override
    public String name() {
        return "c4_quality";
    }

    public Params params() {
        return params;
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        List<String> lines = params.splitParagraph
                ? PythonStrings.splitLines(document.text())
                : sentences.split(document.text());
        int numSentences = 0;
        var kept = new ArrayList<String>();
        for (String raw : lines) {
            String line = PythonStrings.strip(raw);
            List<String> words = PythonStrings.split(line);
            stats.increment("line-total");
            if (params.maxWordLength != -1 && hasLongerWord(words, params.maxWordLength)) {
                stats.increment("line-filter-too_long_word");
                continue;
            }
            if (params.removeCitations && line.indexOf('[') >= 0) {
                line = CITATION.matcher(line).replaceAll("");
            }
            if (params.filterNoTerminalPunct && (!endsWithTerminalPunctuation(line) || line.endsWith("..."))) {
                stats.increment("line-filter-no_terminal_punc");
                continue;
            }
            if (words.size() < params.minWordsPerLine) {
                stats.increment("line-filter-too_few_words");
                continue;
            }
            String lower = PythonStrings.lower(line);
            if (params.filterLoremIpsum && lower.contains("lorem ipsum")) {
                return Outcome.drop(document, "lorem_ipsum");
            }
            if (params.filterJavascript && lower.contains("javascript")) {
                stats.increment("line-filter-javascript");
                continue;
            }
            if (params.filterCurlyBracket && line.indexOf('{') >= 0) {
                return Outcome.drop(document, "curly_bracket");
            }
            if (params.filterPolicy && containsPolicyPhrase(lower)) {
                stats.increment("line-filter-policy");
                continue;
            }
            numSentences += params.splitParagraph ? sentences.count(line) : 1;
            kept.add(line);
            stats.increment("line-kept");
        }
        if (numSentences < params.minNumSentences) {
            return Outcome.drop(document, "too_few_sentences");
        }
        String text = PythonStrings.strip(String.join(params.splitParagraph ? "\n" : " ", kept));
        return Outcome.keep(text.equals(document.text()) ? document : document.withText(text));
    }

    private static boolean hasLongerWord(List<String> words, int max) {
        for (String w : words) {
            if (w.length() > max && PythonStrings.length(w) > max) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsWithTerminalPunctuation(String line) {
        if (line.isEmpty()) {
            return false;
        }
        char last = line.charAt(line.length() - 1);
        return last == '.' || last == '?' || last == '!' || last == '"' || last == '\'';
    }

    private static boolean containsPolicyPhrase(String lowerLine) {
        for (String phrase : POLICY_SUBSTRINGS) {
            if (lowerLine.contains(phrase)) {
                return true;
            }
        }
        return false;
    }
}
