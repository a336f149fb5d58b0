package dev.jchat.model.backend;

/** Memory that a {@link Backend} owns: a Java array on the CPU, device memory on a GPU. */
public interface Storage {

    /** Capacity in elements. */
    long size();
}
