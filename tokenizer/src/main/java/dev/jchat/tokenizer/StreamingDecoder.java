package dev.jchat.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token ids into text as soon as whole characters exist: a token may end inside a
 * multi-byte UTF-8 character, whose bytes are held until the next token completes it. Bytes that can
 * never form a character become U+FFFD, exactly as {@link Tokenizer#decode} would render them, so the
 * concatenated output always equals decoding all ids at once.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(64);
    private CharBuffer chars = CharBuffer.allocate(64);

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one id; returns the text that is now complete (possibly empty). */
    public String push(int id) {
        byte[] bytes = tokenizer.bytes(id);
        if (pending.remaining() < bytes.length) {
            pending = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + bytes.length))
                    .put(pending.flip());
        }
        pending.put(bytes);
        return drain(false);
    }

    /** Ends the stream: held bytes that never completed a character come out as U+FFFD. */
    public String finish() {
        String rest = drain(true);
        utf8.reset();
        return rest;
    }

    private String drain(boolean endOfInput) {
        pending.flip();
        int needed = (int) (pending.remaining() * 1.1) + 4;
        if (chars.capacity() < needed) {
            chars = CharBuffer.allocate(needed);
        }
        chars.clear();
        utf8.decode(pending, chars, endOfInput);
        if (endOfInput) {
            utf8.flush(chars);
        }
        pending.compact();
        return chars.flip().toString();
    }
}
