package dev.jchat.model.backend;

/**
 * A contiguous run of {@code size} numbers starting at {@code offset} in a backend's {@link Storage}. Parameters,
 * gradients and activations are each one storage; tensors are named views into them, so an optimizer step or a
 * gradient reset is one call over the whole storage.
 */
public record Tensor(Storage storage, long offset, long size) {

    public Tensor {
        if (offset < 0 || size < 0 || offset + size > storage.size()) {
            throw new IllegalArgumentException("view [" + offset + ", " + (offset + size) + ") outside a storage of "
                    + storage.size());
        }
    }

    /** The whole storage. */
    public static Tensor of(Storage storage) {
        return new Tensor(storage, 0, storage.size());
    }

    /** {@code length} elements from {@code from} (relative to this view). */
    public Tensor slice(long from, long length) {
        if (from < 0 || length < 0 || from + length > size) {
            throw new IllegalArgumentException("slice [" + from + ", " + (from + length) + ") outside a tensor of " + size);
        }
        return new Tensor(storage, offset + from, length);
    }
}
