package dev.jchat.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    private static final Tokenizer CL100K = Tokenizer.load("cl100k_base");
    private static final Tokenizer O200K = Tokenizer.load("o200k_base");

    @Test
    void specialTokensAreTextUnlessAllowed() {
        String text = "a<|endoftext|>b";
        int eot = CL100K.specialId("<|endoftext|>");
        assertTrue(IntStream.of(CL100K.encode(text)).noneMatch(id -> id == eot));
        assertEquals(text, CL100K.decode(CL100K.encode(text)));
        assertArrayEquals(new int[] {64, eot, 65}, CL100K.encode(text, Set.of("<|endoftext|>")));
        assertArrayEquals(new int[] {64, eot, 65}, CL100K.encodeWithSpecials(text));
        // allowing a different special leaves this one as text
        assertArrayEquals(CL100K.encode(text), CL100K.encode(text, Set.of("<|fim_prefix|>")));
    }

    @Test
    void adjacentAndRepeatedSpecialsAreAllFound() {
        int eot = CL100K.specialId("<|endoftext|>");
        int prompt = CL100K.specialId("<|endofprompt|>");
        assertArrayEquals(new int[] {eot, prompt, eot}, CL100K.encodeWithSpecials("<|endoftext|><|endofprompt|><|endoftext|>"));
    }

    @Test
    void allowingAnUnknownSpecialIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> CL100K.encode("x", Set.of("<|nope|>")));
        assertTrue(e.getMessage().contains("<|nope|>"));
    }

    @Test
    void loneSurrogatesEncodeAsReplacementCharacter() {
        assertArrayEquals(CL100K.encode("a\uFFFDb"), CL100K.encode("a\uD800b"));
        assertArrayEquals(CL100K.encode("\uFFFD"), CL100K.encode("\uDC00"));
    }

    @Test
    void longPiecesMergeLikeTiktoken() {
        // one piece each, far above the length where the encoder switches from scanning to a heap
        var jtokkit = com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry()
                .getEncoding(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE);
        for (String piece : new String[] {"supercalifragilisticexpialidocious".repeat(20), "aaaa".repeat(500),
                "ab".repeat(1000), "안녕하세요".repeat(100), " ".repeat(10_000) + "x", "!?".repeat(777)}) {
            assertArrayEquals(jtokkit.encodeOrdinary(piece).toArray(), CL100K.encode(piece));
        }
    }

    @Test
    void decodingAnUnknownIdNamesIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> CL100K.decode(new int[] {1, 100256}));
        assertTrue(e.getMessage().contains("100256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CL100K.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> CL100K.decode(new int[] {Integer.MAX_VALUE}));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load("cl100k"));
        assertTrue(e.getMessage().contains("o200k_base") && e.getMessage().contains("cl100k_base"), e.getMessage());
    }

    @Test
    void malformedRankFileIsReportedWithItsLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.tiktoken");
        Files.writeString(file, "IQ== 0\nIg== 1\nnot-base64!! 2\n");
        var e = assertThrows(RuntimeException.class, () -> Tokenizer.load(file.toString()));
        assertTrue(e.getMessage().contains("bad.tiktoken:3"), e.getMessage());
        Files.writeString(file, "IQ== 0\nIg== 0\n");
        e = assertThrows(RuntimeException.class, () -> Tokenizer.load(file.toString()));
        assertTrue(e.getMessage().contains(":2") && e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void rankFileWithoutAllBytesIsNotByteLevel(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("small.tiktoken");
        Files.writeString(file, "YQ== 0\nYg== 1\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file.toString()));
        assertTrue(e.getMessage().contains("single byte"), e.getMessage());
    }

    @Test
    void rankFileRoundTrips(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("r50k.tiktoken");
        Tokenizer r50k = Tokenizer.load("r50k_base");
        try (var out = Files.newBufferedWriter(file)) {
            TiktokenFile.write(r50k, out);
        }
        Tokenizer reloaded = Tokenizer.fromRanks("copy", PreTokenizer.named("gpt2"), TiktokenFile.read(file),
                r50k.specialTokens());
        String text = TestCorpus.europarl(200_000);
        assertArrayEquals(r50k.encode(text), reloaded.encode(text));
    }

    @Test
    void streamingDecoderEmitsWholeCharactersAndMatchesDecode() {
        String text = "Zürich 안녕하세요 🌍🇪🇸 naïve \u0000 end";
        int[] ids = CL100K.encode(text);
        var decoder = CL100K.streamingDecoder();
        var streamed = new StringBuilder();
        for (int id : ids) {
            String piece = decoder.push(id);
            assertTrue(piece.indexOf('\uFFFD') < 0, "partial character leaked at id " + id);
            streamed.append(piece);
        }
        streamed.append(decoder.finish());
        assertEquals(text, streamed.toString());
    }

    @Test
    void streamingDecoderReplacesBytesThatNeverCompleteLikeDecode() {
        // the first byte of a 4-byte emoji, then ASCII: both decoders must agree
        byte[] emoji = "🌍".getBytes(StandardCharsets.UTF_8);
        int partial = -1;
        for (int id = 0; id < CL100K.ordinaryCount(); id++) {
            if (CL100K.contains(id) && java.util.Arrays.equals(CL100K.bytes(id), new byte[] {emoji[0]})) {
                partial = id;
            }
        }
        int[] ids = {partial, CL100K.encode("ok")[0]};
        var decoder = CL100K.streamingDecoder();
        String streamed = decoder.push(ids[0]) + decoder.push(ids[1]) + decoder.finish();
        assertEquals(CL100K.decode(ids), streamed);
        assertEquals("\uFFFDok", streamed);
    }

    @Property(tries = 400)
    void decodeInvertsEncodeOnArbitraryUnicode(@ForAll @StringLength(max = 300) String text) {
        String wellFormed = replaceLoneSurrogates(text);
        assertEquals(wellFormed, CL100K.decode(CL100K.encode(text)));
        assertEquals(wellFormed, O200K.decode(O200K.encode(text)));
    }

    private static String replaceLoneSurrogates(String text) {
        var out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(
                cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? 0xFFFD : cp));
        return out.toString();
    }
}
