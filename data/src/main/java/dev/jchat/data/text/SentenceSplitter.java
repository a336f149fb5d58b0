package dev.jchat.data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * English sentence splitting after NLTK's Punkt ({@code sent_tokenize}, NLTK 3.8), the splitter behind
 * C4's "at least 5 sentences" rule and behind {@link WordTokenizer}.
 *
 * <p>This is Punkt's decision procedure, not a look-alike: candidate breaks are {@code . ? !} followed by
 * whitespace and a token, or by one of {@code ) " ; } ] * : @ ' ( { [ ? !}; each candidate's context
 * (the word before, the mark, the next token) is cut into Punkt word tokens and annotated exactly as NLTK
 * does (first pass: {@code ? !}, lone periods and non-abbreviations ending in a period break; ellipses and
 * known abbreviations do not; second pass: collocations, the orthographic heuristic, frequent sentence
 * starters, initials and numbers); closing quotes and brackets after a break are moved back into the
 * sentence they close. The parameters are those of NLTK's pre-trained English model (Penn Treebank, WSJ):
 * its 156 abbreviations (mr, dr, u.s, inc, jan, …, but not e.g, i.e or etc, which therefore end a
 * sentence, as in NLTK), its 37 collocations and its 39 frequent sentence starters.
 *
 * <p>One known divergence: the model's orthographic statistics (in which case and position each of
 * ~15,000 WSJ words was seen) are not shipped. In their place, ~150 common English function words (the,
 * he, this, in, however, …) count as seen in lower case and also capitalised mid-sentence, which is what the
 * model records for most of them (WSJ headlines capitalise every word: "who" is 108, "this" 110), and
 * every other word counts as unseen. The statistics only matter after an abbreviation, an initial or a
 * number that ends in a period, and there the results agree in the common cases: "Mr. Smith", "Dr. Who"
 * and "J. S. Bach" stay whole; "in the U.S. The …" (a frequent sentence starter), "Plan B. The …" and
 * "in 1990. The …" break. They differ where the model knows a capitalised word after an abbreviation was
 * only ever seen in lower case (e.g. "Corp. Shares …": NLTK breaks, this class does not), or knows that a
 * capitalised word after an initial was seen in lower case although it is no function word. Two guards
 * keep hostile input linear where NLTK is quadratic: the word before a candidate and the token after it
 * are cut to 200 characters.
 *
 * <p>Immutable and thread-safe.
 */
public final class SentenceSplitter {

    private static final SentenceSplitter ENGLISH = new SentenceSplitter();

    /** The English model's abbreviation types (lower case, final period removed). */
    private static final Set<String> ABBREVIATIONS = Set.of(
            "ct", "m.j", "t", "a.c", "n.h", "ms", "p.a.m", "dr", "pa", "p.m", "u.k", "st", "dec", "u.s.a", "lt",
            "g.k", "adm", "p", "h.m", "ga", "tenn", "yr", "sen", "n.c", "j.j", "d.h", "s.g", "inc", "vs",
            "s.p.a", "a.t", "n", "feb", "sr", "jan", "s.a.y", "n.y", "col", "g.f", "c.o.m.b", "d", "ft", "va",
            "r.k", "e.f", "chg", "r.i", "a.g", "minn", "a.h", "k", "n.j", "m", "l.f", "f.j", "gen", "i.m.s",
            "s.a", "aug", "j.p", "okla", "m.d.c", "ltd", "oct", "s", "vt", "r.a", "j.c", "ariz", "w.w", "b.v",
            "ore", "h", "w.r", "e.h", "mrs", "cie", "corp", "w", "n.v", "a.d", "r.j", "ok", ". . ", "e.m",
            "w.c", "ill", "nov", "u.s", "prof", "conn", "u.s.s.r", "mg", "f.g", "ph.d", "g", "calif",
            "messrs", "h.f", "wash", "tues", "sw", "bros", "u.n", "l", "wis", "mr", "sep", "d.c", "ave", "e.l",
            "co", "s.s", "reps", "c", "r.t", "h.c", "r", "wed", "a.s", "v", "fla", "jr", "r.h", "c.v", "m.b.a",
            "rep", "a.a", "e", "c.i.t", "l.a", "b.f", "j.b", "d.w", "j.k", "ala", "f", "w.va", "sept", "mich",
            "n.m", "j.r", "l.p", "s.c", "colo", "fri", "a.m", "g.d", "kan", "maj", "ky", "a.m.e", "n.d", "t.j",
            "cos", "nev");

