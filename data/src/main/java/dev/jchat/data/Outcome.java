package dev.jchat.data;

/** What a step did with a document: pass it on (possibly rewritten) or drop it with a reason. */
public sealed interface Outcome {

    record Keep(Document document) implements Outcome {}

    /** {@code reason} is a short snake_case label, counted as {@code dropped_<reason>} in the stats. */
    record Drop(Document document, String reason) implements Outcome {}

    static Outcome keep(Document document) {
        return new Keep(document);
    }

    static Outcome drop(Document document, String reason) {
        return new Drop(document, reason);
    }
}
