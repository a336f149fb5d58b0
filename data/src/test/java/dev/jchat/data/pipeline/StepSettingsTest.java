package dev.jchat.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.dedup.MinhashConfig;
import dev.jchat.data.dedup.MinhashNormalization;
import dev.jchat.data.extract.HtmlExtractor;
import dev.jchat.data.filter.FineWebQualityFilter;
import dev.jchat.data.filter.GopherQualityFilter;
import dev.jchat.data.filter.GopherRepetitionFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StepSettingsTest {

    @Test
    void setsRecordComponentsBySnakeCaseNameAndKeepsTheOtherDefaults() {
        var settings = StepSettings.of(Map.of("gopher_qual.min_doc_words", "100", "gopher_qual.stop_words", "a, the",
                "gopher_qual.distinct_stop_words", "true"), "test");
        GopherQualityFilter.Params params = settings.apply("gopher_qual", GopherQualityFilter.Params.fineweb(), Set.of());
        GopherQualityFilter.Params fineweb = GopherQualityFilter.Params.fineweb();
        assertEquals(100, params.minDocWords());
        assertEquals(Set.of("a", "the"), params.stopWords());
        assertTrue(params.distinctStopWords());
        assertEquals(fineweb.maxDocWords(), params.maxDocWords());
        assertEquals(fineweb.maxSymbolWordRatio(), params.maxSymbolWordRatio());
    }

    @Test
    void convertsEnumsDurationsPairListsAndCharacterSets() {
        var settings = StepSettings.of(Map.of(
                "minhash.normalization", "v0_2_0", "minhash.num_buckets", "20",
                "extract.time_budget", "250ms",
                "gopher_rep.top_n_grams", "2:0.25, 3:0.2",
                "fineweb_quality.stop_chars", ".,!"), "test");
        MinhashConfig minhash = settings.apply("minhash", MinhashConfig.FINEWEB, Set.of());
        assertEquals(20, minhash.numBuckets());
        assertEquals(MinhashNormalization.V0_2_0, minhash.normalization());
        assertEquals(Duration.ofMillis(250), settings.apply("extract", HtmlExtractor.Options.defaults(), Set.of()).timeBudget());
        assertEquals(List.of(new GopherRepetitionFilter.NGramThreshold(2, 0.25), new GopherRepetitionFilter.NGramThreshold(3, 0.2)),
                settings.apply("gopher_rep", GopherRepetitionFilter.Params.fineweb(), Set.of()).topNGrams());
        assertEquals(Set.of((int) '.', (int) '!'),
                settings.apply("fineweb_quality", FineWebQualityFilter.Params.fineweb(), Set.of()).stopChars());
    }

    @Test
    void badNamesAndValuesAreClearErrors() {
        var typo = StepSettings.of(Map.of("gopher_qual.min_words", "3"), "x.properties");
        var error = assertThrows(IllegalArgumentException.class,
                () -> typo.apply("gopher_qual", GopherQualityFilter.Params.fineweb(), Set.of()));
        assertTrue(error.getMessage().contains("gopher_qual.min_words: no such parameter")
                && error.getMessage().contains("min_doc_words"), error.getMessage());

        var notNumber = StepSettings.of(Map.of("gopher_qual.min_doc_words", "many"), "x");
        error = assertThrows(IllegalArgumentException.class,
                () -> notNumber.apply("gopher_qual", GopherQualityFilter.Params.fineweb(), Set.of()));
        assertTrue(error.getMessage().contains("gopher_qual.min_doc_words = many: not a number"), error.getMessage());

        var invalid = StepSettings.of(Map.of("minhash.num_buckets", "0"), "x");
        error = assertThrows(IllegalArgumentException.class, () -> invalid.apply("minhash", MinhashConfig.FINEWEB, Set.of()));
        assertTrue(error.getMessage().startsWith("minhash: "), error.getMessage());

        error = assertThrows(IllegalArgumentException.class, () -> StepSettings.of(Map.of("nodot", "1"), "x.properties"));
        assertTrue(error.getMessage().contains("x.properties: 'nodot' is not of the form <step>.<parameter>"));
    }

    @Test
    void thePipelineRejectsUnknownStepsAndPresetsBeforeReadingInput(@org.junit.jupiter.api.io.TempDir Path dir) {
        for (var entry : Map.of("gopher.min_doc_words", "no such step", "c4_quality.preset", "unknown preset").entrySet()) {
            var options = new DataPipeline.Options(List.of(dir.resolve("missing.warc.gz")), dir, Set.of("en"), 0.65, 1, false,
                    Set.of(), null, dev.jchat.data.io.DocumentWriter.Format.JSONL,
                    StepSettings.of(Map.of(entry.getKey(), "head"), "test"));
            var error = assertThrows(IllegalArgumentException.class, () -> new DataPipeline(options, LocalExecutor.Progress.NONE));
            assertTrue(error.getMessage().contains(entry.getValue()), error.getMessage());
        }
    }
}
