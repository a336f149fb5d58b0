package dev.jchat.data;

/**
 * One pipeline step (a filter, the extractor, language ID, PII, token counting): a pure function of a
 * document, so the same code runs in the local executor and inside Spark. Steps are immutable and shared
 * between worker threads; anything they count goes into the {@link StepStats} they are handed.
 */
public interface DocumentStep {

    /** The step's name in stats and in {@code removed/<name>/}, e.g. {@code gopher_quality}. */
    String name();

    /**
     * Keeps (possibly rewritten) or drops the document. The caller counts total/forwarded/dropped and
     * {@code dropped_<reason>}; a step records only its own extra counters (e.g. C4's line counts).
     */
    Outcome apply(Document document, StepStats stats);
}
