package dev.jchat.cli;

import dev.jchat.model.ModelConfig;
import picocli.CommandLine.Option;

/** The model's shape on the command line: {@code --depth} alone (nanochat's one knob) or explicit sizes over it. */
final class ModelShapeOptions {

    @Option(names = "--depth", paramLabel = "N", description = "layers; width 64·N, heads of ~128 dims, SwiGLU 8/3 "
            + "of the width (default: 4)")
    Integer depth;

    @Option(names = "--layers", paramLabel = "N", description = "transformer layers (overrides --depth)")
    Integer layers;

    @Option(names = "--dim", paramLabel = "N", description = "model width (hidden_size)")
    Integer dim;

    @Option(names = "--heads", paramLabel = "N", description = "attention heads")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "key/value heads (grouped-query attention; default: heads)")
    Integer kvHeads;

    @Option(names = "--ffn", paramLabel = "N", description = "SwiGLU width (intermediate_size)")
    Integer ffn;

    @Option(names = "--tied", description = "tie the LM head to the token embedding")
    boolean tied;

    @Option(names = "--rope-theta", defaultValue = "10000", paramLabel = "THETA", description = "RoPE base (default: ${DEFAULT-VALUE})")
    double ropeTheta;

    ModelConfig config(int vocab, int seqLen, int bos, int eos) {
        ModelConfig base = ModelConfig.ofDepth(depth != null ? depth : 4, vocab, seqLen, bos, eos);
        int width = dim != null ? dim : base.dim();
        int headCount = heads != null ? heads : (dim != null ? Math.max(1, width / 64) : base.heads());
        return new ModelConfig(layers != null ? layers : base.layers(), headCount, kvHeads != null ? kvHeads : headCount,
                width, ffn != null ? ffn : (dim != null ? ((8 * width / 3) + 63) / 64 * 64 : base.ffn()), vocab, seqLen,
                ropeTheta, base.normEps(), tied, bos, eos);
    }
}
