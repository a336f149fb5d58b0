package dev.jchat.data.pipeline;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.tokenizer.Tokenizer;

/**
 * Sets {@code token_count}: GPT-2 (r50k_base) tokens of the text, without an end-of-text token, as
 * datatrove's TokensCounter does for FineWeb (counted before PII rewriting).
 */
public final class TokenCounter implements DocumentStep {
    private final Tokenizer tokenizer;

    public TokenCounter(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public TokenCounter() {
        this(Tokenizer.load("r50k_base"));
    }

    @Override
    public String name() {
        return "tokens";
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        int tokens = tokenizer.encode(document.text()).length;
        stats.add("tokens", tokens);
        return Outcome.keep(document.with(Document.TOKEN_COUNT, (long) tokens));
    }
}