    /** The model's collocations: (type before the period, type after), joined by a tab. */
    private static final Set<String> COLLOCATIONS = Set.of(
            "##number##\tinternational", "##number##\trj", "##number##\tcommodities", "##number##\tcooper",
            "b\tstewart", "##number##\tgenentech", "##number##\twedgestone", "i\ttoussie", "##number##\tpepper",
            "j\tfialka", "o\tludcke", "##number##\tinsider", "##number##\taes", "i\tmagnin", "##number##\tcredit",
            "##number##\tcorrections", "##number##\tfinancing", "##number##\thenley", "##number##\tbusiness",
            "##number##\tpay-fone", "b\twigton", "b\tedelman", "b\tlevine", "##number##\tleisure", "b\tsmith",
            "j\twalter", "##number##\tpegasus", "##number##\tdividend", "j\taron", "##number##\treview",
            "##number##\tabreast", "##number##\twho", "##number##\tletters", "##number##\tcolgate",
            "##number##\tcbot", "##number##\tnotable", "##number##\tzimmer");

    /** The model's frequent sentence starters. */
    private static final Set<String> SENTENCE_STARTERS = Set.of(
            "most", "he", "since", "so", "both", "these", "it", "nevertheless", "this", "indeed", "however",
            "instead", "under", "similarly", "some", "though", "while", "when", "in", "despite", "although",
            "nonetheless", "thus", "there", "if", "the", "nor", "separately", "moreover", "but", "they", "yet",
            "many", "according", "sales", "among", "meanwhile", "even", "i");

    /**
     * Stand-in for the model's orthographic statistics: function words, pronouns and sentence adverbs,
     * treated as seen in lower case and capitalised (see the class comment). "i" is left out: the model
     * has it in upper case only.
     */
    private static final Set<String> LOWER_CASE_WORDS = Set.of(
            "a", "about", "according", "after", "again", "all", "also", "although", "among", "an", "and",
            "another", "any", "are", "as", "at", "be", "because", "been", "before", "both", "but", "by", "can",
            "could", "despite", "did", "do", "does", "during", "each", "either", "even", "every", "few", "for",
            "from", "furthermore", "had", "has", "have", "he", "her", "here", "his", "how", "however", "if",
            "in", "indeed", "instead", "into", "is", "it", "its", "just", "like", "many", "may", "meanwhile",
            "might", "more", "moreover", "most", "much", "must", "my", "neither", "nevertheless", "no",
            "nonetheless", "nor", "not", "now", "of", "on", "once", "one", "only", "or", "other", "others",
            "our", "over", "sales", "separately", "shall", "she", "should", "similarly", "since", "so", "some",
            "still", "such", "than", "that", "the", "their", "then", "there", "therefore", "these", "they",
            "this", "those", "though", "through", "thus", "to", "under", "until", "was", "we", "were", "what",
            "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
            "without", "would", "yet", "you", "your");

    // Orthographic context flags, as in NLTK.
    private static final int ORTHO_BEG_UC = 1 << 1;
    private static final int ORTHO_MID_UC = 1 << 2;
    private static final int ORTHO_UNK_UC = 1 << 3;
    private static final int ORTHO_BEG_LC = 1 << 4;
    private static final int ORTHO_MID_LC = 1 << 5;
    private static final int ORTHO_UNK_LC = 1 << 6;
    private static final int ORTHO_UC = ORTHO_BEG_UC | ORTHO_MID_UC | ORTHO_UNK_UC;
    private static final int ORTHO_LC = ORTHO_BEG_LC | ORTHO_MID_LC | ORTHO_UNK_LC;

