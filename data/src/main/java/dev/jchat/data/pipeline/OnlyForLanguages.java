package dev.jchat.data.pipeline;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import java.util.Set;

/**
 * Runs a step only on documents in the given languages and passes the others through, counted as
 * {@code passed_other_language}. The Gopher, C4 and FineWeb rules are tuned on English (stop words,
 * sentence punctuation, word lengths): applied to Korean or Chinese they would drop nearly everything.
 */
public record OnlyForLanguages(DocumentStep step, Set<String> languages) implements DocumentStep {

    @Override
    public String name() {
        return step.name();
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        String language = document.get(Document.LANGUAGE);
        if (language != null && !languages.contains(language)) {
            stats.increment("passed_other_language");
            return Outcome.keep(document);
        }
        return step.apply(document, stats);
    }
}
