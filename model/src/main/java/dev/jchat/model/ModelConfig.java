package dev.jchat.model;

/**
 * The shape of a Llama-style transformer, named after HF's {@code LlamaConfig} fields where they have one.
 *
 * @param layers      num_hidden_layers
 * @param heads       num_attention_heads
 * @param kvHeads     num_key_value_heads (grouped-query attention when fewer than heads)
 * @param dim         hidden_size
 * @param ffn         intermediate_size (SwiGLU width)
 * @param vocab       vocab_size
 * @param seqLen      max_position_embeddings: the longest context
 * @param ropeTheta   rope_theta
 * @param normEps     rms_norm_eps
 * @param tiedEmbeddings tie_word_embeddings: the LM head reuses the token embedding
 * @param bosTokenId  bos_token_id
 * @param eosTokenId  eos_token_id
 */
public record ModelConfig(int layers, int heads, int kvHeads, int dim, int ffn, int vocab, int seqLen, double ropeTheta,
                          double normEps, boolean tiedEmbeddings, int bosTokenId, int eosTokenId) {

    public ModelConfig {
        require(layers >= 1, "layers must be at least 1");
        require(heads >= 1 && kvHeads >= 1, "heads and kv-heads must be at least 1");
        require(heads % kvHeads == 0, "heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads + ")");
        require(dim % heads == 0, "dim (" + dim + ") must be a multiple of heads (" + heads + ")");
        require((dim / heads) % 2 == 0, "head size (dim / heads = " + dim / heads + ") must be even for RoPE");
        require(ffn >= 1 && vocab >= 1 && seqLen >= 1, "ffn, vocab and seq-len must be positive");
        require(ropeTheta > 0 && normEps > 0, "rope theta and norm eps must be positive");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public int headDim() {
        return dim / heads;
    }

    /** Width of the fused q/k/v projection's output: query heads, then key heads, then value heads. */
    public int qkvDim() {
        return (heads + 2 * kvHeads) * headDim();
    }

    /** Parameters of all weight matrices that take part in matmuls (the LM head included), for FLOP counts. */
    public long matmulParameters() {
        long perLayer = (long) qkvDim() * dim + (long) dim * dim + 3L * dim * ffn;
        return layers * perLayer + (long) vocab * dim;
    }

    /** Every parameter, norms and embedding included (the tied head counted once). */
    public long parameters() {
        long perLayer = (long) qkvDim() * dim + (long) dim * dim + 3L * dim * ffn + 2L * dim;
        long embeddings = (long) vocab * dim * (tiedEmbeddings ? 1 : 2);
        return layers * perLayer + embeddings + dim;
    }

    /** Training FLOPs per token, forward and backward: 6 per matmul parameter plus attention's 12·L·T·d (PaLM's count). */
    public double trainingFlopsPerToken(int sequence) {
        return 6.0 * matmulParameters() + 12.0 * layers * sequence * dim;
    }

    public ModelConfig withVocab(int newVocab, int bos, int eos) {
        return new ModelConfig(layers, heads, kvHeads, dim, ffn, newVocab, seqLen, ropeTheta, normEps, tiedEmbeddings,
                bos, eos);
    }

    public ModelConfig withSeqLen(int newSeqLen) {
        return new ModelConfig(layers, heads, kvHeads, dim, ffn, vocab, newSeqLen, ropeTheta, normEps, tiedEmbeddings,
                bosTokenId, eosTokenId);
    }

    /** Benchmark configuration T of DESIGN.md: 4 layers, d 256, 4 heads, ffn 688, vocab 8192, seq 256. */
    public static ModelConfig benchT() {
        return new ModelConfig(4, 4, 4, 256, 688, 8192, 256, 10_000, 1e-5, false, 0, 0);
    }

    /** Benchmark configuration S: 6 layers, d 384, 6 heads, ffn 1024, vocab 8192, seq 256. */
    public static ModelConfig benchS() {
        return new ModelConfig(6, 6, 6, 384, 1024, 8192, 256, 10_000, 1e-5, false, 0, 0);
    }

    /** Benchmark configuration M (~98M parameters, for decode): 12 layers, d 768, 12 heads, ffn 2048, seq 1024. */
    public static ModelConfig benchM() {
        return new ModelConfig(12, 12, 12, 768, 2048, 8192, 1024, 10_000, 1e-5, false, 0, 0);
    }

    /**
     * nanochat's one-knob sizing: {@code depth} layers of width {@code 64·depth}, heads of about 128 dimensions,
     * and a SwiGLU width of 8/3 of the model width rounded up to a multiple of 64 (Llama's ratio).
     */
    public static ModelConfig ofDepth(int depth, int vocab, int seqLen, int bos, int eos) {
        require(depth >= 1, "depth must be at least 1");
        int dim = 64 * depth;
        int heads = Math.max(1, (dim + 127) / 128);
        while (dim % heads != 0 || (dim / heads) % 2 != 0) {
            heads++;
        }
        int ffn = ((8 * dim / 3) + 63) / 64 * 64;
        return new ModelConfig(depth, heads, heads, dim, ffn, vocab, seqLen, 10_000, 1e-5, false, bos, eos);
    }
}
