package dev.jchat.data.filter;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;

/** A filter that keeps or drops a document by its text alone, without rewriting it. */
public interface TextFilter extends DocumentStep {

    /** The reason datatrove would give for dropping {@code text}, or null to keep it. */
    String dropReason(String text);

    @Override
    default Outcome apply(Document document, StepStats stats) {
        String reason = dropReason(document.text());
        return reason == null ? Outcome.keep(document) : Outcome.drop(document, reason);
    }
}