    private static final String NUMBER_TYPE = "##number##";
    private static final int CONTEXT_LIMIT = 200;

    // Punkt's word tokenizer (PunktLanguageVars._word_tokenize_fmt), with Python's \s; the regex is the
    // specification of punktWordEnd, which matches it without backtracking (HandWrittenMatchersTest compares them).
    private static final String WS = "[\\s\\x1c-\\x1f]";
    private static final String NON_WS = "[^\\s\\x1c-\\x1f]";
    private static final String NON_WORD = "[)\";}\\]*:@'({\\[?!]";
    private static final String MULTI_CHAR = "(?:-{2,}|\\.{2,}|(?:\\." + WS + "){2,}\\.)";
    private static final String WORD_START = "[^(\"`{\\[:;&#*@)}\\]\\-,]";
    static final Pattern PUNKT_WORD = Pattern.compile(
            MULTI_CHAR + "|(?=" + WORD_START + ")" + NON_WS + "+?(?=" + WS + "|$|" + NON_WORD + "|" + MULTI_CHAR
                    + "|,(?=$|" + WS + "|" + NON_WORD + "|" + MULTI_CHAR + "))|" + NON_WS,
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES);
    /** {@code -?[.,]?\p{Nd}[\p{Nd},.-]*\.?}, the specification of {@link #isNumeric}. */
    static final Pattern NUMERIC = Pattern.compile("-?[.,]?\\p{Nd}[\\p{Nd},.-]*\\.?");
    /** PunktLanguageVars.re_boundary_realignment. */
    private static final Pattern REALIGNMENT = Pattern.compile(
            "[\"')\\]}]+?(?:" + WS + "+|(?=--)|$)",
            Pattern.MULTILINE | Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS);

    private SentenceSplitter() {}

    /** The splitter with NLTK's English Punkt parameters. */
    public static SentenceSplitter english() {
        return ENGLISH;
    }

    /** {@code nltk.sent_tokenize(text)}. */
    public List<String> split(String text) {
        int[] spans = spans(text);
        var out = new ArrayList<String>(spans.length / 2);
        for (int i = 0; i < spans.length; i += 2) {
            out.add(text.substring(spans[i], spans[i + 1]));
        }
        return out;
    }

    /** {@code len(nltk.sent_tokenize(text))}. */
    public int count(String text) {
        return spans(text).length / 2;
    }

    /** The sentences as char offsets: start0, end0, start1, end1, … ({@code span_tokenize}). */
    public int[] spans(String text) {
        return realign(text, rawSlices(text));
    }

