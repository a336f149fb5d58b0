package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.tokenizer.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer subcommands as a user runs them: stdin/stdout, files, exit codes and error messages. */
class CliTest {

    record Run(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    static Run run(byte[] stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            var cli = Main.commandLine();
            cli.setErr(new java.io.PrintWriter(System.err, true));
            int code = cli.execute(args);
            return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Run run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    @Test
    void encodeThenDecodeRoundTripsTheExactBytes() {
        String text = "Hello world!\n안녕하세요 🌍\n\n  indented\n";
        Run encoded = run(text, "tokenizer", "encode", "--tokenizer", "o200k_base");
        assertEquals(0, encoded.exitCode(), encoded.stderr());
        int[] ids = Arrays.stream(encoded.out().strip().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(Tokenizer.load("o200k_base").encode(text), ids);
        Run decoded = run(encoded.out(), "tokenizer", "decode", "--tokenizer", "o200k_base");
        assertEquals(text, decoded.out());
    }

    @Test
    void linesModeGivesOneLinePerLineWithoutTheNewline() {
        Run run = run("Hello\r\nworld\n\nend", "tokenizer", "encode", "--tokenizer", "cl100k_base", "--lines");
        assertEquals("9906\n14957\n\n408\n", run.out());
        Run back = run(run.out(), "tokenizer", "decode", "--tokenizer", "cl100k_base", "--lines");
        assertEquals("Hello\nworld\n\nend\n", back.out());
    }

    @Test
    void specialsAreTextUnlessAllowed() {
        Run plain = run("<|endoftext|>", "tokenizer", "encode", "--tokenizer", "cl100k_base");
        Run allowed = run("<|endoftext|>", "tokenizer", "encode", "--tokenizer", "cl100k_base", "--allow-special");
        assertEquals("100257", allowed.out().strip());
        assertTrue(plain.out().strip().split(" ").length > 1, plain.out());
    }

    @Test
    void invalidUtf8IsEncodedAsReplacementWithAWarning() {
        byte[] input = {'a', (byte) 0xFF, 'b', (byte) 0xC3};
        Run run = run(input, "tokenizer", "encode", "--tokenizer", "cl100k_base");
        assertEquals(0, run.exitCode());
        assertTrue(run.stderr().contains("2 invalid UTF-8 sequence(s)"), run.stderr());
        String ids = Arrays.toString(Tokenizer.load("cl100k_base").encode("a\uFFFDb\uFFFD"));
        assertEquals(ids, Arrays.toString(Arrays.stream(run.out().strip().split(" ")).mapToInt(Integer::parseInt).toArray()));
    }

    @Test
    void badIdsAreNamedWithTheirPosition() {
        Run outOfRange = run("9906\n1 2 100256\n", "tokenizer", "decode", "--tokenizer", "cl100k_base");
        assertEquals(1, outOfRange.exitCode());
        assertTrue(outOfRange.stderr().contains("stdin:2, id #3: token id 100256"), outOfRange.stderr());
        Run notANumber = run("12 x7", "tokenizer", "decode", "--tokenizer", "cl100k_base");
        assertTrue(notANumber.stderr().contains("'x7' is not a token id"), notANumber.stderr());
    }

    @Test
    void unknownTokenizerListsTheBuiltIns() {
        Run run = run("", "tokenizer", "info", "--tokenizer", "gpt5");
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains("cl100k_base") && run.stderr().contains("gpt5"), run.stderr());
    }

    @Test
    void trainWritesALoadableTokenizerAndASummary(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("the quick brown fox jumps over the lazy dog number ").append(i).append('\n');
        }
        Files.writeString(corpus, text);
        Path out = dir.resolve("tok");
        Run run = run("", "tokenizer", "train", "--input", corpus.toString(), "--vocab-size", "400",
                "--out", out.toString(), "--special", "<|extra|>");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Files.readString(out.resolve("tokenizer.txt")).contains("merges learned"));
        Tokenizer trained = Tokenizer.load(out.toString());
        assertEquals(400, trained.vocabSize());
        assertEquals(399, trained.specialId("<|extra|>"));
        assertTrue(trained.encode(" quick brown fox").length <= 3);
        Run encoded = run("the lazy dog", "tokenizer", "encode", "--tokenizer", out.toString());
        assertArrayEquals(trained.encode("the lazy dog"),
                Arrays.stream(encoded.out().strip().split(" ")).mapToInt(Integer::parseInt).toArray());
    }

    @Test
    void infoDescribesTheTokenizer() {
        Run run = run("", "tokenizer", "info", "--tokenizer", "cl100k_base");
        assertTrue(run.out().contains("100277") && run.out().contains("<|endofprompt|>"), run.out());
    }
}
