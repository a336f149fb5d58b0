package dev.jchat.tokenizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * HuggingFace tokenizer.json for byte-level BPE: read and write.
 *
 * <p>{@link #write} produces what HF tokenizers writes for a Llama-3 style tokenizer: a {@code Split} regex
 * then {@code ByteLevel} without its own regex, a BPE model whose vocabulary keys are the token bytes
 * spelled in GPT-2's byte alphabet, merges in priority order, and the specials as {@code added_tokens}
 * (listed in the vocabulary too, as GPT-2's file does, so that HF keeps their ids).
 *
 * <p>{@link #read} accepts byte-level BPE files as others write them (GPT-2's {@code ByteLevel} with its
 * built-in regex, Llama 3's {@code Sequence[Split, ByteLevel]}, merges as pairs or as legacy
 * {@code "left right"} strings, non-contiguous ids) and rejects, naming the file and the JSON field, what
 * this tokenizer cannot encode exactly as HF does: other models, normalizers, BPE dropout, subword
 * prefixes or suffixes, byte fallback, other pre-tokenizers. What it does not model, by design:
 * <ul>
 *   <li>every entry of {@code added_tokens} becomes a special token, whether or not the file marks it
 *       special (HF matches all of them in the text before splitting it, as our allowed specials are);
 *       their {@code lstrip}, {@code rstrip}, {@code single_word} and {@code normalized} flags are ignored;
 *   <li>the post-processor (which may add a BOS token) and the decoder are not read: encoding never adds
 *       tokens, and decoding is always byte-level;
 *   <li>a split regex runs on java.util.regex, not on Oniguruma as in HF; the GPT-2, GPT-4 and o200k
 *       patterns (which most files carry) are checked to split alike, other regexes are trusted to.
 * </ul>
 */
public final class HfTokenizerJson {
    /** Guards against a hostile id making us allocate gigabytes; real vocabularies are far below this. */
    private static final int MAX_ID = (1 << 24) - 1;

    /**
     * Oniguruma, HF's regex engine, reads {@code x{1,3}+} as "x{1,3}, repeated" rather than as a possessive
     * interval, so cl100k's digit rule would split runs of any length. The built-in patterns are therefore
     * written in their original greedy spellings, which match the same pieces (tiktoken's own claim, and
     * these are the spellings GPT-2's and Llama 3's tokenizer.json carry).
     */
    private static final Map<String, String> HF_SPELLINGS = Map.of(
            SplitPatterns.GPT2, SplitPatterns.GPT2_ORIGINAL,
            SplitPatterns.GPT4, SplitPatterns.GPT4_ORIGINAL);

    /** A possessive interval such as {@code {1,3}+} (not {@code \x{41}+} or an escaped brace). */
    private static final Pattern POSSESSIVE_INTERVAL = Pattern.compile("(?<!\\\\x|\\\\)\\{\\d+(?:,\\d*)?}\\+");

    /** Rejects duplicate keys; does not intern field names, which here are 100,000s of vocabulary entries. */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    private HfTokenizerJson() {}

    /**
     * Reads a byte-level BPE tokenizer.json.
     *
     * @throws IOException when the file cannot be read, is not JSON (with line and column), or describes
     *     a tokenizer that cannot be encoded exactly as HF does (naming the JSON field)
     */
    public static Tokenizer read(Path file) throws IOException {
        try (JsonParser json = MAPPER.createParser(Files.newInputStream(file))) {
            return new Reader(file).read(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new IOException(file + where + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes a tokenizer as HF tokenizers expects it; the output is deterministic (vocabulary in id order,
     * merges in priority order, specials in id order).
     *
     * @throws IllegalArgumentException when the split regex uses a possessive interval such as
     *     {@code {1,3}+}, which HF's regex engine reads differently, or a special token's text is the
     *     byte-level spelling of an ordinary token (HF would merge the two into one id)
     */
    public static void write(Tokenizer tokenizer, Path file) throws IOException {
        String pattern = hfPattern(tokenizer.preTokenizer().pattern());
        String[] vocab = vocabKeys(tokenizer);
        try (JsonGenerator json = MAPPER.createGenerator(Files.newOutputStream(file), JsonEncoding.UTF8)) {
            json.setPrettyPrinter(new Layout());
            json.writeStartObject();
            json.writeStringField("version", "1.0");
            json.writeNullField("truncation");
            json.writeNullField("padding");
            writeAddedTokens(tokenizer, json);
            json.writeNullField("normalizer");
            writePreTokenizer(pattern, json);
            json.writeFieldName("post_processor");
            writeByteLevel(json);
            json.writeFieldName("decoder");
            writeByteLevel(json);
            writeModel(tokenizer, vocab, json);
            json.writeEndObject();
        }
    }

    private static void writeAddedTokens(Tokenizer tokenizer, JsonGenerator json) throws IOException {
        json.writeArrayFieldStart("added_tokens");
        for (var special : tokenizer.specialTokens().entrySet()) {
            json.writeStartObject();
            json.writeNumberField("id", special.getValue());
            json.writeStringField("content", special.getKey());
            json.writeBooleanField("single_word", false);
            json.writeBooleanField("lstrip", false);
            json.writeBooleanField("rstrip", false);
            json.writeBooleanField("normalized", false);
            json.writeBooleanField("special", true);
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** The split regex, then the byte-to-character mapping without GPT-2's regex. */
    private static void writePreTokenizer(String pattern, JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("pre_tokenizer");
        json.writeStringField("type", "Sequence");
        json.writeArrayFieldStart("pretokenizers");
        json.writeStartObject();
        json.writeStringField("type", "Split");
        json.writeObjectFieldStart("pattern");
        json.writeStringField("Regex", pattern);
        json.writeEndObject();
        json.writeStringField("behavior", "Isolated");
        json.writeBooleanField("invert", false);
        json.writeEndObject();
        writeByteLevel(json);
        json.writeEndArray();
        json.writeEndObject();
    }

    /** The byte-to-character mapping alone: as pre-tokenizer step, post-processor and decoder. */
    private static void writeByteLevel(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("type", "ByteLevel");
        json.writeBooleanField("add_prefix_space", false);
        json.writeBooleanField("trim_offsets", true);
        json.writeBooleanField("use_regex", false);
        json.writeEndObject();
    }

    private static void writeModel(Tokenizer tokenizer, String[] vocab, JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("model");
        json.writeStringField("type", "BPE");
        json.writeNullField("dropout");
        json.writeNullField("unk_token");
        json.writeNullField("continuing_subword_prefix");
        json.writeNullField("end_of_word_suffix");
        json.writeBooleanField("fuse_unk", false);
        json.writeBooleanField("byte_fallback", false);
        json.writeBooleanField("ignore_merges", tokenizer.ignoresMerges());
        json.writeObjectFieldStart("vocab");
        for (int id = 0; id < vocab.length; id++) {
            if (vocab[id] != null) {
                json.writeNumberField(vocab[id], id);
            }
        }
        json.writeEndObject();
        json.writeArrayFieldStart("merges");
        for (Merge merge : tokenizer.merges()) {
            json.writeStartArray();
            json.writeString(vocab[merge.left()]);
            json.writeString(vocab[merge.right()]);
            json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /**
     * The {@code model.vocab} key of each id: ordinary tokens spelled in the byte-level alphabet, and the
     * specials as their text. HF ignores the ids in {@code added_tokens} and numbers added tokens from the
     * end of the vocabulary on, unless {@code model.vocab} lists them (as GPT-2's tokenizer.json does); so
     * the specials are listed there too, which keeps their ids whatever holes the ids have.
     */
    private static String[] vocabKeys(Tokenizer tokenizer) {
        String[] keys = new String[tokenizer.vocabSize()];
        var idOfKey = HashMap.<String, Integer>newHashMap(keys.length);
        for (int id = 0; id < keys.length; id++) {
            if (!tokenizer.contains(id)) {
                continue;
            }
            keys[id] = tokenizer.isSpecial(id) ? new String(tokenizer.bytes(id), StandardCharsets.UTF_8)
                    : ByteLevelAlphabet.encode(tokenizer.bytes(id));
            Integer other = idOfKey.putIfAbsent(keys[id], id);
            if (other != null) {
                int ordinary = tokenizer.isSpecial(id) ? other : id;
                throw new IllegalArgumentException("special token " + keys[id] + " is spelled like ordinary token "
                        + ordinary + " in tokenizer.json, where HF tokenizers would give both one id");
            }
        }
        return keys;
    }

    private static String hfPattern(String pattern) {
        String spelled = HF_SPELLINGS.getOrDefault(pattern, pattern);
        var possessive = POSSESSIVE_INTERVAL.matcher(spelled);
        if (possessive.find()) {
            throw new IllegalArgumentException("split pattern uses the possessive interval " + possessive.group()
                    + ", which HF tokenizers' regex engine (Oniguruma) reads as a repeated interval; spell it "
                    + "without the '+': " + pattern);
        }
        return spelled;
    }

    /**
     * Reads a tokenizer.json in one pass, streaming the vocabulary and the merges (100,000s of entries) and
     * keeping the rest as small JSON trees, then checks the parts; every error names the file and the
     * offending JSON field.
     */
    private static final class Reader {
        private static final String BYTE_LEVEL_ONLY = "only byte-level BPE is supported";

        private final Path file;
        private final ObjectNode root = JsonNodeFactory.instance.objectNode();
        /** The model's fields but its vocabulary and merges when those have the right shape. */
        private final ObjectNode model = JsonNodeFactory.instance.objectNode();
        /** {@code model.vocab}, or null when it is not an object. */
        private Map<String, Integer> vocab;
        /** The left and right part of each merge in turn, or null when {@code model.merges} is not an array. */
        private List<String> mergeParts;

        Reader(Path file) {
            this.file = file;
        }

        Tokenizer read(JsonParser json) throws IOException {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("the top level is " + describe(MAPPER.readTree(json)) + ", not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                if (json.nextToken() == JsonToken.START_OBJECT && name.equals("model")) {
                    readModel(json);
                } else {
                    root.set(name, MAPPER.readTree(json));
                }
            }
            return tokenizer();
        }

        private void readModel(JsonParser json) throws IOException {
            root.set("model", model);
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                if (name.equals("vocab") && value == JsonToken.START_OBJECT) {
                    vocab = readVocab(json);
                } else if (name.equals("merges") && value == JsonToken.START_ARRAY) {
                    mergeParts = readMerges(json);
                } else {
                    model.set(name, MAPPER.readTree(json));
                }
            }
        }

        private Map<String, Integer> readVocab(JsonParser json) throws IOException {
            var tokens = new HashMap<String, Integer>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String token = json.currentName();
                json.nextToken();
                if (!isId(json)) {
                    throw notAnId(MAPPER.readTree(json), "model.vocab[" + quote(token) + "]");
                }
                tokens.put(token, json.getIntValue());
            }
            return tokens;
        }

        /** Merges as {@code ["left", "right"]} or, in older files, {@code "left right"}. */
        private List<String> readMerges(JsonParser json) throws IOException {
            var parts = new ArrayList<String>();
            String expected = "; expected [\"left\", \"right\"] or \"left right\"";
            for (int i = 0; json.nextToken() != JsonToken.END_ARRAY; i++) {
                if (json.currentToken() == JsonToken.VALUE_STRING) {
                    String merge = json.getText();
                    int space = merge.indexOf(' ');
                    if (space < 0 || merge.indexOf(' ', space + 1) >= 0) {
                        throw invalid("model.merges[" + i + "] is " + quote(merge) + expected);
                    }
                    parts.add(merge.substring(0, space));
                    parts.add(merge.substring(space + 1));
                } else if (json.currentToken() == JsonToken.START_ARRAY) {
                    JsonLocation at = json.currentTokenLocation();
                    String left = json.nextToken() == JsonToken.VALUE_STRING ? json.getText() : null;
                    String right = left != null && json.nextToken() == JsonToken.VALUE_STRING ? json.getText() : null;
                    if (right == null || json.nextToken() != JsonToken.END_ARRAY) {
                        throw invalid("model.merges[" + i + "] (line " + at.getLineNr() + ", column "
                                + at.getColumnNr() + ") is not a pair of strings" + expected);
                    }
                    parts.add(left);
                    parts.add(right);
                } else {
                    throw invalid("model.merges[" + i + "] is " + describe(MAPPER.readTree(json)) + expected);
                }
            }
            return parts;
        }

        private Tokenizer tokenizer() throws IOException {
            JsonNode modelNode = root.get("model");
            if (modelNode == null || !modelNode.isObject()) {
                throw invalid("model is " + describe(modelNode) + "; expected a BPE model object");
            }
            checkModel();
            checkNormalizer(root.get("normalizer"));
            PreTokenizer preTokenizer = preTokenizer(root.get("pre_tokenizer"));
            Map<String, Integer> specials = addedTokens(root.get("added_tokens"));
            if (vocab == null) {
                throw invalid("model.vocab is " + describe(model.get("vocab")) + "; expected an object of token to id");
            }
            if (mergeParts == null) {
                throw invalid("model.merges is " + describe(model.get("merges")) + "; expected an array");
            }
            byte[][] tokens = ordinaryTokens(specials);
            List<Merge> merges = merges();
            boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
            try {
                return Tokenizer.fromMerges(file.toString(), preTokenizer, tokens, merges, specials, ignoreMerges);
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }

        private void checkModel() throws IOException {
            JsonNode type = model.get("type");
            if (type != null && !"BPE".equals(type.asText())) {
                throw invalid("model.type is " + describe(type) + "; " + BYTE_LEVEL_ONLY);
            }
            JsonNode dropout = model.get("dropout");
            if (!absent(dropout) && !(dropout.isNumber() && dropout.asDouble() == 0)) {
                throw invalid("model.dropout is " + describe(dropout) + "; BPE dropout encodes at random, so it "
                        + "is not supported");
            }
            if (model.path("byte_fallback").asBoolean(false)) {
                throw invalid("model.byte_fallback is true; " + BYTE_LEVEL_ONLY);
            }
            for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
                JsonNode value = model.get(affix);
                if (!absent(value) && !value.asText().isEmpty()) {
                    throw invalid("model." + affix + " is " + describe(value) + "; " + BYTE_LEVEL_ONLY);
                }
            }
        }

        private void checkNormalizer(JsonNode normalizer) throws IOException {
            boolean none = absent(normalizer) || ("Sequence".equals(normalizer.path("type").asText())
                    && normalizer.path("normalizers").isArray() && normalizer.path("normalizers").isEmpty());
            if (!none) {
                throw invalid("normalizer is " + describe(normalizer) + "; normalizers are not supported "
                        + "(byte-level BPE encodes the text as it is)");
            }
        }

        /**
         * GPT-2's {@code ByteLevel} (with its built-in regex), or a {@code Split} regex followed by
         * {@code ByteLevel} without one, alone or in a {@code Sequence}.
         */
        private PreTokenizer preTokenizer(JsonNode node) throws IOException {
            String supported = "; supported are ByteLevel (with its regex) and Sequence[Split(Regex, Isolated), "
                    + "ByteLevel(use_regex=false)]";
            if (absent(node)) {
                throw invalid("pre_tokenizer is null" + supported);
            }
            var steps = new ArrayList<JsonNode>();
            var fields = new ArrayList<String>();
            if ("Sequence".equals(node.path("type").asText())) {
                JsonNode list = node.path("pretokenizers");
                for (int i = 0; i < list.size(); i++) {
                    steps.add(list.get(i));
                    fields.add("pre_tokenizer.pretokenizers[" + i + "]");
                }
            } else {
                steps.add(node);
                fields.add("pre_tokenizer");
            }
            if (steps.size() == 1 && isType(steps.get(0), "ByteLevel")) {
                checkByteLevel(steps.get(0), fields.get(0), true);
                return PreTokenizer.named("gpt2");
            }
            if (steps.size() == 2 && isType(steps.get(0), "Split") && isType(steps.get(1), "ByteLevel")) {
                checkByteLevel(steps.get(1), fields.get(1), false);
                return split(steps.get(0), fields.get(0));
            }
            throw invalid("pre_tokenizer is " + describe(node) + supported);
        }

        private void checkByteLevel(JsonNode byteLevel, String field, boolean withRegex) throws IOException {
            if (byteLevel.path("add_prefix_space").asBoolean(false)) {
                throw invalid(field + ".add_prefix_space is true; adding a space before the text is not "
                        + "supported");
            }
            if (byteLevel.path("use_regex").asBoolean(true) != withRegex) {
                throw invalid(field + ".use_regex is " + !withRegex + "; " + (withRegex
                        ? "without a Split before it, ByteLevel must split with GPT-2's regex"
                        : "after a Split, ByteLevel must not split again"));
            }
        }

        private PreTokenizer split(JsonNode split, String field) throws IOException {
            JsonNode regex = split.path("pattern").get("Regex");
            if (regex == null || !regex.isTextual()) {
                throw invalid(field + ".pattern is " + describe(split.get("pattern"))
                        + "; only {\"Regex\": ...} patterns are supported");
            }
            String behavior = split.path("behavior").asText();
            if (!"Isolated".equals(behavior)) {
                throw invalid(field + ".behavior is " + describe(split.get("behavior"))
                        + "; only \"Isolated\" is supported");
            }
            if (split.path("invert").asBoolean(false)) {
                throw invalid(field + ".invert is true; only false is supported");
            }
            try {
                return PreTokenizer.fromPattern(regex.asText());
            } catch (IllegalArgumentException e) {
                throw invalid(field + ".pattern.Regex: " + e.getMessage());
            }
        }

        /** The added tokens, all taken as specials, by content. */
        private Map<String, Integer> addedTokens(JsonNode added) throws IOException {
            var specials = new LinkedHashMap<String, Integer>();
            if (absent(added)) {
                return specials;
            }
            if (!added.isArray()) {
                throw invalid("added_tokens is " + describe(added) + "; expected an array");
            }
            var contentById = new HashMap<Integer, String>();
            for (int i = 0; i < added.size(); i++) {
                String field = "added_tokens[" + i + "]";
                JsonNode token = added.get(i);
                JsonNode content = token.get("content");
                if (content == null || !content.isTextual() || content.asText().isEmpty()) {
                    throw invalid(field + ".content is " + describe(content) + "; expected a non-empty string");
                }
                if (!isId(token.get("id"))) {
                    throw notAnId(token.get("id"), field + ".id");
                }
                int id = token.get("id").intValue();
                String text = content.asText();
                String other = contentById.putIfAbsent(id, text);
                if (other != null) {
                    throw invalid(field + " " + quote(text) + " has id " + id + ", as does " + quote(other));
                }
                if (specials.putIfAbsent(text, id) != null) {
                    throw invalid(field + " " + quote(text) + " is listed twice");
                }
            }
            return specials;
        }

        /**
         * The bytes of each ordinary id; leaves in {@link #vocab} only the ordinary tokens, since an added
         * token may be listed there too (as GPT-2's file does).
         */
        private byte[][] ordinaryTokens(Map<String, Integer> specials) throws IOException {
            var specialById = new HashMap<Integer, String>();
            specials.forEach((text, id) -> specialById.put(id, text));
            var tokenById = HashMap.<Integer, String>newHashMap(vocab.size());
            int maxId = -1;
            for (var entries = vocab.entrySet().iterator(); entries.hasNext(); ) {
                var entry = entries.next();
                String token = entry.getKey();
                int id = entry.getValue();
                Integer specialId = specials.get(token);
                if (specialId != null && specialId == id) {
                    entries.remove();
                    continue;
                }
                if (specialId != null) {
                    throw invalid("model.vocab gives " + quote(token) + " id " + id + " but added_tokens gives it id "
                            + specialId);
                }
                if (specialById.containsKey(id)) {
                    throw invalid("model.vocab gives " + quote(token) + " id " + id + ", which added_tokens gives to "
                            + quote(specialById.get(id)));
                }
                String other = tokenById.putIfAbsent(id, token);
                if (other != null) {
                    throw invalid("model.vocab gives id " + id + " to both " + quote(other) + " and " + quote(token));
                }
                maxId = Math.max(maxId, id);
            }
            byte[][] tokens = new byte[maxId + 1][];
            for (var entry : vocab.entrySet()) {
                byte[] bytes = ByteLevelAlphabet.decode(entry.getKey());
                if (bytes == null || bytes.length == 0) {
                    throw invalid("model.vocab token " + quote(entry.getKey()) + " is not spelled in GPT-2's "
                            + "byte-level alphabet; " + BYTE_LEVEL_ONLY);
                }
                tokens[entry.getValue()] = bytes;
            }
            return tokens;
        }

        /**
         * The merges in priority order. A pair listed twice keeps its last place, as in HF (whose merge
         * map keeps the last rank it is given).
         */
        private List<Merge> merges() throws IOException {
            var all = new ArrayList<Merge>(mergeParts.size() / 2);
            for (int i = 0; i < mergeParts.size() / 2; i++) {
                String leftPart = mergeParts.get(2 * i);
                String rightPart = mergeParts.get(2 * i + 1);
                Integer left = vocab.get(leftPart);
                Integer right = vocab.get(rightPart);
                Integer result = vocab.get(leftPart + rightPart);
                if (left == null || right == null || result == null) {
                    String missing = left == null ? quote(leftPart) : right == null ? quote(rightPart)
                            : "the merged token " + quote(leftPart + rightPart);
                    throw invalid("model.merges[" + i + "] (" + quote(leftPart) + ", " + quote(rightPart) + "): "
                            + missing + " is not an ordinary token of model.vocab");
                }
                all.add(new Merge(left, right, result));
            }
            return hasDuplicatePairs(all) ? keepLastOfEachPair(all) : all;
        }

        private static boolean hasDuplicatePairs(List<Merge> merges) {
            long[] pairs = merges.stream().mapToLong(m -> ((long) m.left() << 32) | m.right()).sorted().toArray();
            return IntStream.range(1, pairs.length).anyMatch(i -> pairs[i] == pairs[i - 1]);
        }

        private static List<Merge> keepLastOfEachPair(List<Merge> merges) {
            var seen = new HashSet<Merge>();
            var kept = new ArrayList<Merge>(merges.size());
            for (Merge merge : merges.reversed()) {
                if (seen.add(merge)) {
                    kept.add(merge);
                }
            }
            return kept.reversed();
        }

        private static boolean isId(JsonParser json) throws IOException {
            return json.currentToken() == JsonToken.VALUE_NUMBER_INT && json.getNumberType() == NumberType.INT
                    && json.getIntValue() >= 0 && json.getIntValue() <= MAX_ID;
        }

        private static boolean isId(JsonNode node) {
            return node != null && node.isInt() && node.intValue() >= 0 && node.intValue() <= MAX_ID;
        }

        private IOException notAnId(JsonNode node, String field) {
            return invalid(field + " is " + describe(node) + "; expected an id from 0 to " + MAX_ID);
        }

        private IOException invalid(String problem) {
            return new IOException(file + ": " + problem);
        }

        private static boolean absent(JsonNode node) {
            return node == null || node.isNull();
        }

        private static boolean isType(JsonNode node, String type) {
            return node != null && type.equals(node.path("type").asText());
        }

        /** A JSON value for a message: strings quoted, objects cut short. */
        private static String describe(JsonNode node) {
            if (node == null || node.isMissingNode()) {
                return "missing";
            }
            String json = node.toString();
            return json.length() > 120 ? json.substring(0, 120) + "…" : json;
        }

        private static String quote(String text) {
            return '"' + text + '"';
        }
    }

    /**
     * HF's own layout (two-space indent, one entry per line), except that an array inside an array stays on
     * one line, so that each merge reads {@code ["Ġ", "t"]} instead of taking four lines.
     */
    private static final class Layout implements PrettyPrinter {
        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            g.writeRaw('{');
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            newLine(g, 0);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newLine(g, 0);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries > 0) {
                newLine(g, -1);
            }
            g.writeRaw('}');
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw('[');
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            if (!inline(g)) {
                newLine(g, 0);
            }
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            if (inline(g)) {
                g.writeRaw(' ');
            } else {
                newLine(g, 0);
            }
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values > 0 && !inline(g)) {
                newLine(g, -1);
            }
            g.writeRaw(']');
        }

        /** Whether the array being written sits inside another array. */
        private static boolean inline(JsonGenerator g) {
            var context = g.getOutputContext();
            return context.inArray() && context.getParent().inArray();
        }

        /** A line break indented for the current container, or {@code delta} levels from it. */
        private static void newLine(JsonGenerator g, int delta) throws IOException {
            g.writeRaw('\n');
            g.writeRaw("  ".repeat(g.getOutputContext().getNestingDepth() + delta));
        }
    }
}
