package dev.jchat.tokenizer;

/** UTF-8 encoding of a char range into a caller's buffer, without the allocation of String.getBytes. */
final class Utf8 {
    private Utf8() {}

    /**
     * Writes {@code text[from, to)} as UTF-8 into {@code out} (which holds at least 3 bytes per char) and
     * returns the byte count. A lone surrogate is written as U+FFFD.
     */
    static int encode(CharSequence text, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                char low = i + 1 < to ? text.charAt(i + 1) : 0;
                if (Character.isHighSurrogate(c) && Character.isLowSurrogate(low)) {
                    int cp = Character.toCodePoint(c, low);
                    out[n++] = (byte) (0xF0 | (cp >> 18));
                    out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    out[n++] = (byte) (0x80 | (cp & 0x3F));
                    i++;
                } else {
                    out[n++] = (byte) 0xEF;
                    out[n++] = (byte) 0xBF;
                    out[n++] = (byte) 0xBD;
                }
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }
}
