package dev.jchat.model.train;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ParameterLayout;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.Storage;
import dev.jchat.model.backend.Tensor;

/**
 * Muon (Keller Jordan, 2024; nanochat's optimizer for the transformer's matrices): SGD with Nesterov momentum whose
 * update for each weight matrix is orthogonalised by Newton–Schulz, so every direction of the update moves at a
 * similar rate. Only the {@link ParameterLayout.Group#MATRIX} tensors (q, k, v, o, gate, up, down, each on its own)
 * take Muon; embeddings, the LM head and norm gains stay with AdamW, as in nanochat.
 *
 * @see AdamW
 */
public final class Muon {

    /**
     * @param momentum    β of the momentum buffer (0.95)
     * @param nesterov    update along {@code (1−β)·g + β·buffer} rather than the buffer
     * @param steps       Newton–Schulz iterations (5)
     * @param weightDecay decoupled, as AdamW's
     */
    public record Hyper(float momentum, boolean nesterov, int steps, float weightDecay) {
        public static Hyper defaults() {
            return new Hyper(0.95f, true, 5, 0f);
        }
    }

    private final LlamaModel model;
    private final Hyper hyper;
    private final Storage buffers;
    private final ParameterLayout.Range matrices;

    public Muon(LlamaModel model, Hyper hyper) {
        this.model = model;
        this.hyper = hyper;
        this.matrices = model.layout().range(ParameterLayout.Group.MATRIX);
        this.buffers = model.backend().allocate(matrices.size());
    }

    /**
     * One step at learning rate {@code lr} for every matrix, scaled by {@code sqrt(max(1, rows/cols))} so that tall
     * matrices (the MLP's gate and up) move as far per element as square ones. Consumes the matrices' gradients.
     */
    public void step(float lr) {
        Backend backend = model.backend();
        for (ParameterLayout.Parameter p : model.layout().parameters()) {
            if (p.group() != ParameterLayout.Group.MATRIX) {
                continue;
            }
            int rows = p.shape()[0];
            int cols = p.shape()[1];
            Tensor grad = model.gradient(p);
            Tensor buffer = new Tensor(buffers, p.offset() - matrices.offset(), p.size());
            // buffer = β·buffer + (1−β)·g; update = (1−β)·g + β·buffer (Nesterov) or the buffer itself
            backend.scale(buffer, hyper.momentum());
            backend.addScaled(buffer, grad, 1 - hyper.momentum());
            Tensor update = grad;
            if (hyper.nesterov()) {
                backend.scale(grad, 1 - hyper.momentum());
                backend.addScaled(grad, buffer, hyper.momentum());
            } else {
                backend.copy(grad, buffer);
            }
            backend.orthogonalize(update, rows, cols, hyper.steps());
            Tensor weight = model.parameter(p);
            if (hyper.weightDecay() > 0) {
                backend.scale(weight, 1 - lr * hyper.weightDecay());
            }
            backend.addScaled(weight, update, (float) (-lr * Math.sqrt(Math.max(1.0, (double) rows / cols))));
        }
    }

    /** The momentum buffers of all matrices, in the matrix group's layout: saved with a checkpoint. */
    public Tensor state() {
        return Tensor.of(buffers);
    }

    public void restore(float[] state) {
        model.backend().upload(Tensor.of(buffers), state, 0);
    }
}
