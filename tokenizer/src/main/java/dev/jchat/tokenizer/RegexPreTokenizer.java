package dev.jchat.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pre-tokenizer over java.util.regex. {@code \s}, {@code \w} and friends are Unicode-aware, as they
 * are in the Rust regex engines that tiktoken and HF tokenizers use. Text between matches (which the
 * built-in patterns never leave) becomes a piece of its own, as HF's Split(Isolated) does.
 */
final class RegexPreTokenizer implements PreTokenizer {
    private final String name;
    private final String regex;
    private final Pattern pattern;

    RegexPreTokenizer(String name, String regex) {
        this.name = name;
        this.regex = regex;
        try {
            this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid split pattern: " + e.getMessage(), e);
        }
    }

    @Override
    public void split(CharSequence text, int from, int to, PieceSink sink) {
        Matcher m = pattern.matcher(text).region(from, to);
        int last = from;
        while (m.find()) {
            if (m.start() == m.end()) {
                continue;
            }
            if (m.start() > last) {
                sink.piece(last, m.start());
            }
            sink.piece(m.start(), m.end());
            last = m.end();
        }
        if (last < to) {
            sink.piece(last, to);
        }
    }

    @Override
    public String pattern() {
        return regex;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + " /" + regex + "/";
    }
}
