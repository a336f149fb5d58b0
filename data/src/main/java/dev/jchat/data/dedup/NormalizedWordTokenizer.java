package dev.jchat.data.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * NLTK's {@code word_tokenize} (3.8, {@code NLTKWordTokenizer}) on text that {@link MinhashNormalization#V0_2_0}
 * already simplified, and only there. Simplification deletes every ASCII punctuation character and the
 * other PUNCTUATION characters, which leaves just these rules of the Treebank tokenizer able to fire:
 *
 * <ul>
 *   <li>split on whitespace ({@code str.split()});
 *   <li>the quote characters « “ ‘ „ » ” ’ and runs of backticks become tokens of their own (only ‘ survives
 *       simplification);
 *   <li>MacIntyre's contractions, as whole words ({@code \b…\b}): cannot → can not, gimme → gim me,
 *       gonna → gon na, gotta → got ta, lemme → lem me, and wanna → wan na when whitespace follows;
 *       a non-word character touching such a word becomes its own token, as NLTK pads the match.
 * </ul>
 *
 * Punkt sentence splitting, which {@code word_tokenize} runs first, cannot split: it splits only after
 * . ? ! and those are gone. On that input this class equals NLTK (checked against NLTK 3.8 in the tests)
 * and about 1.6× faster than the general port, {@link dev.jchat.data.text.WordTokenizer}, which gives the same
 * tokens there (NormalizedWordTokenizerTest); on raw text it is <b>not</b> NLTK. Word characters are Python's
 * {@code \w}. MinHash's default tokenizer for {@link MinhashNormalization#V0_2_0}; thread-safe.
 */
public final class NormalizedWordTokenizer implements Function<String, List<String>> {

    private static final String[][] CONTRACTIONS = {
        {"can", "not"}, {"gim", "me"}, {"gon", "na"}, {"got", "ta"}, {"lem", "me"}, {"wan", "na"},
    };

    @Override
    public List<String> apply(String text) {
        var tokens = new ArrayList<String>(text.length() / 5 + 4);
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (MinhashNormalization.isPythonSpace(c)) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && !MinhashNormalization.isPythonSpace(text.charAt(end))) {
                end++;
            }
            addChunk(text, i, end, tokens);
            i = end;
        }
        return tokens;
    }

    /** One whitespace-delimited chunk: quote characters split off first, then contractions. */
    private static void addChunk(String text, int start, int end, List<String> tokens) {
        int pieceStart = start;
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (isQuote(c) || c == '`') {
                addPiece(text, pieceStart, i, tokens);
                int q = i + 1;
                if (c == '`') {
                    while (q < end && text.charAt(q) == '`') {
                        q++;
                    }
                }
                tokens.add(text.substring(i, q));
                i = q;
                pieceStart = q;
            } else {
                i++;
            }
        }
        addPiece(text, pieceStart, end, tokens);
    }

    private static boolean isQuote(char c) {
        return c == '«' || c == '“' || c == '‘' || c == '„' || c == '»' || c == '”' || c == '’';
    }

    /** A piece without quotes or whitespace; whitespace (or the text's end) follows it. */
    private static void addPiece(String text, int start, int end, List<String> tokens) {
        if (start >= end) {
            return;
        }
        int emitted = start;
        int i = start;
        while (i < end) {
            int cp = text.codePointAt(i);
            if (!isWordChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int wordStart = i;
            while (i < end && isWordChar(cp = text.codePointAt(i))) {
                i += Character.charCount(cp);
            }
            int split = contractionSplit(text, wordStart, i, i == end);
            if (split > 0) {
                if (emitted < wordStart) {
                    tokens.add(text.substring(emitted, wordStart));
                }
                tokens.add(text.substring(wordStart, split));
                tokens.add(text.substring(split, i));
                emitted = i;
            }
        }
        if (emitted < end) {
            tokens.add(text.substring(emitted, end));
        }
    }

    /** Where a contraction word [start, end) splits, or -1 when it is none. */
    private static int contractionSplit(String text, int start, int end, boolean spaceFollows) {
        int len = end - start;
        if (len != 5 && len != 6) {
            return -1;
        }
        for (int k = 0; k < CONTRACTIONS.length; k++) {
            String first = CONTRACTIONS[k][0];
            String second = CONTRACTIONS[k][1];
            if (first.length() + second.length() != len) {
                continue;
            }
            if (k == CONTRACTIONS.length - 1 && !spaceFollows) {
                continue; // (?=\s) after "wanna"
            }
            if (matches(text, start, first) && matches(text, start + first.length(), second)) {
                return start + first.length();
            }
        }
        return -1;
    }

    /** Case-insensitive as Python's re is (which also folds dotless ı to i). */
    private static boolean matches(String text, int at, String lowerAscii) {
        for (int j = 0; j < lowerAscii.length(); j++) {
            char c = text.charAt(at + j);
            char want = lowerAscii.charAt(j);
            if (c != want && Character.toLowerCase(c) != want && !(want == 'i' && (c == 'ı' || c == 'İ'))) {
                return false;
            }
        }
        return true;
    }

    /** Python's {@code \w} on str: alphanumeric ({@code str.isalnum()}) or underscore. */
    static boolean isWordChar(int cp) {
        if (cp < 0x80) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
        }
        if (Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
