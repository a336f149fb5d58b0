package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.filter.LanguageFilter.Newlines;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LanguageFilterTest {

    static final String ENGLISH = "All human beings are born free and equal in dignity and rights. They are endowed"
            + " with reason and conscience and should act towards one another in a spirit of brotherhood.";
    static final String FRENCH = "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont"
            + " doués de raison et de conscience et doivent agir les uns envers les autres dans un esprit de"
            + " fraternité.";
    static final String KOREAN = "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다. 인간은 천부적으로 이성과 양심을"
            + " 부여받았으며 서로 형제애의 정신으로 행동하여야 한다.";
    /** zh 0.689, ja 0.309 (see LanguageIdAccuracyTest's golden values). */
    static final String CHINESE = "人人生而自由，在尊严和权利上一律平等。";

    static final LanguageFilter FINEWEB = LanguageFilter.fineweb();

    static Outcome run(LanguageFilter filter, String text) {
        return filter.apply(new Document(text, "doc"), new StepStats(filter.name()));
    }

    static Document keep(Outcome outcome) {
        return assertInstanceOf(Outcome.Keep.class, outcome).document();
    }

    static Outcome.Drop drop(Outcome outcome, String reason) {
        var drop = assertInstanceOf(Outcome.Drop.class, outcome);
        assertEquals(reason, drop.reason());
        assertEquals(reason, drop.document().get(Document.FILTER_REASON));
        return drop;
    }

    static double score(Document document) {
        return assertInstanceOf(Double.class, document.metadata().get(Document.LANGUAGE_SCORE));
    }

    @Test
    void finewebDefaults() {
        assertEquals("language", FINEWEB.name());
        assertEquals(Set.of("en"), FINEWEB.languages());
        assertEquals(0.65, FINEWEB.threshold());
        assertEquals(Newlines.REMOVE, FINEWEB.newlines());
    }

    @Test
    void keptDocumentCarriesLanguageAndScore() {
        var doc = new Document(ENGLISH, "id-1").with(Document.URL, "https://example.com/");
        Document kept = keep(FINEWEB.apply(doc, new StepStats("language")));
        assertEquals("en", kept.get(Document.LANGUAGE));
        double score = score(kept);
        assertTrue(score > 0.65 && score <= 1.0, "score " + score);
        assertEquals(ENGLISH, kept.text());
        assertEquals("id-1", kept.id());
        assertEquals("https://example.com/", kept.url());
        assertNull(kept.get(Document.FILTER_REASON));
    }

    @Test
    void droppedDocumentCarriesLanguageScoreAndReason() {
        Document dropped = drop(run(FINEWEB, FRENCH), LanguageFilter.OTHER_LANGUAGE).document();
        assertEquals("fr", dropped.get(Document.LANGUAGE));
        assertTrue(score(dropped) > 0.9, "score " + score(dropped));
        Document korean = drop(run(FINEWEB, KOREAN), LanguageFilter.OTHER_LANGUAGE).document();
        assertEquals("ko", korean.get(Document.LANGUAGE));
        assertTrue(score(korean) > 0.9);
    }

    @Test
    void severalLanguagesCanBeKept() {
        var enKo = LanguageFilter.of(Set.of("en", "ko"), 0.65);
        assertEquals("en", keep(run(enKo, ENGLISH)).get(Document.LANGUAGE));
        assertEquals("ko", keep(run(enKo, KOREAN)).get(Document.LANGUAGE));
        drop(run(enKo, FRENCH), LanguageFilter.OTHER_LANGUAGE);
        // as a comma-separated setting splits: " ko" and "EN" name the same languages
        assertEquals(Set.of("en", "ko"), LanguageFilter.of(Set.of("EN", " ko"), 0.65).languages());
    }

    @Test
    void thresholdIsStrict() {
        float p = FastTextLid.lid176().predict(ENGLISH).probability();
        assertTrue(p < 1f, "needs a score below 1: " + p);
        // score == threshold: dropped, as datatrove's "score > threshold"
        Document atThreshold = drop(run(LanguageFilter.of(Set.of("en"), p), ENGLISH),
                LanguageFilter.LOW_LANGUAGE_SCORE).document();
        assertEquals("en", atThreshold.get(Document.LANGUAGE));
        assertEquals((double) p, score(atThreshold));
        // just below: kept
        keep(run(LanguageFilter.of(Set.of("en"), Math.nextDown((double) p)), ENGLISH));
        // threshold 0 keeps anything whose kept language has any probability; 1 keeps nothing
        keep(run(LanguageFilter.of(Set.of("en"), 0.0), ENGLISH));
        drop(run(LanguageFilter.of(Set.of("ja"), 1.0), "すべての人間は、生まれながらにして自由である。"),
                LanguageFilter.LOW_LANGUAGE_SCORE);
    }

    @Test
    void aKeptLanguageNeedNotBeTheTopOne() {
        // datatrove keeps if any kept language beats the threshold; the metadata still names the top-1
        Document kept = keep(run(LanguageFilter.of(Set.of("ja"), 0.3), CHINESE));
        assertEquals("zh", kept.get(Document.LANGUAGE));
        drop(run(LanguageFilter.of(Set.of("ja"), 0.65), CHINESE), LanguageFilter.OTHER_LANGUAGE);
    }

    @Test
    void newlinesRemovedAsV020OrSpacedAsHead() {
        String text = "The committee will meet\non Monday to discuss\nthe budget for next year";
        var lid = FastTextLid.lid176();
        var remove = new LanguageFilter(lid, Set.of("en"), 0.65, Newlines.REMOVE);
        var space = new LanguageFilter(lid, Set.of("en"), 0.65, Newlines.SPACE);
        double removed = score(metadata(run(remove, text)));
        double spaced = score(metadata(run(space, text)));
        assertEquals(lid.predict(text.replace("\n", "")).probability(), removed, 0.0);
        assertEquals(lid.predict(text.replace("\n", " ")).probability(), spaced, 0.0);
        assertNotEquals(removed, spaced);
    }

    static Document metadata(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Keep k -> k.document();
            case Outcome.Drop d -> d.document();
        };
    }

    @Test
    void textWithoutLettersIsUnknownWithScoreZero() {
        for (String text : List.of("", " ", "\n\n\n", "12345", "3.14159 2.71828 1,000,000", "!!! ??? ... ---",
                "+1 (555) 010-9999", "😀😃😄 👍", "★★★★☆ 4.5", "\t\u00a0\u3000")) {
            Document dropped = drop(run(FINEWEB, text), LanguageFilter.NO_LANGUAGE).document();
            assertEquals(LanguageFilter.UNKNOWN, dropped.get(Document.LANGUAGE), text);
            assertEquals(0.0, score(dropped), text);
        }
    }

    @Test
    void garbageIsLabelledAndDropped() {
        for (String text : List.of("asdf jkl qwerty zxcv", "xq zzk vvp qqj", "a1b2c3 d4e5f6 0xdeadbeef",
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit")) {
            var drop = assertInstanceOf(Outcome.Drop.class, run(FINEWEB, text), text);
            var reasons = Set.of(LanguageFilter.OTHER_LANGUAGE, LanguageFilter.LOW_LANGUAGE_SCORE);
            assertTrue(reasons.contains(drop.reason()), drop.reason());
            assertTrue(FastTextLid.lid176().labels().contains(drop.document().get(Document.LANGUAGE)));
            double score = score(drop.document());
            assertTrue(score >= 0 && score <= 1);
        }
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> LanguageFilter.of(Set.of("english"), 0.65));
        assertThrows(IllegalArgumentException.class, () -> LanguageFilter.of(Set.of(), 0.65));
        assertThrows(IllegalArgumentException.class, () -> LanguageFilter.of(Set.of("en"), 1.5));
        assertThrows(IllegalArgumentException.class, () -> LanguageFilter.of(Set.of("en"), Double.NaN));
    }

    @Test
    void sharedByTwoThreadsGivesTheSameResults() throws Exception {
        var filter = LanguageFilter.of(Set.of("en", "ko"), 0.65);
        List<String> texts = new ArrayList<>();
        String[] base = {ENGLISH, FRENCH, KOREAN, CHINESE, "", "12345", "asdf jkl", ENGLISH + "\n" + FRENCH,
                "Всі люди народжуються вільними", "Setiap orang berhak atas semua hak"};
        for (int i = 0; i < 200; i++) {
            String b = base[i % base.length];
            texts.add(b.isEmpty() ? b : b.substring(0, Math.max(1, b.length() - i % 17)));
        }
        List<Document> expected = texts.stream().map(t -> metadata(run(filter, t))).toList();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Document>>> futures = new ArrayList<>();
            for (int thread = 0; thread < 2; thread++) {
                futures.add(pool.submit(() -> {
                    List<Document> last = null;
                    for (int round = 0; round < 50; round++) {
                        last = texts.stream().map(t -> metadata(run(filter, t))).toList();
                    }
                    return last;
                }));
            }
            for (var future : futures) {
                assertEquals(expected, future.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void predictionsAreProbabilities() {
        var lid = FastTextLid.lid176();
        for (String text : List.of(ENGLISH, FRENCH, KOREAN, CHINESE, "x", "")) {
            float[] p = lid.probabilities(text);
            float sum = 0;
            for (float v : p) {
                assertTrue(v >= 0 && v <= 1);
                sum += v;
            }
            assertEquals(1.0, sum, 0.01, text);
        }
    }
}
