package dev.jchat.tokenizer;

/** One BPE merge: the adjacent tokens {@code left, right} become {@code result}. */
public record Merge(int left, int right, int result) {}
