package dev.jchat.cli;

import dev.jchat.tokenizer.Tokenizer;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat tokenizer}: train, encode, decode and inspect byte-level BPE tokenizers. */
@Command(name = "tokenizer",
        description = "Byte-level BPE tokenizers: train one, encode and decode text, inspect one.",
        mixinStandardHelpOptions = true,
        subcommands = {TrainTokenizerCommand.class, TokenizerCommand.Encode.class, TokenizerCommand.Decode.class,
                TokenizerCommand.Info.class})
final class TokenizerCommand {

    static final String TOKENIZER_HELP = "a built-in encoding (r50k_base, p50k_base, p50k_edit, cl100k_base, "
            + "o200k_base), a tokenizer.json, a directory holding one, or a .tiktoken rank file";

    @Command(name = "encode", mixinStandardHelpOptions = true,
            description = {"Text to token ids. The whole input is one text and gives one line of space-separated "
                    + "ids; with --lines, each input line gives one output line (its line ending excluded).",
                    "Invalid UTF-8 input bytes are encoded as U+FFFD, with a warning that counts them."})
    static final class Encode implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = TOKENIZER_HELP)
        String tokenizer;

        @Option(names = "--input", description = "file to read (default: stdin)")
        Path input;

        @Option(names = "--lines", description = "encode each line separately")
        boolean lines;

        @Option(names = "--allow-special", description = "recognise special tokens written in the text "
                + "(otherwise they are encoded as ordinary text)")
        boolean allowSpecial;

        @Override
        public Integer call() throws IOException {
            Tokenizer tok = Tokenizer.load(tokenizer);
            Set<String> allowed = allowSpecial ? tok.specialTokens().keySet() : Set.of();
            try (Writer out = stdout()) {
                if (lines) {
                    try (BufferedReader in = TextInput.lines(input)) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            writeIds(out, tok.encode(line, allowed));
                        }
                    }
                } else {
                    TextInput.Decoded text = TextInput.readAll(input);
                    if (text.replaced() > 0) {
                        System.err.println("jchat: warning: " + text.replaced() + " invalid UTF-8 sequence(s) in "
                                + (input == null ? "stdin" : input) + " encoded as U+FFFD");
                    }
                    writeIds(out, tok.encode(text.text(), allowed));
                }
            }
            return 0;
        }

        private static void writeIds(Writer out, int[] ids) throws IOException {
            var line = new StringBuilder(ids.length * 6);
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) {
                    line.append(' ');
                }
                line.append(ids[i]);
            }
            out.write(line.append('\n').toString());
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = {"Token ids (separated by whitespace) to text, written as the exact bytes the ids stand "
                    + "for. With --lines, each input line of ids gives one output line."})
    static final class Decode implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = TOKENIZER_HELP)
        String tokenizer;

        @Option(names = "--input", description = "file to read (default: stdin)")
        Path input;

        @Option(names = "--lines", description = "decode each line of ids separately, one text per line")
        boolean lines;

        @Override
        public Integer call() throws IOException {
            Tokenizer tok = Tokenizer.load(tokenizer);
            try (BufferedReader in = TextInput.lines(input);
                 OutputStream out = new BufferedOutputStream(System.out, 1 << 16)) {
                String line;
                int lineNumber = 0;
                while ((line = in.readLine()) != null) {
                    lineNumber++;
                    out.write(tok.decodeBytes(parseIds(line, lineNumber, tok)));
                    if (lines) {
                        out.write('\n');
                    }
                }
            }
            return 0;
        }

        private int[] parseIds(String line, int lineNumber, Tokenizer tok) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                return new int[0];
            }
            String[] words = trimmed.split("\\s+");
            int[] ids = new int[words.length];
            for (int i = 0; i < words.length; i++) {
                String where = (input == null ? "stdin" : input.toString()) + ":" + lineNumber + ", id #" + (i + 1);
                try {
                    ids[i] = Integer.parseInt(words[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + words[i] + "' is not a token id");
                }
                if (!tok.contains(ids[i])) {
                    throw new IllegalArgumentException(where + ": token id " + ids[i] + " is not in " + tok.name()
                            + " (ids 0.." + (tok.vocabSize() - 1) + ")");
                }
            }
            return ids;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Summarise a tokenizer.")
    static final class Info implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = TOKENIZER_HELP)
        String tokenizer;

        @Override
        public Integer call() {
            Tokenizer tok = Tokenizer.load(tokenizer);
            PrintStream out = System.out;
            out.print(TokenizerSummary.describe(tok));
            return 0;
        }
    }

    static Writer stdout() {
        return new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    }

    static String specials(Map<String, Integer> specials) {
        var text = new StringBuilder();
        specials.forEach((token, id) -> text.append("  ").append(id).append('\t').append(token).append('\n'));
        return text.toString();
    }
}
