package dev.jchat.data.extract;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;

/**
 * datatrove's {@code Trafilatura(favour_precision=True)} block: replaces the HTML text of a document with
 * its extracted main content ({@link HtmlExtractor}). Counters, as datatrove HEAD's extractors record them:
 * {@code extracted} (the extractor finished, whatever it returned), {@code timeout}, {@code clean_error} (it
 * threw); and ours: {@code html_truncated} (HTML cut to the size cap), {@code fallback} (the wide extraction
 * supplied the text), {@code not_html} (binary garbage). Drop reasons: {@code empty} (nothing useful
 * extracted), {@code not_html}, {@code timeout}, {@code clean_error}.
 */
public final class ExtractStep implements DocumentStep {

    /** What the step calls: {@link HtmlExtractor#extract}, or a stand-in in tests. */
    interface Extractor {
        HtmlExtractor.Extraction extract(String html, String url);
    }

    private final Extractor extractor;

    public ExtractStep() {
        this(new HtmlExtractor());
    }

    public ExtractStep(HtmlExtractor extractor) {
        this((Extractor) extractor::extract);
    }

    ExtractStep(Extractor extractor) {
        this.extractor = extractor;
    }

    @Override
    public String name() {
        return "extract";
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        HtmlExtractor.Extraction result;
        try {
            result = extractor.extract(document.text(), document.url());
        } catch (RuntimeException | StackOverflowError e) {
            stats.increment("clean_error");
            return Outcome.drop(document, "clean_error");
        }
        if (result.truncated()) {
            stats.increment("html_truncated");
        }
        return switch (result.status()) {
            case TIMEOUT -> {
                stats.increment("timeout");
                yield Outcome.drop(document, "timeout");
            }
            case NOT_HTML -> {
                stats.increment("extracted");
                stats.increment("not_html");
                yield Outcome.drop(document, "not_html");
            }
            case EMPTY -> {
                stats.increment("extracted");
                yield Outcome.drop(document, "empty");
            }
            case EXTRACTED -> {
                stats.increment("extracted");
                if (result.fallback()) {
                    stats.increment("fallback");
                }
                yield Outcome.keep(document.withText(result.text()));
            }
        };
    }
}