    /** {@code _slices_from_text}: the breaks before realignment. */
    private IntList rawSlices(String text) {
        var slices = new IntList();
        int lastBreak = 0;
        int n = text.length();
        // The previous candidate and the slice of the word before it (see _match_potential_end_contexts).
        int prevMark = -1;
        int prevAfterEnd = 0;
        int prevNextTok = -1;
        int prevSliceStart = 0;
        int prevSliceStop = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c != '.' && c != '?' && c != '!') {
                continue;
            }
            // [.?!](?=(?P<after_tok>NonWord|\s+(?P<next_tok>\S+)))
            int afterEnd;
            int nextTok = -1;
            if (i + 1 < n && isNonWord(text.charAt(i + 1))) {
                afterEnd = i + 2;
            } else if (i + 1 < n && PythonStrings.isSpace(text.charAt(i + 1))) {
                int k = i + 1;
                while (k < n && PythonStrings.isSpace(text.charAt(k))) {
                    k++;
                }
                if (k == n) {
                    continue;
                }
                nextTok = k;
                while (k < n && !PythonStrings.isSpace(text.charAt(k))) {
                    k++;
                }
                afterEnd = k;
            } else {
                continue;
            }
            int lastSpace = lastAsciiWhitespace(text, prevSliceStop, i);
            int wordStart = lastSpace != 0 ? lastSpace + prevSliceStop + 1 : prevSliceStart;
            if (prevMark >= 0 && prevSliceStop <= wordStart) {
                lastBreak = decide(text, prevSliceStart, prevSliceStop, prevMark, prevAfterEnd, prevNextTok,
                        lastBreak, slices);
            }
            prevMark = i;
            prevAfterEnd = afterEnd;
            prevNextTok = nextTok;
            prevSliceStart = wordStart;
            prevSliceStop = i;
        }
        if (prevMark >= 0) {
            lastBreak = decide(text, prevSliceStart, prevSliceStop, prevMark, prevAfterEnd, prevNextTok, lastBreak,
                    slices);
        }
        slices.add(lastBreak, PythonStrings.rstripLength(text));
        return slices;
    }

    /** Adds the slice ending at {@code mark} when its context holds a break; returns the new last break. */
    private static int decide(String text, int wordStart, int wordEnd, int mark, int afterEnd, int nextTok,
            int lastBreak, IntList slices) {
        int from = Math.max(wordStart, wordEnd - CONTEXT_LIMIT);
        if (from > wordStart && Character.isLowSurrogate(text.charAt(from))) {
            from--;
        }
        int to = Math.min(afterEnd, (nextTok >= 0 ? nextTok : mark + 1) + CONTEXT_LIMIT);
        if (to < afterEnd && Character.isLowSurrogate(text.charAt(to))) {
            to++;
        }
        String context = text.substring(from, wordEnd) + text.substring(mark, to);
        if (!containsSentenceBreak(context)) {
            return lastBreak;
        }
        slices.add(lastBreak, mark + 1);
        return nextTok >= 0 ? nextTok : mark + 1;
    }

    /** Python's {@code string.whitespace} (ASCII only), searched backwards; 0 when absent, as in NLTK. */
    private static int lastAsciiWhitespace(String text, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            char c = text.charAt(i);
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                return i - from;
            }
        }
        return 0;
    }

    private static boolean isNonWord(char c) {
        return switch (c) {
            case ')', '"', ';', '}', ']', '*', ':', '@', '\'', '(', '{', '[', '?', '!' -> true;
            default -> false;
        };
    }

    /** {@code _realign_boundaries}: closing quotes and brackets after a break join the sentence before. */
    private static int[] realign(String text, IntList slices) {
        var out = new IntList();
        int realign = 0;
        int count = slices.size() / 2;
        Matcher m = REALIGNMENT.matcher(text);
        for (int k = 0; k < count; k++) {
            int start = slices.get(2 * k) + realign;
            int stop = slices.get(2 * k + 1);
            if (k == count - 1) {
                if (stop > start) {
                    out.add(start, stop);
                }
                continue;
            }
            int nextStart = slices.get(2 * k + 2);
            int nextStop = slices.get(2 * k + 3);
            if (nextStop > nextStart && m.region(nextStart, nextStop).lookingAt()) {
                out.add(start, nextStart + PythonStrings.rstripLength(m.group()));
                realign = m.end() - nextStart;
            } else {
                realign = 0;
                if (stop > start) {
                    out.add(start, stop);
                }
            }
        }
        return out.toArray();
    }

    /** {@code text_contains_sentbreak}: a break at any token but the last. */
    static boolean containsSentenceBreak(String context) {
        List<Token> tokens = punktWords(context);
        for (Token t : tokens) {
            firstPass(t);
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            secondPass(tokens.get(i), tokens.get(i + 1));
            if (tokens.get(i).sentbreak) {
                return true;
            }
        }
        return false;
    }

    /** {@code _tokenize_words}: Punkt's word tokens, line by line. */
    private static List<Token> punktWords(String text) {
        var tokens = new ArrayList<Token>();
        for (String line : PythonStrings.splitOn(text, '\n')) {
            if (PythonStrings.isBlank(line)) {
                continue;
            }
            for (int p = 0, n = line.length(); p < n; ) {
                int end = punktWordEnd(line, p);
                if (end < 0) {
                    p++;
                } else {
                    tokens.add(new Token(line.substring(p, end)));
                    p = end;
                }
            }
        }
        return tokens;
    }

    /**
     * Where the {@link #PUNKT_WORD} match starting at {@code p} of a line (no '\n') ends, or -1 when none starts
     * there (whitespace). The regex's alternatives in order: a multi-character run ({@code --}, {@code ..},
     * {@code . . .}); a word, which cannot start with one of {@code ("`{[:;&#*@)}]-,}, and ends at the first place
     * followed by whitespace, the end, a non-word character, a multi-character run, or a comma that is itself
     * followed by one of those; else a single character.
     */
    static int punktWordEnd(String s, int p) {
        char c = s.charAt(p);
        if (PythonStrings.isSpace(c)) {
            return -1;
        }
        int multi = multiCharEnd(s, p);
        if (multi >= 0) {
            return multi;
        }
        if (isWordStartExcluded(c)) {
            return p + 1; // the single non-space character: here always one of those ASCII characters
        }
        // NON_WS+? : the first end after at least one character where the lookahead holds; never inside a surrogate
        // pair (the lookahead needs an ASCII character or whitespace there) and never past whitespace (it holds there)
        int q = p + 1;
        while (!wordEndsAt(s, q)) {
            q++;
        }
        return q;
    }

    /** After a Punkt word: whitespace, the end, a non-word character, a multi-char run, or a comma before one. */
    private static boolean wordEndsAt(String s, int q) {
        int n = s.length();
        if (q >= n) {
            return true;
        }
        char c = s.charAt(q);
        if (PythonStrings.isSpace(c) || isNonWord(c) || multiCharEnd(s, q) >= 0) {
            return true;
        }
        if (c != ',') {
            return false;
        }
        return q + 1 >= n || PythonStrings.isSpace(s.charAt(q + 1)) || isNonWord(s.charAt(q + 1))
                || multiCharEnd(s, q + 1) >= 0;
    }

    /** End of the greedy {@code -{2,}|\.{2,}|(?:\.\s){2,}\.} match at {@code q}, or -1. */
    private static int multiCharEnd(String s, int q) {
        int n = s.length();
        if (q + 1 >= n) {
            return -1;
        }
        char c = s.charAt(q);
        char next = s.charAt(q + 1);
        if ((c == '-' || c == '.') && next == c) {
            int j = q + 2;
            while (j < n && s.charAt(j) == c) {
                j++;
            }
            return j;
        }
        if (c != '.') {
            return -1;
        }
        int pairs = 0;
        int j = q;
        while (j + 1 < n && s.charAt(j) == '.' && PythonStrings.isSpace(s.charAt(j + 1))) {
            j += 2;
            pairs++;
        }
        if (pairs >= 2 && j < n && s.charAt(j) == '.') {
            return j + 1;
        }
        return pairs >= 3 ? j - 1 : -1; // one pair given back: its period ends the match
    }

    private static boolean isWordStartExcluded(char c) {
        return switch (c) {
            case '(', '"', '`', '{', '[', ':', ';', '&', '#', '*', '@', ')', '}', ']', '-', ',' -> true;
            default -> false;
        };
    }

    /** {@link #NUMERIC}{@code .matcher(s).matches()}. */
    static boolean isNumeric(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i < n && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
            i++;
        }
        if (i >= n || Character.getType(s.codePointAt(i)) != Character.DECIMAL_DIGIT_NUMBER) {
            return false;
        }
        i += Character.charCount(s.codePointAt(i));
        while (i < n) {
            int cp = s.codePointAt(i);
            if (cp != ',' && cp != '.' && cp != '-' && Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    private static void firstPass(Token t) {
        String tok = t.tok;
        if (tok.equals(".") || tok.equals("?") || tok.equals("!")) {
            t.sentbreak = true;
        } else if (isEllipsis(tok)) {
            t.ellipsis = true;
        } else if (t.periodFinal && !tok.endsWith("..")) {
            String base = PythonStrings.lower(tok.substring(0, tok.length() - 1));
            if (ABBREVIATIONS.contains(base) || ABBREVIATIONS.contains(base.substring(base.lastIndexOf('-') + 1))) {
                t.abbr = true;
            } else {
                t.sentbreak = true;
            }
        }
    }

    private static void secondPass(Token t1, Token t2) {
        if (!t1.periodFinal) {
            return;
        }
        String type = t1.typeNoPeriod();
        String nextType = t2.typeNoSentPeriod();
        boolean initial = t1.isInitial();
        if (COLLOCATIONS.contains(type + "\t" + nextType)) {
            t1.sentbreak = false;
            t1.abbr = true;
            return;
        }
        if ((t1.abbr || t1.ellipsis) && !initial) {
            Ortho starter = orthoHeuristic(t2);
            if (starter == Ortho.YES) {
                t1.sentbreak = true;
                return;
            }
            if (t2.firstUpper() && SENTENCE_STARTERS.contains(nextType)) {
                t1.sentbreak = true;
                return;
            }
        }
        if (initial || type.equals(NUMBER_TYPE)) {
            Ortho starter = orthoHeuristic(t2);
            if (starter == Ortho.NO) {
                t1.sentbreak = false;
                t1.abbr = true;
                return;
            }
            if (starter == Ortho.UNKNOWN && initial && t2.firstUpper() && (orthoContext(nextType) & ORTHO_LC) == 0) {
                t1.sentbreak = false;
                t1.abbr = true;
            }
        }
    }

    private enum Ortho { YES, NO, UNKNOWN }

    /** {@code _ortho_heuristic}: does {@code t} start a sentence? */
    private static Ortho orthoHeuristic(Token t) {
        if (t.tok.length() == 1 && ";:,.!?".indexOf(t.tok.charAt(0)) >= 0) {
            return Ortho.NO;
        }
        int context = orthoContext(t.typeNoSentPeriod());
        if (t.firstUpper() && (context & ORTHO_LC) != 0 && (context & ORTHO_MID_UC) == 0) {
            return Ortho.YES;
        }
        if (t.firstLower() && ((context & ORTHO_UC) != 0 || (context & ORTHO_BEG_LC) == 0)) {
            return Ortho.NO;
        }
        return Ortho.UNKNOWN;
    }

    /** The stand-in for the model's orthographic context of a word type (see the class comment). */
    private static int orthoContext(String type) {
        return LOWER_CASE_WORDS.contains(type) ? ORTHO_MID_LC | ORTHO_MID_UC | ORTHO_BEG_UC : 0;
    }

    private static boolean isEllipsis(String tok) {
        if (tok.length() < 2) {
            return false;
        }
        for (int i = 0; i < tok.length(); i++) {
            if (tok.charAt(i) != '.') {
                return false;
            }
        }
        return true;
    }

    /** A Punkt token with its annotations ({@code PunktToken}). */
    private static final class Token {
        final String tok;
        final String type;
        final boolean periodFinal;
        boolean sentbreak;
        boolean abbr;
        boolean ellipsis;

        Token(String tok) {
            this.tok = tok;
            String lower = PythonStrings.lower(tok);
            this.type = isNumeric(lower) ? NUMBER_TYPE : lower;
            this.periodFinal = tok.endsWith(".");
        }

        String typeNoPeriod() {
            return type.length() > 1 && type.endsWith(".") ? type.substring(0, type.length() - 1) : type;
        }

        String typeNoSentPeriod() {
            return sentbreak ? typeNoPeriod() : type;
        }

        /** {@code [^\W\d]\.$}: one word character that is not a digit, then a period. */
        boolean isInitial() {
            if (!tok.endsWith(".")) {
                return false;
            }
            int cp = tok.codePointAt(0);
            return Character.charCount(cp) + 1 == tok.length() && PythonStrings.isWordChar(cp)
                    && Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER;
        }

        boolean firstUpper() {
            return Character.isUpperCase(tok.codePointAt(0));
        }

        boolean firstLower() {
            return Character.isLowerCase(tok.codePointAt(0));
        }
    }

    /** A growable int array of (start, end) pairs. */
    private static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int a, int b) {
            if (size + 2 > values.length) {
                values = java.util.Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = a;
            values[size++] = b;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
