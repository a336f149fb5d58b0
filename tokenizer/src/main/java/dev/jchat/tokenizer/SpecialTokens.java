package dev.jchat.tokenizer;

import java.util.List;

/**
 * The special tokens jchat reserves in every tokenizer it trains: a document delimiter and the markers
 * of the chat format and its tools, which later stages (SFT, tool use, RL) write and the inference engine
 * watches for. Their ids follow the ordinary tokens, in this order.
 */
public final class SpecialTokens {
    private SpecialTokens() {}

    /** Starts every document in pretraining data; also the conversation start. */
    public static final String BOS = "<|bos|>";
    public static final String SYSTEM_START = "<|system_start|>";
    public static final String SYSTEM_END = "<|system_end|>";
    public static final String USER_START = "<|user_start|>";
    public static final String USER_END = "<|user_end|>";
    public static final String ASSISTANT_START = "<|assistant_start|>";
    /** Ends an assistant turn: the stop token of chat generation. */
    public static final String ASSISTANT_END = "<|assistant_end|>";
    /** Wraps a tool call the assistant writes (calculator expression, tool JSON). */
    public static final String TOOL_CALL_START = "<|tool_call_start|>";
    public static final String TOOL_CALL_END = "<|tool_call_end|>";
    /** Wraps what a tool returned, injected by the engine, never sampled. */
    public static final String TOOL_OUTPUT_START = "<|tool_output_start|>";
    public static final String TOOL_OUTPUT_END = "<|tool_output_end|>";
    /** Wraps a search query over the corpus index. */
    public static final String SEARCH_START = "<|search_start|>";
    public static final String SEARCH_END = "<|search_end|>";

    /** All reserved specials in id order. */
    public static final List<String> RESERVED = List.of(BOS, SYSTEM_START, SYSTEM_END, USER_START, USER_END,
            ASSISTANT_START, ASSISTANT_END, TOOL_CALL_START, TOOL_CALL_END, TOOL_OUTPUT_START, TOOL_OUTPUT_END,
            SEARCH_START, SEARCH_END);
}
