package dev.jchat.cli;

import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.util.List;

/**
 * jchat's chat format as a Jinja template, the form HF's {@code tokenizer_config.json} and GGUF's
 * {@code tokenizer.chat_template} carry it in so that transformers, llama.cpp and LM Studio render conversations
 * as jchat does: {@code <|bos|>}, then each message wrapped in its role's start and end tokens, then
 * {@code <|assistant_start|>} when a reply is wanted. llama.cpp drops the template's leading BOS when it adds one
 * itself, so templates conventionally start with {@code bos_token}.
 */
final class ChatTemplate {
    private ChatTemplate() {}

    static final String JINJA = "{{ bos_token }}"
            + "{% for message in messages %}"
            + "{% if message['role'] == 'system' %}"
            + "{{ '" + SpecialTokens.SYSTEM_START + "' + message['content'] + '" + SpecialTokens.SYSTEM_END + "' }}"
            + "{% elif message['role'] == 'user' %}"
            + "{{ '" + SpecialTokens.USER_START + "' + message['content'] + '" + SpecialTokens.USER_END + "' }}"
            + "{% elif message['role'] == 'assistant' %}"
            + "{{ '" + SpecialTokens.ASSISTANT_START + "' + message['content'] + '" + SpecialTokens.ASSISTANT_END
            + "' }}"
            + "{% else %}"
            + "{{ raise_exception('jchat conversations have system, user and assistant messages, not '"
            + " + message['role']) }}"
            + "{% endif %}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '" + SpecialTokens.ASSISTANT_START + "' }}{% endif %}";

    private static final List<String> NEEDED = List.of(SpecialTokens.BOS, SpecialTokens.SYSTEM_START,
            SpecialTokens.SYSTEM_END, SpecialTokens.USER_START, SpecialTokens.USER_END, SpecialTokens.ASSISTANT_START,
            SpecialTokens.ASSISTANT_END);

    /** Whether {@code tokenizer} has the special tokens the template writes. */
    static boolean fits(Tokenizer tokenizer) {
        return tokenizer.specialTokens().keySet().containsAll(NEEDED);
    }
}
