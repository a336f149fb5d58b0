package dev.jchat.data.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four phases end to end: planted near-duplicates (one article re-published with other dates, an ad
 * line, another footer) collapse to their first copy, while ~200 distinct paragraphs of real English (the
 * licence texts Debian ships in /usr/share/common-licenses) all survive; results are the same across runs,
 * worker counts, task splits, spilling, and the two NLTK tokenizer ports.
 */
class MinhashDeduplicatorTest {
    private static final Path LICENSES = Path.of("/usr/share/common-licenses");

    /** Every document in global order; ids are "distinct-N", "dup-G-V" and "short-N". */
    private static List<Document> corpus;
    /** Planted groups: id of every member, by group, in global order. */
    private static Map<Integer, List<String>> groups;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildCorpus() throws IOException {
        List<String> distinct = distinctParagraphs();
        assumeTrue(distinct.size() >= 200, "needs /usr/share/common-licenses (Debian's licence texts)");
        corpus = new ArrayList<>();
        groups = new TreeMap<>();
        List<List<String>> variants = new ArrayList<>();
        for (int g = 0; g < ARTICLES.length; g++) {
            variants.add(variants(ARTICLES[g]));
        }
        int d = 0;
        int shorts = 0;
        int[] nextVariant = new int[ARTICLES.length];
        for (int i = 0; d < distinct.size(); i++) {
            if (i % 13 == 5) {
                int g = (i / 13) % ARTICLES.length;
                if (nextVariant[g] < variants.get(g).size()) {
                    String id = "dup-" + g + "-" + nextVariant[g];
                    corpus.add(new Document(variants.get(g).get(nextVariant[g]++), id));
                    groups.computeIfAbsent(g, k -> new ArrayList<>()).add(id);
                    continue;
                }
            }
            if (i % 17 == 3) {
                // identical short documents: fewer than 5 tokens, so no signature, never removed
                corpus.add(new Document(SHORT[shorts % SHORT.length], "short-" + shorts++));
                continue;
            }
            corpus.add(new Document(distinct.get(d), "distinct-" + d++));
        }
        for (int g = 0; g < ARTICLES.length; g++) {
            assertEquals(variants.get(g).size(), nextVariant[g], "all variants placed");
        }
    }

    @Test
    void removesAllButTheFirstCopyOfEachPlantedArticle() throws IOException {
        var dedup = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("w"), 2);
        List<List<Document>> tasks = split(corpus, 4);
        var result = dedup.run(tasks);
        Set<String> kept = kept(dedup, tasks);

        for (var group : groups.values()) {
            assertTrue(kept.contains(group.get(0)), "first copy kept: " + group.get(0));
            for (String id : group.subList(1, group.size())) {
                assertTrue(!kept.contains(id), "near-duplicate removed: " + id);
            }
        }
        for (Document doc : corpus) {
            if (!doc.id().startsWith("dup-")) {
                assertTrue(kept.contains(doc.id()), "survives: " + doc.id());
            }
        }
        int planted = groups.values().stream().mapToInt(List::size).sum();
        assertEquals(corpus.size() - planted + groups.size(), kept.size());

