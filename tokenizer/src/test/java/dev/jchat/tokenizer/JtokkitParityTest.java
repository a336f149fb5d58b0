package dev.jchat.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Identical ids to jtokkit (Java tiktoken) on several MB of real multilingual text. */
class JtokkitParityTest {
    private static String corpus;

    @BeforeAll
    static void readCorpus() {
        corpus = TestCorpus.mixed(6_000_000);
        assertTrue(corpus.length() > 5_000_000, "corpus too small: " + corpus.length());
        assertTrue(corpus.contains("인권"), "corpus lacks Korean");
        assertTrue(corpus.contains("😀"), "corpus lacks emoji");
    }

    @ParameterizedTest
    @EnumSource(value = EncodingType.class, names = {"R50K_BASE", "P50K_BASE", "CL100K_BASE", "O200K_BASE"})
    void sameIdsAsJtokkitOnRealText(EncodingType type) {
        Encoding peer = Encodings.newDefaultEncodingRegistry().getEncoding(type);
        Tokenizer ours = Tokenizer.load(type.getName());
        List<String> chunks = chunks(type == EncodingType.CL100K_BASE || type == EncodingType.O200K_BASE
                ? corpus : corpus.substring(0, 1_500_000));
        long tokens = 0;
        for (String chunk : chunks) {
            int[] expected = peer.encodeOrdinary(chunk).toArray();
            int[] actual = ours.encode(chunk);
            if (!java.util.Arrays.equals(expected, actual)) {
                assertArrayEquals(expected, actual, "first difference in chunk: " + firstDifference(chunk, ours, peer));
            }
            tokens += actual.length;
            assertEquals(chunk, ours.decode(actual));
        }
        assertTrue(tokens > 100_000, "too few tokens compared: " + tokens);
    }

    /** Lines grouped into chunks of ~64 KB, so that a difference is reported near where it happens. */
    private static List<String> chunks(String text) {
        var chunks = new ArrayList<String>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + 65_536);
            int newline = text.indexOf('\n', end);
            end = newline < 0 ? text.length() : newline + 1;
            chunks.add(text.substring(start, end));
            start = end;
        }
        return chunks;
    }

    private static String firstDifference(String chunk, Tokenizer ours, Encoding peer) {
        for (String line : chunk.split("(?<=\n)")) {
            if (!java.util.Arrays.equals(peer.encodeOrdinary(line).toArray(), ours.encode(line))) {
                return line.length() > 300 ? line.substring(0, 300) + "…" : line;
            }
        }
        return "(only across lines)";
    }
}
