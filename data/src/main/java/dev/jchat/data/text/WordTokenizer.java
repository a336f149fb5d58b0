package dev.jchat.data.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NLTK's {@code word_tokenize(text)} as NLTK 3.8 / 3.8.1 ran it when FineWeb was built (datatrove v0.2.0):
 * {@link SentenceSplitter Punkt sentences} first, then the "improved Treebank" rules of
 * {@code NLTKWordTokenizer} on each sentence, then a split on whitespace.
 *
 * <p>The Treebank rules, in NLTK's order (each is applied to the whole sentence before the next):
 *
 * <ol>
 *   <li>starting quotes: « “ ‘ „ and runs of backticks become tokens; a sentence-initial {@code "} becomes
 *       {@code ``}; {@code "} or {@code ''} after a space or an opening bracket becomes {@code ``}; an
 *       apostrophe before a one-letter word (not a clitic such as 's, 't, 'd) is split off;
 *   <li>punctuation: the sentence-final period is split off (with the closing quotes and brackets after
 *       it); {@code :} and {@code ,} are split off unless a digit follows ("3,000" and "10:30" stay whole);
 *       runs of two or more periods, {@code ; @ # $ % &}, {@code ? !} and {@code *} become tokens; a
 *       closing {@code '} before a space is split off;
 *   <li>brackets {@code ( ) [ ] { } < >} and double dashes {@code --} become tokens;
 *   <li>ending quotes: » ” ’ become tokens, {@code "} and {@code ''} become {@code ''}, and the clitics
 *       's 'm 'd ' 'll 're 've n't before a space are split off ("can't" → "ca", "n't");
 *   <li>MacIntyre's contractions: cannot → can not, d'ye, gimme, gonna, gotta, lemme, more'n, wanna (before
 *       whitespace), 'tis, 'twas.
 * </ol>
 *
 * <p>Deliberately NLTK 3.8, not later releases, which normalise whitespace before the clitic rules (so that
 * "he's\tgood" splits; in 3.8 it does not, and neither does this class) and, since 2025, pad the dashes
 * U+2012–2015 (in 3.8 "em—dash" is one token).
 * Character classes follow Python's {@code re} on {@code str}: {@code \s} is Python whitespace (see
 * {@link PythonStrings#isSpace}), {@code \w} is letters, numbers and {@code _}, {@code \d} is Unicode
 * decimal digits.
 *
 * <p>Speed: every rule is one linear pass, hand-written except the two contraction rules (which run only
 * when a word starts like a contraction), and a rule whose trigger characters do not occur in the sentence
 * is skipped; where NLTK's regexes backtrack (the final-period rule is quadratic on a long run of spaces)
 * these passes do not. Equality with NLTK 3.8 was checked on ~5,800 texts, 3,000 of them random strings
 * of quotes, punctuation and contractions. The result of the last call on each thread is kept, so filters
 * that tokenize the same document text one after another (Gopher repetition, then Gopher quality) pay
 * once. Immutable and thread-safe.
 */
public final class WordTokenizer {

    private static final WordTokenizer ENGLISH = new WordTokenizer(SentenceSplitter.english());

    // Python's \w (letters, numbers, underscore) and \s as Java classes.
    private static final String W = "[\\p{L}\\p{N}_]";
    private static final String S = "[\\s\\x1c-\\x1f]";
    private static final int UNICODE = Pattern.UNICODE_CHARACTER_CLASS;

    /** NLTK's eight CONTRACTIONS2 patterns in one alternation; whole words, case-insensitive. */
    static final Pattern CONTRACTIONS = Pattern.compile(
            "(?iu)(?<!" + W + ")(?:(?:(can)(not)|(d)('ye)|(gim)(me)|(gon)(na)|(got)(ta)|(lem)(me)|(more)('n))(?!" + W
                    + ")|(wan)(na)(?=" + S + "))",
            UNICODE);
    /** CONTRACTIONS3: {@code (?i) ('t)(is)\b} and {@code (?i) ('t)(was)\b}. */
    private static final Pattern TIS_TWAS = Pattern.compile("(?iu) ('t)(is|was)(?!" + W + ")");

    private final SentenceSplitter sentences;
    private final ThreadLocal<LastCall> lastCall = new ThreadLocal<>();

    private record LastCall(String text, List<String> tokens) {}

    public WordTokenizer(SentenceSplitter sentences) {
        this.sentences = sentences;
    }

    /** The tokenizer datatrove v0.2.0 used: English Punkt + NLTK 3.8's {@code NLTKWordTokenizer}. */
    public static WordTokenizer english() {
        return ENGLISH;
    }

    /** {@code nltk.word_tokenize(text)}: an unmodifiable list of tokens. */
    public List<String> tokenize(String text) {
        LastCall last = lastCall.get();
        if (last != null && last.text == text) {
            return last.tokens;
        }
        var tokens = new ArrayList<String>(text.length() / 5 + 4);
        int[] spans = sentences.spans(text);
        for (int i = 0; i < spans.length; i += 2) {
            tokenizeSentence(text.substring(spans[i], spans[i + 1]), tokens);
        }
        List<String> result = Collections.unmodifiableList(tokens);
        lastCall.set(new LastCall(text, result));
        return result;
    }

    /** {@code word_tokenize(text, preserve_line=True)}: the Treebank rules on the text as one sentence. */
    public List<String> tokenizeSentence(String sentence) {
        var tokens = new ArrayList<String>();
        tokenizeSentence(sentence, tokens);
        return Collections.unmodifiableList(tokens);
    }

    private static void tokenizeSentence(String s, List<String> out) {
        var has = new Presence(s);

        // Starting quotes.
        if (has.any("«“‘„`")) {
            s = padOpeningQuotes(s);
        }
        if (s.startsWith("\"")) {
            s = "``" + s.substring(1);
            has.add('`');
        }
        if (has.any("`") && s.contains("``")) {
            s = s.replace("``", " `` ");
        }
        if (has.any("\"'")) {
            s = quoteAfterOpener(s, has);
        }
        if (has.any("'")) {
            s = splitQuoteBeforeLetter(s);
        }

        // Punctuation.
        if (has.any(".")) {
            s = splitFinalPeriod(s, true);
        }
        if (has.any(":,")) {
            s = splitColonComma(s);
        }
        if (has.any(".")) {
            s = padPeriodRuns(s);
        }
        if (has.any(";@#$%&")) {
            s = pad(s, SYMBOLS);
        }
        if (has.any(".")) {
            s = splitFinalPeriod(s, false);
        }
        if (has.any("?!")) {
            s = pad(s, QUESTION_EXCLAMATION);
        }
        if (has.any("'")) {
            s = splitClosingQuote(s);
        }
        if (has.any("*")) {
            s = pad(s, ASTERISK);
        }

        // Brackets and double dashes.
        if (has.any("[](){}<>")) {
            s = pad(s, BRACKETS);
        }
        if (has.any("-") && s.contains("--")) {
            s = s.replace("--", " -- ");
        }

        // Ending quotes, on the text padded with a space each side.
        s = " " + s + " ";
        if (has.any("»”’")) {
            s = pad(s, CLOSING_QUOTES);
        }
        if (has.any("'") && s.contains("''")) {
            s = s.replace("''", " '' ");
        }
        if (has.any("\"")) {
            s = s.replace("\"", " '' ");
            has.add('\'');
        }
        if (has.any("'")) {
            s = splitClitics(s);
        }

        // Contractions.
        s = splitContractions(s);
        if (has.any("'") && (s.contains(" 't") || s.contains(" 'T"))) {
            s = TIS_TWAS.matcher(s).replaceAll(" $1 $2 ");
        }
        PythonStrings.split(s, out);
    }

    /** Which of the characters the rules look for occur in the sentence (rules only ever add ` and '). */
    private static final class Presence {
        private long ascii0;
        private long ascii1;
        private boolean quotes;

        Presence(String s) {
            for (int i = 0; i < s.length(); i++) {
                add(s.charAt(i));
            }
        }

        void add(char c) {
            if (c < 64) {
                ascii0 |= 1L << c;
            } else if (c < 128) {
                ascii1 |= 1L << (c - 64);
            } else if ("«“‘„»”’".indexOf(c) >= 0) {
                quotes = true;
            }
        }

        boolean any(String chars) {
            for (int i = 0; i < chars.length(); i++) {
                char c = chars.charAt(i);
                boolean present = c < 64 ? (ascii0 & (1L << c)) != 0
                        : c < 128 ? (ascii1 & (1L << (c - 64))) != 0
                        : quotes;
                if (present) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code ([«“‘„]|[`]+) → " \1 "}. */
    private static String padOpeningQuotes(String s) {
        var b = new StringBuilder(s.length() + 16);
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (c == '`') {
                int j = i;
                while (j < n && s.charAt(j) == '`') {
                    j++;
                }
                b.append(' ').append(s, i, j).append(' ');
                i = j;
            } else {
                if (c == '«' || c == '“' || c == '‘' || c == '„') {
                    b.append(' ').append(c).append(' ');
                } else {
                    b.append(c);
                }
                i++;
            }
        }
        return b.toString();
    }

    /** {@code ([ \(\[{<])(\"|\'{2}) → "\1 `` "}. */
    private static String quoteAfterOpener(String s, Presence has) {
        StringBuilder b = null;
        int n = s.length();
        int copied = 0;
        for (int i = 0; i + 1 < n; i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '(' && c != '[' && c != '{' && c != '<') {
                continue;
            }
            int quoteLength = s.charAt(i + 1) == '"' ? 1
                    : (s.charAt(i + 1) == '\'' && i + 2 < n && s.charAt(i + 2) == '\'') ? 2 : 0;
            if (quoteLength == 0) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(n + 16);
            }
            b.append(s, copied, i + 1).append(" `` ");
            copied = i + 1 + quoteLength;
            i = copied - 1;
        }
        if (b == null) {
            return s;
        }
        has.add('`');
        return b.append(s, copied, n).toString();
    }

    /** {@code (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b → "\1 \2"}: an apostrophe before a one-letter word. */
    private static String splitQuoteBeforeLetter(String s) {
        StringBuilder b = null;
        int n = s.length();
        int copied = 0;
        for (int i = s.indexOf('\''); i >= 0 && i + 1 < n; i = s.indexOf('\'', i + 1)) {
            int letter = s.codePointAt(i + 1);
            int after = i + 1 + Character.charCount(letter);
            if (!PythonStrings.isWordChar(letter) || isCliticLetter(letter)
                    || (after < n && PythonStrings.isWordChar(s.codePointAt(after)))) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(n + 8);
            }
            b.append(s, copied, i + 1).append(' ');
            copied = i + 1;
            i = after - 1;
        }
        return b == null ? s : b.append(s, copied, n).toString();
    }

    /** The one-letter clitics of the lookahead {@code (?i)(?!re|ve|ll|m|t|s|d|n)}, in any case. */
    private static boolean isCliticLetter(int cp) {
        return switch (cp) {
            case 'm', 't', 's', 'd', 'n', 'M', 'T', 'S', 'D', 'N', 'ſ' -> true;
            default -> false;
        };
    }

    /** {@code ([:,])([^\d]) → " \1 \2"}, then {@code ([:,])$ → " \1 "}. */
    private static String splitColonComma(String s) {
        var b = new StringBuilder(s.length() + 16);
        int n = s.length();
        int copied = 0;
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if ((c == ':' || c == ',') && i + 1 < n) {
                int next = s.codePointAt(i + 1);
                if (Character.getType(next) != Character.DECIMAL_DIGIT_NUMBER) {
                    b.append(s, copied, i).append(' ').append(c).append(' ');
                    copied = i + 1;
                    i += 1 + Character.charCount(next);
                    continue;
                }
            }
            i++;
        }
        b.append(s, copied, n);
        // ([:,])$ : the last character, or the one before a final newline.
        int end = b.length();
        int last = end > 0 && b.charAt(end - 1) == '\n' ? end - 2 : end - 1;
        if (last >= 0 && (b.charAt(last) == ':' || b.charAt(last) == ',')) {
            b.insert(last + 1, ' ').insert(last, ' ');
        }
        return b.toString();
    }

    /** {@code \.{2,} → " \g<0> "}. */
    private static String padPeriodRuns(String s) {
        int first = s.indexOf("..");
        if (first < 0) {
            return s;
        }
        var b = new StringBuilder(s.length() + 8);
        int n = s.length();
        int copied = 0;
        for (int i = first; i >= 0; i = s.indexOf("..", i)) {
            int j = i;
            while (j < n && s.charAt(j) == '.') {
                j++;
            }
            b.append(s, copied, i).append(' ').append(s, i, j).append(' ');
            copied = j;
            i = j;
        }
        return b.append(s, copied, n).toString();
    }

    /**
     * {@code ([^'])' → "\1 ' "}. A match consumes the character before the apostrophe and the space after
     * it, so in "a' ' b" only the first apostrophe is split off, as in NLTK.
     */
    private static String splitClosingQuote(String s) {
        StringBuilder b = null;
        int n = s.length();
        int copied = 0;
        int consumed = 0;
        for (int i = s.indexOf("' "); i >= 0; i = s.indexOf("' ", i + 1)) {
            if (i == 0 || s.charAt(i - 1) == '\'' || charStart(s, i - 1) < consumed) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(n + 8);
            }
            b.append(s, copied, i).append(' ');
            copied = i;
            consumed = i + 2;
        }
        return b == null ? s : b.append(s, copied, n).toString();
    }

    /** The start of the code point whose last char is at {@code i}. */
    private static int charStart(String s, int i) {
        return i > 0 && Character.isLowSurrogate(s.charAt(i)) && Character.isHighSurrogate(s.charAt(i - 1)) ? i - 1 : i;
    }

    private static final String[] SHORT_CLITICS = {"'s", "'S", "'m", "'M", "'d", "'D"};
    private static final String[] LONG_CLITICS = {"'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"};

    /**
     * NLTK's two clitic rules, {@code ([^' ])('[sS]|'[mM]|'[dD]|') → "\1 \2 "} and then
     * {@code ([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) → "\1 \2 "}, each a left-to-right scan whose match
     * consumes the character before the clitic and the space after it.
     */
    private static String splitClitics(String s) {
        return splitClitic(splitClitic(s, SHORT_CLITICS, true), LONG_CLITICS, false);
    }

    private static String splitClitic(String s, String[] clitics, boolean loneApostrophe) {
        StringBuilder b = null;
        int n = s.length();
        int copied = 0;
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            int at = i + Character.charCount(cp);
            int length = cp == '\'' || cp == ' ' ? 0 : cliticLength(s, at, clitics, loneApostrophe);
            if (length == 0) {
                i = at;
                continue;
            }
            if (b == null) {
                b = new StringBuilder(n + 8);
            }
            b.append(s, copied, at).append(' ').append(s, at, at + length);
            copied = at + length;
            i = at + length + 1;
        }
        return b == null ? s : b.append(s, copied, n).toString();
    }

    /** Length of the clitic at {@code at} when a space follows it, else 0. */
    private static int cliticLength(String s, int at, String[] clitics, boolean loneApostrophe) {
        int n = s.length();
        if (at >= n) {
            return 0;
        }
        char c = s.charAt(at);
        if (c != '\'' && c != 'n' && c != 'N') {
            return 0;
        }
        for (String clitic : clitics) {
            int end = at + clitic.length();
            if (end < n && s.charAt(end) == ' ' && s.startsWith(clitic, at)) {
                return clitic.length();
            }
        }
        return loneApostrophe && c == '\'' && at + 1 < n && s.charAt(at + 1) == ' ' ? 1 : 0;
    }

    /**
     * NLTK's two final-period rules, {@code ([^\.])(\.)([\]\)}>"\'»”’ ]*)\s*$ → "\1 \2 \3 "} and
     * {@code ([^\.])(\.)([\]\)}>"\']*)\s*$ → "\1 \2\3 "}, without the regex: only the last period of the
     * sentence can match (everything after it must be closers and whitespace), and the greedy closer run is
     * the maximal one. Linear, where the regex is quadratic on a long run of spaces after a period.
     */
    private static String splitFinalPeriod(String s, boolean wideClosers) {
        int period = s.lastIndexOf('.');
        if (period < 1 || s.charAt(period - 1) == '.') {
            return s;
        }
        int n = s.length();
        int closersEnd = period + 1;
        while (closersEnd < n && isFinalPeriodCloser(s.charAt(closersEnd), wideClosers)) {
            closersEnd++;
        }
        for (int i = closersEnd; i < n; i++) {
            if (!PythonStrings.isSpace(s.charAt(i))) {
                return s;
            }
        }
        return s.substring(0, period) + (wideClosers ? " . " : " .") + s.substring(period + 1, closersEnd) + " ";
    }

    private static boolean isFinalPeriodCloser(char c, boolean wide) {
        return switch (c) {
            case ']', ')', '}', '>', '"', '\'' -> true;
            case '»', '”', '’', ' ' -> wide;
            default -> false;
        };
    }

    /** A set of characters: a bit per ASCII character, the others listed. */
    private record CharSet(long low, long high, String other) {
        static CharSet of(String chars) {
            long low = 0;
            long high = 0;
            var other = new StringBuilder();
            for (char c : chars.toCharArray()) {
                if (c < 64) {
                    low |= 1L << c;
                } else if (c < 128) {
                    high |= 1L << (c - 64);
                } else {
                    other.append(c);
                }
            }
            return new CharSet(low, high, other.toString());
        }

        boolean contains(char c) {
            return c < 64 ? (low & (1L << c)) != 0 : c < 128 ? (high & (1L << (c - 64))) != 0 : other.indexOf(c) >= 0;
        }
    }

    private static final CharSet SYMBOLS = CharSet.of(";@#$%&");
    private static final CharSet QUESTION_EXCLAMATION = CharSet.of("?!");
    private static final CharSet ASTERISK = CharSet.of("*");
    private static final CharSet BRACKETS = CharSet.of("[](){}<>");
    private static final CharSet CLOSING_QUOTES = CharSet.of("»”’");

    /** {@code s} with every character of {@code chars} surrounded by spaces ({@code [chars] → " \g<0> "}). */
    private static String pad(String s, CharSet chars) {
        int n = s.length();
        int first = 0;
        while (first < n && !chars.contains(s.charAt(first))) {
            first++;
        }
        if (first == n) {
            return s;
        }
        var b = new StringBuilder(n + 16);
        int copied = 0;
        for (int i = first; i < n; i++) {
            char c = s.charAt(i);
            if (chars.contains(c)) {
                b.append(s, copied, i).append(' ').append(c).append(' ');
                copied = i + 1;
            }
        }
        return b.append(s, copied, n).toString();
    }

    /**
     * NLTK applies its eight contraction patterns one after another, each replacing with {@code " \1 \2 "};
     * they match whole words only and their replacements create no new matches, so one pass of the
     * alternation gives the same text. The alternation is tried only where a word starts like a contraction
     * ({@link #mayStartContraction}, a superset of where it can match), each time anchored there with the
     * lookbehind seeing the text before: the leftmost match at or after a position is the one {@code find}
     * would return, without running the regex over every character of a sentence that merely holds a "can".
     */
    static String splitContractions(String s) {
        int n = s.length();
        Matcher m = null;
        StringBuilder b = null;
        int last = 0;
        for (int i = 0; i < n; i++) {
            if (!mayStartContraction(s, i)) {
                continue;
            }
            if (m == null) {
                m = CONTRACTIONS.matcher(s).useTransparentBounds(true).useAnchoringBounds(false);
            }
            m.region(i, n);
            if (!m.lookingAt()) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(n + 8);
            }
            int g = 1;
            while (m.group(g) == null) {
                g += 2;
            }
            b.append(s, last, m.start()).append(' ').append(m.group(g)).append(' ').append(m.group(g + 1)).append(' ');
            last = m.end();
            i = last - 1;
        }
        return b == null ? s : b.append(s, last, n).toString();
    }

    private static final String[] CONTRACTION_STARTS = {"can", "d'", "gim", "gon", "got", "lem", "more'", "wan"};

    /**
     * Can a contraction match start at {@code i}: no letter or digit before it (the regex's {@code (?<!\w)}
     * excludes more) and the text there starts, case-insensitively, like one of the contractions.
     */
    private static boolean mayStartContraction(String s, int i) {
        char c = (char) (s.charAt(i) | 0x20);
        if (c != 'c' && c != 'd' && c != 'g' && c != 'l' && c != 'm' && c != 'w') {
            return false;
        }
        if (i > 0 && Character.isLetterOrDigit(s.charAt(i - 1))) {
            return false;
        }
        for (String start : CONTRACTION_STARTS) {
            if (start.charAt(0) == c && s.regionMatches(true, i, start, 0, start.length())) {
                return true;
            }
        }
        return false;
    }
}
