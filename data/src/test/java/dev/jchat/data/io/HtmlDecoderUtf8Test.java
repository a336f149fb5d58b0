package dev.jchat.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast strict-UTF-8 check gives what the strict decoder gives: the text for valid UTF-8, null otherwise. */
class HtmlDecoderUtf8Test {
    private static final String[] PIECES = {"a", "<p>", " ", "é", "€", "\uFFFD", "한", "\uD83D\uDE00", "\u0000", "ÿ"};

    @Test
    void sameAsTheStrictDecoderOnValidAndDamagedUtf8() {
        var random = new SplittableRandom(17);
        for (int k = 0; k < 200_000; k++) {
            var b = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                b.append(PIECES[random.nextInt(PIECES.length)]);
            }
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0 && random.nextInt(3) == 0) {
                // damage: a random byte (lone continuation, overlong lead, surrogate, truncation, 0xF5+)
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            byte[] body = bytes;
            assertEquals(strict(body), HtmlDecoder.strictUtf8(body), () -> java.util.HexFormat.of().formatHex(body));
        }
        for (byte[] special : new byte[][] {
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0x80},
                {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {}}) {
            assertEquals(strict(special), HtmlDecoder.strictUtf8(special));
        }
    }

    private static String strict(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