        StepStats clusters = result.clusters();
        assertEquals(groups.size(), clusters.count("clusters"));
        assertEquals(planted, clusters.count("duplicates"));
        assertEquals(planted - groups.size(), clusters.count("to_remove"));
        assertEquals((double) planted / groups.size(), clusters.values().get("cluster_size").mean(), 1e-9);
        assertTrue(result.buckets().count("total_matches") >= planted - groups.size());
        assertEquals(corpus.size(), result.signatures().count("total"));
    }

    @Test
    void identicalAcrossRunsWorkersSpillingAndTokenizers() throws IOException {
        List<List<Document>> tasks = split(corpus, 3);
        var one = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("a"), 1);
        var two = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("b"), 2);
        var spilling = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("c"), 2)
                .withMaxRecordsInMemory(14 * 25); // a sorted run every 25 documents
        var fastTokenizer = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("d"), 2)
                .withTokenizer(new NormalizedWordTokenizer());
        one.run(tasks);
        Map<String, byte[]> first = files(tmp.resolve("a"));
        one.run(tasks); // again, over its own previous output
        two.run(tasks);
        spilling.run(tasks);
        fastTokenizer.run(tasks);
        assertSameFiles(first, files(tmp.resolve("a")));
        assertSameFiles(first, files(tmp.resolve("b")));
        assertSameFiles(first, files(tmp.resolve("c")));
        assertSameFiles(first, files(tmp.resolve("d")));
        assertTrue(first.keySet().stream().anyMatch(k -> k.endsWith(".remove")));
    }

    @Test
    void sameDocumentsSurviveHoweverTheInputIsSplit() throws IOException {
        Set<String> reference = null;
        for (int parts : new int[] {1, 2, 5, 11}) {
            var dedup = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("split" + parts), 2);
            List<List<Document>> tasks = split(corpus, parts);
            dedup.run(tasks);
            Set<String> kept = kept(dedup, tasks);
            if (reference == null) {
                reference = kept;
            } else {
                assertEquals(reference, kept, parts + " tasks");
            }
        }
    }

    @Test
    void shortDocumentsAreNeverRemoved() throws IOException {
        var docs = new ArrayList<Document>();
        for (int i = 0; i < 20; i++) {
            docs.add(new Document("Only four words here.", "four-" + i));
            docs.add(new Document("", "empty-" + i));
            docs.add(new Document("one two three four five", "five-" + i)); // exactly 5 tokens: a signature
        }
        var dedup = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("short"), 1);
        List<List<Document>> tasks = List.of(docs);
        dedup.run(tasks);
        Set<String> kept = kept(dedup, tasks);
        for (int i = 0; i < 20; i++) {
            assertTrue(kept.contains("four-" + i));
            assertTrue(kept.contains("empty-" + i));
        }
        assertTrue(kept.contains("five-0"));
        assertEquals(41, kept.size(), "of the 5-token copies only the first is kept");
    }

    @Test
    void filterCountsAndHandsBackRemovedDocuments() throws IOException {
        var dedup = new MinhashDeduplicator(MinhashConfig.FINEWEB, tmp.resolve("f"), 1);
        List<List<Document>> tasks = split(corpus, 2);
        dedup.run(tasks);
        var stats = new StepStats("minhash_filter");
        var removed = new ArrayList<Document>();
        int keptCount = 0;
        for (int t = 0; t < tasks.size(); t++) {
            for (Document ignored : dedup.filter(t, tasks.get(t), stats, removed::add)) {
                keptCount++;
            }
        }
        assertEquals(corpus.size(), stats.count("total"));
        assertEquals(keptCount, stats.count("forwarded"));
        assertEquals(removed.size(), stats.count("dropped"));
        assertTrue(removed.stream().allMatch(d -> d.id().startsWith("dup-")));
        int removals = dedup.removals(0).length + dedup.removals(1).length;
        assertEquals(removed.size(), removals);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static Set<String> kept(MinhashDeduplicator dedup, List<List<Document>> tasks) {
        var kept = new HashSet<String>();
        for (int t = 0; t < tasks.size(); t++) {
            for (Document d : dedup.filter(t, tasks.get(t), new StepStats("minhash_filter"), null)) {
                kept.add(d.id());
            }
        }
        return kept;
    }

    /** Consecutive, unequal shards (the last ones one longer), as a reader sharding files would give. */
    static List<List<Document>> split(List<Document> docs, int parts) {
        var out = new ArrayList<List<Document>>();
        int base = docs.size() / parts;
        int extra = docs.size() % parts;
        int from = 0;
        for (int p = 0; p < parts; p++) {
            int size = base + (p >= parts - extra ? 1 : 0);
            out.add(List.copyOf(docs.subList(from, from + size)));
            from += size;
        }
        return out;
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        var out = new TreeMap<String, byte[]>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name));
    }

    /** Paragraphs of at least 40 words, each sharing under 20% of its 5-gram shingles with every other kept. */
    static List<String> distinctParagraphs() throws IOException {
        var out = new ArrayList<String>();
        if (!Files.isDirectory(LICENSES)) {
            return out;
        }
        var tokenizer = new NormalizedWordTokenizer();
        var chosen = new ArrayList<Set<String>>();
        List<Path> files;
        try (Stream<Path> list = Files.list(LICENSES)) {
            files = list.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p)).sorted().toList();
        }
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
            for (String paragraph : text.split("\\n\\s*\\n")) {
                List<String> words = tokenizer.apply(MinhashNormalization.V0_2_0.apply(paragraph));
                if (words.size() < 40) {
                    continue;
                }
                var shingles = new HashSet<String>();
                for (int i = 0; i + 5 <= words.size(); i++) {
                    shingles.add(String.join(" ", words.subList(i, i + 5)));
                }
                if (chosen.stream().allMatch(other -> jaccard(shingles, other) < 0.2)) {
                    chosen.add(shingles);
                    out.add(paragraph.strip());
                }
            }
        }
        return out;
    }

    static double jaccard(Set<String> x, Set<String> y) {
        int common = 0;
        for (String s : x) {
            if (y.contains(s)) {
                common++;
            }
        }
        return (double) common / (x.size() + y.size() - common);
    }

    private static final String[] SHORT = {"Click here", "Read more about it", "Home | About | Contact"};

    /** A re-published article: other dates, an ad line in the middle, other footers, and combinations. */
    static List<String> variants(String article) {
        String[] paragraphs = article.split("\n\n");
        String body = String.join("\n\n", paragraphs);
        String withAd = paragraphs[0] + "\n\n" + paragraphs[1]
                + "\n\nAdvertisement: subscribe today and get your first three months of unlimited access for free.\n\n"
                + String.join("\n\n", java.util.Arrays.copyOfRange(paragraphs, 2, paragraphs.length));
        var out = new ArrayList<String>();
        out.add("Published March 3, 2021 at 9:15 am\n\n" + body
                + "\n\nCopyright 2021 The Valley Courier. All rights reserved.");
        out.add("Updated July 14, 2023, 18:02\n\n" + body
                + "\n\nCopyright 2021 The Valley Courier. All rights reserved.");
        out.add("Published March 3, 2021 at 9:15 am\n\n" + withAd
                + "\n\nCopyright 2021 The Valley Courier. All rights reserved.");
        out.add("Published March 3, 2021 at 9:15 am\n\n" + body
                + "\n\nShare this story on social media. Follow Metro News Network for more local coverage.");
        out.add("Posted on Monday, 5 September 2022\n\n" + withAd
                + "\n\nShare this story on social media. Follow Metro News Network for more local coverage.");
        return out;
    }

    private static final String[] ARTICLES = {
        """
        The city council voted on Tuesday evening to approve a new plan for the riverside park, ending a debate \
        that had divided residents for almost two years. The plan keeps the old oak trees along the water and \
        adds a walking path that will connect the library with the market square.

        Supporters said the park would give families a safe place to spend their weekends, while critics worried \
        about the cost of maintenance and the loss of parking spaces near the bridge. The mayor promised that no \
        new taxes would be needed, because most of the money will come from a regional grant.

        Construction is expected to begin in the spring and to last about eighteen months. During that time the \
        northern entrance will be closed, and visitors are asked to use the gate on Mill Street. The council will \
        publish a detailed schedule on its website and hold an open meeting for questions next month.

        Local businesses near the river have mixed feelings. The owner of a small bakery said she hoped the new \
        path would bring more customers, but she added that months of noise and dust could hurt her shop before \
        any benefit arrives.""",
        """
        Researchers at the university have found that honey bees can learn to recognise simple patterns after only \
        a few hours of training. In a series of experiments, the bees were rewarded with sugar water whenever they \
        chose a card with a particular shape, and they quickly began to prefer that card over others.

        The team then changed the colours and sizes of the shapes to test whether the insects had learned the \
        pattern itself or only a single feature. Most bees still chose the correct card, which suggests that their \
        small brains can form surprisingly general rules about the world around them.

        The findings could help engineers design simpler control systems for small flying robots, according to \
        the lead author of the study. She cautioned, however, that the experiments were done in a laboratory and \
        that wild bees face many distractions that could change their behaviour in the field.

        The next stage of the project will follow bees outside, using tiny radio tags to record where they fly and \
        which flowers they visit over the course of a whole summer season.""",
        """
        The old railway line between the two valley towns will reopen next year after a long campaign by local \
        volunteers, the regional transport authority announced. Trains stopped running on the line more than \
        thirty years ago, and since then the tracks have been overgrown by grass and small trees.

        Volunteers spent many weekends clearing the route, repairing fences and restoring the small station \
        buildings, which had been used as storage sheds by nearby farms. Their work convinced the authority that \
        the line could be brought back into service for a fraction of the cost of building a new road.

        At first the trains will run only on weekends and during school holidays, carrying tourists and cyclists \
        who want to explore the hills. If enough passengers use the service, the authority plans to add weekday \
        trains for commuters who currently drive to work in the larger town.

        Not everyone is pleased. Some residents who live close to the tracks fear noise at night, and a group of \
        walkers has asked that the footpath which now follows the old line be kept open beside the rails.""",
    };
}
