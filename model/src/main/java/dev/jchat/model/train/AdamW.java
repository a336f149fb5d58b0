package dev.jchat.model.train;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ParameterLayout;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.Storage;
import dev.jchat.model.backend.Tensor;
import java.util.EnumMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) over a model's parameters, with its two moment buffers in the parameters'
 * layout. Weight decay and a learning-rate multiplier are set per {@link ParameterLayout.Group}: by default only
 * the matrices and the LM head decay, as in GPT-2 and nanochat, since decaying norm gains and embeddings hurts.
 */
public final class AdamW {

    /** Per-group settings: the group's learning rate is {@code lrScale ·} the scheduled rate. */
    public record GroupSettings(float lrScale, float weightDecay) {}

    /** Hyper-parameters shared by all groups; a group without settings is left to another optimizer. */
    public record Hyper(float beta1, float beta2, float eps, Map<ParameterLayout.Group, GroupSettings> groups) {

        public Hyper {
            groups = Map.copyOf(groups);
        }

        /** β = (0.9, 0.95), ε = 1e-8, weight decay {@code decay} on matrices and head, none elsewhere. */
        public static Hyper defaults(float decay) {
            return defaults(decay, false);
        }

        /** The defaults, without the matrices when {@code muonMatrices} (Muon updates them). */
        public static Hyper defaults(float decay, boolean muonMatrices) {
            var groups = new EnumMap<ParameterLayout.Group, GroupSettings>(ParameterLayout.Group.class);
            if (!muonMatrices) {
                groups.put(ParameterLayout.Group.MATRIX, new GroupSettings(1, decay));
            }
            groups.put(ParameterLayout.Group.HEAD, new GroupSettings(1, decay));
            groups.put(ParameterLayout.Group.EMBEDDING, new GroupSettings(1, 0));
            groups.put(ParameterLayout.Group.NORM, new GroupSettings(1, 0));
            return new Hyper(0.9f, 0.95f, 1e-8f, groups);
        }
    }

    private final LlamaModel model;
    private final Hyper hyper;
    private final Storage moments;
    private final Tensor m;
    private final Tensor v;
    private int step;

    public AdamW(LlamaModel model, Hyper hyper) {
        this.model = model;
        this.hyper = hyper;
        long size = model.layout().size();
        this.moments = model.backend().allocate(2 * size);
        this.m = new Tensor(moments, 0, size);
        this.v = new Tensor(moments, size, size);
    }

    /** Applies the model's gradients at learning rate {@code lr} and counts one step. */
    public void step(float lr) {
        step++;
        Backend backend = model.backend();
        for (ParameterLayout.Group group : ParameterLayout.Group.values()) {
            ParameterLayout.Range range = model.layout().range(group);
            GroupSettings settings = hyper.groups().get(group);
            if (range.size() == 0 || settings == null) {
                continue;
            }
            backend.adamw(model.parameters().slice(range.offset(), range.size()),
                    model.gradients().slice(range.offset(), range.size()), m.slice(range.offset(), range.size()),
                    v.slice(range.offset(), range.size()), lr * settings.lrScale(), hyper.beta1(), hyper.beta2(),
                    hyper.eps(), settings.weightDecay(), step);
        }
    }

    /** Steps taken so far (the bias-correction count). */
    public int steps() {
        return step;
    }

    /** First and second moments, [2 · parameters]: saved with a checkpoint. */
    public Tensor state() {
        return Tensor.of(moments);
    }

    /** Restores a saved state: the moments (as {@link #state()} gives them) and the step count. */
    public void restore(float[] state, int steps) {
        model.backend().upload(Tensor.of(moments), state, 0);
        this.step = steps;
    }
}
