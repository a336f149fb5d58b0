package dev.jchat.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The 313 expected encodings of gpt-tokenizer's TestPlans.txt, for all five OpenAI encodings. */
class TestPlansTest {

    record Plan(int line, String encoding, String sample, int[] expected) {}

    static List<Plan> plans() throws IOException {
        List<String> lines = Files.readAllLines(SharedData.path("tokenizer/TestPlans.txt"), StandardCharsets.UTF_8);
        var plans = new ArrayList<Plan>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("EncodingName: ")) {
                continue;
            }
            String encoding = lines.get(i).substring("EncodingName: ".length()).strip();
            String sample = lines.get(i + 1).substring("Sample: ".length());
            String encoded = lines.get(i + 2).substring("Encoded: ".length()).replaceAll("[\\[\\] ]", "");
            int[] expected = encoded.isEmpty() ? new int[0]
                    : Arrays.stream(encoded.split(",")).mapToInt(Integer::parseInt).toArray();
            plans.add(new Plan(i + 1, encoding, sample, expected));
        }
        return plans;
    }

    @Test
    void allPlansAreRead() throws IOException {
        assertEquals(313, plans().size());
    }

    @TestFactory
    Stream<DynamicTest> everyPlanEncodesAndDecodesExactly() throws IOException {
        return plans().stream().map(plan -> DynamicTest.dynamicTest(
                plan.encoding() + " line " + plan.line() + ": " + plan.sample(), () -> {
                    Tokenizer tokenizer = Tokenizer.load(plan.encoding());
                    assertArrayEquals(plan.expected(), tokenizer.encode(plan.sample()));
                    assertEquals(plan.sample(), tokenizer.decode(plan.expected()));
                }));
    }
}
