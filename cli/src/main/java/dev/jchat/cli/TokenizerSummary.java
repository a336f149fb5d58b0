package dev.jchat.cli;

import dev.jchat.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.stream.IntStream;

/** The human-readable description of a tokenizer that {@code info} prints and training writes. */
final class TokenizerSummary {
    private TokenizerSummary() {}

    private static final String EXAMPLE = "Hello world! Tokenizers split text into 12345 pieces: 안녕하세요 🌍\n"
            + "    indented code(x) { return x * 2; }";

    static String describe(Tokenizer tok) {
        int ordinary = (int) IntStream.range(0, tok.ordinaryCount()).filter(tok::contains).count();
        var text = new StringBuilder();
        text.append("tokenizer       ").append(tok.name()).append('\n');
        text.append("ids             ").append(tok.vocabSize()).append(" (").append(ordinary).append(" ordinary, ")
                .append(tok.specialTokens().size()).append(" special)\n");
        text.append("merges          ").append(tok.merges().size()).append('\n');
        text.append("merge rule      ").append(tok.ignoresMerges()
                ? "a piece that is a token is that token (tiktoken, HF ignore_merges)"
                : "listed merges in order (HF BPE)").append('\n');
        text.append("split pattern   ").append(tok.preTokenizer().name()).append(": ")
                .append(tok.preTokenizer().pattern()).append('\n');
        text.append("special tokens\n").append(TokenizerCommand.specials(tok.specialTokens()));
        text.append("longest tokens  ");
        IntStream.range(0, tok.ordinaryCount()).filter(id -> tok.contains(id) && !tok.isSpecial(id)).boxed()
                .sorted(Comparator.comparingInt((Integer id) -> -tok.bytes(id).length).thenComparing(id -> id))
                .limit(8).forEach(id -> text.append(show(tok, id)).append(' '));
        text.append('\n');
        int[] ids = tok.encode(EXAMPLE);
        text.append("example         ").append(EXAMPLE.length()).append(" chars, ")
                .append(EXAMPLE.getBytes(StandardCharsets.UTF_8).length).append(" bytes -> ").append(ids.length)
                .append(" tokens\n                ");
        for (int id : ids) {
            text.append(show(tok, id)).append(' ');
        }
        return text.append('\n').toString();
    }

    /** A token as {@code id:'text'}, with control characters escaped and partial UTF-8 shown as hex. */
    static String show(Tokenizer tok, int id) {
        byte[] bytes = tok.bytes(id);
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean whole = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes);
        var shown = new StringBuilder();
        if (whole) {
            text.codePoints().forEach(cp -> shown.append(switch (cp) {
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                default -> Character.isISOControl(cp) ? "\\u%04x".formatted(cp) : Character.toString(cp);
            }));
        } else {
            for (byte b : bytes) {
                shown.append("\\x%02x".formatted(b & 0xFF));
            }
        }
        return id + ":'" + shown + "'";
    }
}
