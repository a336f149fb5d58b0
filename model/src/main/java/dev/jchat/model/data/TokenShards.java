package dev.jchat.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code tokens/} directory: the train and val shards and {@code meta.json}, which names the tokenizer
 * that wrote them (vocabulary size, BOS id, SHA-256 of its file) and counts what is in each split. Opening it
 * checks every shard against the meta file (header, token count, every id inside the vocabulary), so a corrupt
 * shard or one from another tokenizer stops a run before training, not in the middle.
 */
public final class TokenShards {
    public static final String META_FILE = "meta.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Meta meta;
    private final List<TokenShard> train;
    private final List<TokenShard> val;

    private TokenShards(Meta meta, List<TokenShard> train, List<TokenShard> val) {
        this.meta = meta;
        this.train = train;
        this.val = val;
    }

    /** What one split holds: documents, tokens (BOS included), UTF-8 bytes of the text, and its shard files. */
    public record Split(long documents, long tokens, long bytes, List<String> shards) {
        public Split {
            shards = List.copyOf(shards);
        }
    }

    /**
     * The contents of {@code meta.json}.
     *
     * @param vocabSize       ids the tokenizer can produce (every token is below it)
     * @param bosId           the token that starts every document
     * @param tokenizer       the tokenizer's name or path, for people
     * @param tokenizerSha256 SHA-256 of the tokenizer file, hex; null for a built-in encoding
     * @param skipped         input records left out, by reason
     */
    public record Meta(int vocabSize, int bosId, String tokenizer, String tokenizerSha256, long tokensPerShard,
                       Split train, Split val, Map<String, Long> skipped) {
        public Meta {
            skipped = Map.copyOf(skipped);
        }

        /**
         * Checks that a model and tokenizer can train on these shards: the model's vocabulary covers every id,
         * and the tokenizer is the one that wrote them (by file hash when both have one, else by name).
         */
        public void checkTokenizer(int modelVocabSize, String tokenizerName, String sha256) {
            if (modelVocabSize < vocabSize) {
                throw new IllegalArgumentException("the token shards hold ids up to " + (vocabSize - 1)
                        + " but the model's vocabulary has " + modelVocabSize + " ids");
            }
            boolean same = tokenizerSha256 != null && sha256 != null ? tokenizerSha256.equals(sha256)
                    : tokenizer.equals(tokenizerName);
            if (!same) {
                throw new IllegalArgumentException("the token shards were written with tokenizer " + tokenizer
                        + (tokenizerSha256 != null ? " (sha256 " + tokenizerSha256 + ")" : "") + ", not with "
                        + tokenizerName + (sha256 != null ? " (sha256 " + sha256 + ")" : "")
                        + ": tokenize the documents again with this tokenizer");
            }
        }

        /** Writes {@code dir/meta.json} (through a temporary file, so it is whole or absent). */
        public void write(Path dir) throws IOException {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", "llm.c token shards");
            root.put("vocab_size", vocabSize);
            root.put("bos_id", bosId);
            root.put("tokenizer", tokenizer);
            root.put("tokenizer_sha256", tokenizerSha256);
            root.put("tokens_per_shard", tokensPerShard);
            root.set("train", splitJson(train));
            root.set("val", splitJson(val));
            ObjectNode skips = root.putObject("skipped");
            skipped.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> skips.put(e.getKey(), e.getValue()));
            Path temp = dir.resolve(META_FILE + ".tmp");
            JSON.writeValue(temp.toFile(), root);
            Files.move(temp, dir.resolve(META_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        /** Reads {@code dir/meta.json}. */
        public static Meta read(Path dir) throws IOException {
            Path file = dir.resolve(META_FILE);
            if (!Files.exists(file)) {
                throw new IOException(file + " does not exist: is " + dir + " the --out of a finished jchat tokenize?");
            }
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
                var skipped = new LinkedHashMap<String, Long>();
                root.path("skipped").properties().forEach(e -> skipped.put(e.getKey(), e.getValue().asLong()));
                return new Meta(required(root, "vocab_size").asInt(), required(root, "bos_id").asInt(),
                        required(root, "tokenizer").asText(),
                        root.path("tokenizer_sha256").isTextual() ? root.get("tokenizer_sha256").asText() : null,
                        required(root, "tokens_per_shard").asLong(), split(required(root, "train")),
                        split(required(root, "val")), skipped);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException(file + ": not a valid token meta file: " + e.getMessage(), e);
            }
        }

        private static ObjectNode splitJson(Split split) {
            ObjectNode node = JSON.createObjectNode();
            node.put("documents", split.documents());
            node.put("tokens", split.tokens());
            node.put("bytes", split.bytes());
            split.shards().forEach(node.putArray("shards")::add);
            return node;
        }

        private static Split split(JsonNode node) {
            var shards = new ArrayList<String>();
            required(node, "shards").forEach(name -> shards.add(name.asText()));
            return new Split(required(node, "documents").asLong(), required(node, "tokens").asLong(),
                    required(node, "bytes").asLong(), shards);
        }

        private static JsonNode required(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException("no \"" + field + "\"");
            }
            return value;
        }
    }

    /** Reads {@code dir/meta.json} and opens and checks every shard it lists. */
    public static TokenShards open(Path dir) throws IOException {
        Meta meta = Meta.read(dir);
        return new TokenShards(meta, openSplit(dir, meta.train(), meta.vocabSize()),
                openSplit(dir, meta.val(), meta.vocabSize()));
    }

    private static List<TokenShard> openSplit(Path dir, Split split, int vocabSize) throws IOException {
        var shards = new ArrayList<TokenShard>();
        long tokens = 0;
        for (String name : split.shards()) {
            TokenShard shard = TokenShard.open(dir.resolve(name));
            shard.checkIds(vocabSize);
            tokens += shard.size();
            shards.add(shard);
        }
        if (tokens != split.tokens()) {
            throw new IOException(dir + ": " + META_FILE + " says " + split.tokens() + " tokens in " + split.shards()
                    + " but the shards hold " + tokens + ": the shards changed since it was written; tokenize again");
        }
        return List.copyOf(shards);
    }

    public Meta meta() {
        return meta;
    }

    public List<TokenShard> train() {
        return train;
    }

    public List<TokenShard> val() {
        return val;
    }
}
