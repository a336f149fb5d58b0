package dev.jchat.tokenizer;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tokenizer.json against the real HF tokenizers (Rust, through DJL): what we write, HF encodes and decodes
 * exactly as we do; what HF-style files say, we read and encode as HF does; what we cannot encode exactly,
 * we reject with the file and the JSON field named.
 */
class HfTokenizerJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** GPT-4's split with its digit rule changed, possessive throughout: a custom regex that HF compiles. */
    private static final String CUSTOM_PATTERN = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,2}"
            + "| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";
    /** Texts where regex engines tend to disagree: Unicode spaces, case folding, digit runs, line ends. */
    private static final List<String> EDGE_CASES = List.of("", " ", "\n", "a\u00A0b\u3000c\u2028d\u0085e\u200Bf",
            "don't ſ 'S 'ſ 'LL", "12345678901234567", "x  \n\n  \t\r\n y   ", "   trailing   ", "ǅungla Ǉ ǈ",
            "e\u0301\u0301 \u0915\u094D\u0937", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "a/b//c\r\n/");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = OpenAiEncoding.class, names = {"R50K_BASE", "CL100K_BASE", "O200K_BASE"})
    void openAiEncodingsEncodeAsInHfTokenizers(OpenAiEncoding encoding) throws IOException {
        Tokenizer ours = encoding.tokenizer();
        Path file = dir.resolve("tokenizer.json");
        HfTokenizerJson.write(ours, file);
        var texts = new ArrayList<>(chunks(TestCorpus.mixed(400_000)));
        texts.addAll(samples());
        texts.add(String.join("x ", ours.specialTokens().keySet()) + " <|endoftext|>");
        long tokens = assertSameAsHf(ours, file, texts);
        assertTrue(tokens > 100_000, "too few tokens compared: " + tokens);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void handWrittenMergesEncodeAsInHfTokenizers(boolean ignoreMerges) throws IOException {
        Tokenizer ours = handWritten(ignoreMerges);
        Path file = dir.resolve("tokenizer.json");
        HfTokenizerJson.write(ours, file);
        var texts = new ArrayList<>(chunks(TestCorpus.mixed(100_000)));
        texts.addAll(List.of("abc abcabc xabc", "the thing", "안녕하세요 1234567", "<|bos|>hi<|user_end|>x<|bos"));
        assertSameAsHf(ours, file, texts);
        // "abc" is a token that its own merges do not rebuild: only ignore_merges makes it one token
        int abc = ours.tokenId("abc".getBytes(UTF_8));
        assertEquals(ignoreMerges, Arrays.equals(new int[] {abc}, ours.encode("abc")));
    }

    @Test
    void trainedTokenizerEncodesHeldOutTextAsInHfTokenizers() throws IOException {
        List<String> documents = TestCorpus.europarl(300_000).lines().toList();
        Tokenizer ours = new BpeTrainer(256 + 1_500 + SpecialTokens.RESERVED.size()).withThreads(2)
                .train(documents, BpeTrainer.Progress.NONE).tokenizer();
        Path file = dir.resolve("tokenizer.json");
        HfTokenizerJson.write(ours, file);
        var heldOut = new ArrayList<>(chunks(TestCorpus.udhr(150_000) + TestCorpus.javaSource(100_000)
                + TestCorpus.udhrPage("kor")));
        heldOut.addAll(samples());
        heldOut.add(SpecialTokens.BOS + "Hello" + SpecialTokens.ASSISTANT_END + SpecialTokens.ASSISTANT_END);
        assertTrue(assertSameAsHf(ours, file, heldOut) > 50_000);
        assertSameTokenizer(ours, HfTokenizerJson.read(file));
    }

    @Test
    void writeThenReadGivesTheSameTokenizer() throws IOException {
        String text = TestCorpus.mixed(50_000);
        for (Tokenizer written : List.of(OpenAiEncoding.CL100K_BASE.tokenizer(), handWritten(false),
                handWritten(true))) {
            Path file = dir.resolve("tokenizer.json");
            HfTokenizerJson.write(written, file);
            Tokenizer read = HfTokenizerJson.read(file);
            assertSameTokenizer(written, read);
            assertArrayEquals(written.encodeWithSpecials(text), read.encodeWithSpecials(text));
            // deterministic: writing what was read gives the same bytes
            Path again = dir.resolve("again.json");
            HfTokenizerJson.write(read, again);
            assertEquals(-1, Files.mismatch(file, again), written.name());
        }
    }

    @Test
    void loadFindsTokenizerJsonInADirectory() throws IOException {
        Tokenizer written = handWritten(false);
        HfTokenizerJson.write(written, dir.resolve("tokenizer.json"));
        assertSameTokenizer(written, Tokenizer.load(dir.toString()));
    }

    /**
     * A file as GPT-2's tokenizer.json is laid out: ByteLevel with its built-in regex, legacy
     * {@code "left right"} merges, bytes with ids not in byte order, {@code <|endoftext|>} in both the vocab
     * and added_tokens, a hole in the ids, and one merge listed twice (HF keeps its last place).
     */
    @Test
    void readsGpt2StyleFileAsHfTokenizersDoes() throws IOException {
        var vocab = JsonNodeFactory.instance.objectNode();
        int[] byteOrder = IntStream.range(0, 256).map(i -> (i * 73 + 41) % 256).toArray();
        for (int i = 0; i < 256; i++) {
            vocab.put(ByteLevelAlphabet.encode(new byte[] {(byte) byteOrder[i]}), i);
        }
        var merges = JsonNodeFactory.instance.arrayNode();
        int next = 260;
        for (String merge : List.of("a b", "b c", "Ġ t", "h e", "Ġt he", "i n", "in g", "a b", "Ġ a", "e r")) {
            String token = merge.replace(" ", "");
            if (!vocab.has(token)) {
                vocab.put(token, next++);
            }
            merges.add(merge);
        }
        vocab.put("<|endoftext|>", next);
        var root = JsonNodeFactory.instance.objectNode();
        root.put("version", "1.0");
        root.putArray("added_tokens").addObject().put("id", next).put("content", "<|endoftext|>")
                .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", true)
                .put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", true);
        var model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "").put("fuse_unk", false);
        model.set("vocab", vocab);
        model.set("merges", merges);
        Path file = dir.resolve("gpt2-style.json");
        MAPPER.writeValue(file.toFile(), root);

        Tokenizer ours = HfTokenizerJson.read(file);
        assertEquals("gpt2", ours.preTokenizer().name());
        assertEquals(Map.of("<|endoftext|>", next), ours.specialTokens());
        assertFalse(ours.contains(259), "ids 256..259 are a hole");
        var texts = new ArrayList<>(List.of("abc", "ab abc", "the theing thing inger", "<|endoftext|>the"));
        texts.addAll(samples());
        texts.addAll(chunks(TestCorpus.mixed(30_000)));
        assertSameAsHf(ours, file, texts);
        // the duplicated "a b" ranks after "b c", so "abc" is a + bc
        assertArrayEquals(new int[] {byteId(byteOrder, 'a'), ours.tokenId("bc".getBytes(UTF_8))}, ours.encode("abc"));
    }

    @Test
    void writingAPossessiveIntervalIsRefusedBecauseHfReadsItDifferently() {
        Tokenizer tokenizer = Tokenizer.fromMerges("digits", PreTokenizer.fromPattern("\\p{N}{1,3}+|\\D+"),
                singleBytes(), List.of(), Map.of(), false);
        var e = assertThrows(IllegalArgumentException.class,
                () -> HfTokenizerJson.write(tokenizer, dir.resolve("tokenizer.json")));
        assertTrue(e.getMessage().contains("{1,3}+"), e.getMessage());
    }

    @Test
    void writingASpecialSpelledLikeAnOrdinaryTokenIsRefused() {
        // HF would give the special "a" the id of the ordinary token "a"
        Tokenizer tokenizer = Tokenizer.fromMerges("letters", PreTokenizer.named("gpt4"), singleBytes(), List.of(),
                Map.of("a", 256), false);
        var e = assertThrows(IllegalArgumentException.class,
                () -> HfTokenizerJson.write(tokenizer, dir.resolve("tokenizer.json")));
        assertTrue(e.getMessage().contains("special token a is spelled like ordinary token 97"), e.getMessage());
    }

    /** Each change to a valid file, with what the error must say. */
    @TestFactory
    Stream<DynamicTest> unsupportedOrInvalidContentIsRejectedNamingTheField() throws IOException {
        Path valid = dir.resolve("valid.json");
        HfTokenizerJson.write(handWritten(false), valid);
        var cases = new ArrayList<Case>();
        cases.add(new Case("model.type is \"WordPiece\"; only byte-level BPE is supported",
                root -> model(root).put("type", "WordPiece")));
        cases.add(new Case("model is missing", root -> root.remove("model")));
        cases.add(new Case("model.vocab token \"a b\" is not spelled in GPT-2's byte-level alphabet",
                root -> vocab(root).put("a b", 9000)));
        cases.add(new Case("model.vocab token \"中\" is not spelled", root -> vocab(root).put("中", 9000)));
        cases.add(new Case("model.vocab gives id 5 to both",
                root -> vocab(root).put("ĠĠĠĠĠĠĠĠĠĠĠĠĠĠĠĠ", 5)));
        cases.add(new Case("model.vocab[\"zz\"] is \"five\"", root -> vocab(root).put("zz", "five")));
        cases.add(new Case("model.vocab[\"zz\"] is -1", root -> vocab(root).put("zz", -1)));
        cases.add(new Case("model.vocab[\"zz\"] is 1000000000000", root -> vocab(root).put("zz", 1_000_000_000_000L)));
        cases.add(new Case("model.vocab[\"zz\"] is 2.5", root -> vocab(root).put("zz", 2.5)));
        cases.add(new Case("model.vocab is [", root -> model(root).putArray("vocab")));
        cases.add(new Case("model.vocab gives \"<|bos|>\" id 3 but added_tokens gives it id",
                root -> vocab(root).put("<|bos|>", 3)));
        cases.add(new Case("no token for the single byte 0x00", root -> vocab(root).remove("Ā")));
        cases.add(new Case("model.merges[2] (\"Ġ\", \"zzz\"): \"zzz\" is not an ordinary token of model.vocab",
                root -> merges(root).insertArray(2).add("Ġ").add("zzz")));
        cases.add(new Case("model.merges[0] (\"q\", \"q\"): the merged token \"qq\" is not an ordinary token",
                root -> merges(root).insert(0, "q q")));
        cases.add(new Case("model.merges[1] is \"a b c\"", root -> merges(root).insert(1, "a b c")));
        cases.add(new Case("model.merges[1] is 7", root -> merges(root).insert(1, 7)));
        cases.add(new Case("model.merges[1] (line ", root -> merges(root).insertArray(1).add("Ġ")));
        cases.add(new Case("model.merges is missing", root -> model(root).remove("merges")));
        cases.add(new Case("model.dropout is 0.1; BPE dropout", root -> model(root).put("dropout", 0.1)));
        cases.add(new Case("model.byte_fallback is true", root -> model(root).put("byte_fallback", true)));
        cases.add(new Case("model.continuing_subword_prefix is \"##\"",
                root -> model(root).put("continuing_subword_prefix", "##")));
        cases.add(new Case("model.end_of_word_suffix is \"</w>\"",
                root -> model(root).put("end_of_word_suffix", "</w>")));
        cases.add(new Case("normalizer is {\"type\":\"NFC\"}",
                root -> root.putObject("normalizer").put("type", "NFC")));
        cases.add(new Case("pre_tokenizer is {\"type\":\"Whitespace\"}",
                root -> root.putObject("pre_tokenizer").put("type", "Whitespace")));
        cases.add(new Case("pre_tokenizer is null", root -> root.putNull("pre_tokenizer")));
        cases.add(new Case("pre_tokenizer.pretokenizers[0].behavior is \"Removed\"",
                root -> step(root, 0).put("behavior", "Removed")));
        cases.add(new Case("pre_tokenizer.pretokenizers[0].invert is true", root -> step(root, 0).put("invert", true)));
        cases.add(new Case("pre_tokenizer.pretokenizers[0].pattern is {\"String\":\" \"}",
                root -> step(root, 0).putObject("pattern").put("String", " ")));
        cases.add(new Case("pre_tokenizer.pretokenizers[0].pattern.Regex: invalid split pattern",
                root -> step(root, 0).putObject("pattern").put("Regex", "(unclosed")));
        cases.add(new Case("pre_tokenizer.pretokenizers[1].add_prefix_space is true",
                root -> step(root, 1).put("add_prefix_space", true)));
        cases.add(new Case("pre_tokenizer.pretokenizers[1].use_regex is true",
                root -> step(root, 1).put("use_regex", true)));
        cases.add(new Case("pre_tokenizer is {\"type\":\"Sequence\"",
                root -> ((ArrayNode) root.path("pre_tokenizer").path("pretokenizers")).remove(1)));
        cases.add(new Case("added_tokens[1] \"<|x|>\" has id ", root -> added(root).get(1).put("content", "<|x|>")
                .put("id", added(root).get(0).get("id").asInt())));
        cases.add(new Case("added_tokens[2] \"<|bos|>\" is listed twice",
                root -> added(root).get(2).put("content", "<|bos|>")));
        cases.add(new Case("added_tokens[0].content is missing", root -> added(root).get(0).remove("content")));
        cases.add(new Case("added_tokens[0].id is \"7\"", root -> added(root).get(0).put("id", "7")));
        cases.add(new Case("added_tokens is {}", root -> root.putObject("added_tokens")));
        cases.add(new Case("the top level is [], not a JSON object", root -> {}));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.expected(), () -> {
            JsonNode root = c.expected().startsWith("the top level") ? JsonNodeFactory.instance.arrayNode()
                    : MAPPER.readTree(valid.toFile());
            if (root instanceof ObjectNode object) {
                c.change().accept(object);
            }
            Path file = dir.resolve("tokenizer.json");
            MAPPER.writeValue(file.toFile(), root);
            var e = assertThrows(IOException.class, () -> HfTokenizerJson.read(file));
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c.expected()), e.getMessage());
        }));
    }

    @Test
    void malformedJsonIsReportedWithLineAndColumn() throws IOException {
        Path valid = dir.resolve("valid.json");
        HfTokenizerJson.write(handWritten(false), valid);
        String text = Files.readString(valid);
        Path file = dir.resolve("tokenizer.json");
        for (String broken : List.of(text.substring(0, text.length() / 2),
                text.replace("\"version\": \"1.0\",", "\"version\": \"1.0\",,"),
                "{\"model\": {}, \"model\": {}}", "{\"model\": {\"vocab\": {\"a\": 1, \"a\": 2}}}")) {
            Files.writeString(file, broken);
            var e = assertThrows(IOException.class, () -> HfTokenizerJson.read(file));
            assertTrue(e.getMessage().matches("\\Q" + file + "\\E:\\d+:\\d+: malformed JSON: (?s).+"), e.getMessage());
        }
        Files.writeString(file, "");
        assertTrue(assertThrows(IOException.class, () -> HfTokenizerJson.read(file)).getMessage()
                .contains("the top level is missing"));
    }

    /** Random damage to a valid file: each result loads, or fails with an IOException, never anything else. */
    @Test
    void randomlyDamagedFilesFailOnlyWithIOException() throws IOException {
        Path valid = dir.resolve("valid.json");
        HfTokenizerJson.write(handWritten(true), valid);
        JsonNode original = MAPPER.readTree(valid.toFile());
        Path file = dir.resolve("tokenizer.json");
        var random = new Random(42);
        int rejected = 0;
        for (int round = 0; round < 1_500; round++) {
            JsonNode root = original.deepCopy();
            for (int k = 0; k <= random.nextInt(3); k++) {
                damage(root, random);
            }
            MAPPER.writeValue(file.toFile(), root);
            try {
                HfTokenizerJson.read(file);
            } catch (IOException expected) {
                rejected++;
            }
        }
        assertTrue(rejected > 500, "too few damaged files were rejected: " + rejected);
    }

    /** Replaces or removes one randomly chosen value, favouring the small top-level parts over the vocab. */
    private static void damage(JsonNode root, Random random) {
        JsonNode container = root;
        while (true) {
            var children = new ArrayList<String>();
            container.fieldNames().forEachRemaining(children::add);
            if (container.isArray()) {
                IntStream.range(0, Math.min(container.size(), 4)).forEach(i -> children.add(Integer.toString(i)));
            }
            if (children.isEmpty()) {
                return;
            }
            String key = children.get(random.nextInt(children.size()));
            JsonNode child = container.isArray() ? container.get(Integer.parseInt(key)) : container.get(key);
            if (child.isContainerNode() && !child.isEmpty() && random.nextInt(3) > 0) {
                container = child;
                continue;
            }
            JsonNode replacement = switch (random.nextInt(7)) {
                case 0 -> JsonNodeFactory.instance.nullNode();
                case 1 -> JsonNodeFactory.instance.numberNode(random.nextInt(600) - 50);
                case 2 -> JsonNodeFactory.instance.textNode(List.of("", "BPE", "Ġ", "a b", "Isolated").get(
                        random.nextInt(5)));
                case 3 -> JsonNodeFactory.instance.booleanNode(random.nextBoolean());
                case 4 -> JsonNodeFactory.instance.arrayNode().add("Ġ").add("t");
                case 5 -> JsonNodeFactory.instance.objectNode().put("type", "ByteLevel");
                default -> null;
            };
            if (container instanceof ObjectNode object) {
                if (replacement == null) {
                    object.remove(key);
                } else {
                    object.set(key, replacement);
                }
            } else if (container instanceof ArrayNode array) {
                if (replacement == null) {
                    array.remove(Integer.parseInt(key));
                } else {
                    array.set(Integer.parseInt(key), replacement);
                }
            }
            return;
        }
    }

    /**
     * Encodes each text with us (all specials allowed, as HF always matches added tokens) and with HF
     * tokenizers, and decodes our ids with both; returns the number of tokens compared.
     */
    private static long assertSameAsHf(Tokenizer ours, Path file, List<String> texts) throws IOException {
        long tokens = 0;
        // DJL truncates to 512 tokens unless told not to
        try (var hf = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                .optTruncation(false).build()) {
            for (String text : texts) {
                int[] actual = ours.encodeWithSpecials(text);
                if (!Arrays.equals(hfIds(hf, text), actual)) {
                    String line = text.lines().filter(l -> !Arrays.equals(hfIds(hf, l), ours.encodeWithSpecials(l)))
                            .findFirst().orElse("(only across lines)");
                    fail("HF tokenizers encodes differently: " + (line.length() > 300 ? line.substring(0, 300) : line)
                            + "\nHF:   " + Arrays.toString(hfIds(hf, line))
                            + "\nours: " + Arrays.toString(ours.encodeWithSpecials(line)));
                }
                long[] ids = Arrays.stream(actual).asLongStream().toArray();
                assertEquals(hf.decode(ids, false), ours.decode(actual));
                assertEquals(text, ours.decode(actual));
                tokens += actual.length;
            }
        }
        return tokens;
    }

    private static int[] hfIds(HuggingFaceTokenizer hf, String text) {
        return Arrays.stream(hf.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    private static void assertSameTokenizer(Tokenizer expected, Tokenizer actual) {
        assertEquals(expected.merges(), actual.merges());
        assertEquals(expected.specialTokens(), actual.specialTokens());
        assertEquals(expected.preTokenizer().pattern(), actual.preTokenizer().pattern());
        assertEquals(expected.ignoresMerges(), actual.ignoresMerges());
        assertEquals(expected.vocabSize(), actual.vocabSize());
        for (int id = 0; id < expected.vocabSize(); id++) {
            assertEquals(expected.contains(id), actual.contains(id), "id " + id);
            if (expected.contains(id)) {
                assertArrayEquals(expected.bytes(id), actual.bytes(id), "id " + id);
            }
        }
    }

    /**
     * Single bytes, then tokens built byte by byte from hand-picked words (whole words, Korean, emoji,
     * digits, whitespace runs), then the reserved specials after a hole of two ids. "bc" comes before "ab",
     * so "abc" = ab + c is a token that merging a, b, c never reaches.
     */
    private static Tokenizer handWritten(boolean ignoreMerges) {
        var tokens = new ArrayList<>(Arrays.asList(singleBytes()));
        var ids = new HashMap<String, Integer>();
        var merges = new ArrayList<Merge>();
        for (int b = 0; b < 256; b++) {
            ids.put(new String(tokens.get(b), ISO_8859_1), b);
        }
        for (String word : List.of("bc", "ab", "abc", "th", " the", " t", " th", "in", "ing", " and", "ion",
                "tion", " of", "    ", "        ", "\n\n", "\n    ", "12", " 1", "안녕", "하세요", "😀", "public",
                " static", " void", "();", "ss", "sss", "é", "ée", "Ġ")) {
            addToken(word.getBytes(UTF_8), tokens, ids, merges);
        }
        var specials = new HashMap<String, Integer>();
        for (String special : SpecialTokens.RESERVED) {
            specials.put(special, tokens.size() + 2 + specials.size());
        }
        return Tokenizer.fromMerges("hand-written", PreTokenizer.fromPattern(CUSTOM_PATTERN),
                tokens.toArray(byte[][]::new), merges, specials, ignoreMerges);
    }

    private static int addToken(byte[] bytes, List<byte[]> tokens, Map<String, Integer> ids, List<Merge> merges) {
        String key = new String(bytes, ISO_8859_1);
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        int left = addToken(Arrays.copyOf(bytes, bytes.length - 1), tokens, ids, merges);
        int right = bytes[bytes.length - 1] & 0xFF;
        tokens.add(bytes);
        ids.put(key, tokens.size() - 1);
        merges.add(new Merge(left, right, tokens.size() - 1));
        return tokens.size() - 1;
    }

    private static byte[][] singleBytes() {
        return IntStream.range(0, 256).mapToObj(b -> new byte[] {(byte) b}).toArray(byte[][]::new);
    }

    private static int byteId(int[] byteOrder, char c) {
        return IntStream.range(0, 256).filter(i -> byteOrder[i] == c).findFirst().orElseThrow();
    }

    /** The multilingual samples of TestPlans.txt (Korean, emoji, symbols), once each. */
    private static List<String> samples() throws IOException {
        return Files.readAllLines(SharedData.path("tokenizer/TestPlans.txt"), UTF_8).stream()
                .filter(line -> line.startsWith("Sample: ")).map(line -> line.substring("Sample: ".length()))
                .distinct().toList();
    }

    /** Lines grouped into chunks of ~16 KB, so that a difference is reported near where it happens. */
    private static List<String> chunks(String text) {
        var chunks = new ArrayList<String>(EDGE_CASES);
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', Math.min(text.length(), start + 16_384));
            int end = newline < 0 ? text.length() : newline + 1;
            chunks.add(text.substring(start, end));
            start = end;
        }
        return chunks;
    }

    private static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    private static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) model(root).get("vocab");
    }

    private static ArrayNode merges(ObjectNode root) {
        return (ArrayNode) model(root).get("merges");
    }

    private static ObjectNode step(ObjectNode root, int index) {
        return (ObjectNode) root.path("pre_tokenizer").path("pretokenizers").get(index);
    }

    private static List<ObjectNode> added(ObjectNode root) {
        var list = new ArrayList<ObjectNode>();
        root.get("added_tokens").forEach(node -> list.add((ObjectNode) node));
        return list;
    }

    /** A change to a valid file and a fragment of the error it must cause. */
    private record Case(String expected, Consumer<ObjectNode> change) {}
}
