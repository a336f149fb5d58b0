package dev.jchat.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's {@code bytes_to_unicode}: one printable character per byte, so that byte strings can be vocabulary
 * keys in JSON. Printable Latin-1 bytes stand for themselves; the other 68 bytes (controls, space, NBSP,
 * soft hyphen) map in byte order to U+0100 onwards, which is why a space shows up as {@code Ġ} (U+0120).
 */
final class ByteLevelAlphabet {
    private static final char[] CHAR_OF_BYTE = new char[256];
    /** Byte of each character below {@link #LIMIT}, or -1 for characters outside the alphabet. */
    private static final int[] BYTE_OF_CHAR;
    private static final int LIMIT = 256 + 68;

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            CHAR_OF_BYTE[b] = (char) (printable ? b : next++);
        }
        BYTE_OF_CHAR = new int[LIMIT];
        Arrays.fill(BYTE_OF_CHAR, -1);
        for (int b = 0; b < 256; b++) {
            BYTE_OF_CHAR[CHAR_OF_BYTE[b]] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The characters that stand for {@code bytes}, one per byte. */
    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** The bytes that {@code text} stands for, or null when a character is not in the alphabet. */
    static byte[] decode(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= LIMIT || BYTE_OF_CHAR[c] < 0) {
                return null;
            }
            bytes[i] = (byte) BYTE_OF_CHAR[c];
        }
        return bytes;
    }
}
