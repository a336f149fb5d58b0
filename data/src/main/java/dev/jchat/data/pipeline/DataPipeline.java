package dev.jchat.data.pipeline;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.StepStats;
import dev.jchat.data.dedup.MinhashConfig;
import dev.jchat.data.dedup.MinhashDeduplicator;
import dev.jchat.data.extract.ExtractStep;
import dev.jchat.data.filter.C4QualityFilter;
import dev.jchat.data.filter.FineWebQualityFilter;
import dev.jchat.data.filter.GopherQualityFilter;
import dev.jchat.data.filter.GopherRepetitionFilter;
import dev.jchat.data.filter.LanguageFilter;
import dev.jchat.data.filter.UrlFilter;
import dev.jchat.data.io.DocumentReader;
import dev.jchat.data.io.DocumentWriter;
import dev.jchat.data.io.JsonlDocumentReader;
import dev.jchat.data.io.WarcDocumentReader;
import dev.jchat.data.pii.PiiFormatter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FineWeb's pipeline (datatrove v0.2.0's {@code examples/fineweb.py}) on this machine, in three resumable
 * parts:
 * <ol>
 *   <li>{@code filtered}: read → URL filter → extraction (HTML inputs only) → language → Gopher repetition →
 *       Gopher quality → C4 → FineWeb quality;</li>
 *   <li>MinHash over all of {@code filtered/} (signatures → buckets → clusters), unless switched off;</li>
 *   <li>{@code documents}: drop duplicates → token count (GPT-2) → PII → the final shards.</li>
 * </ol>
 * The English-tuned quality filters run only on English documents (see {@link OnlyForLanguages}).
 * {@code filtered/} is always {@code .jsonl.zst} (MinHash and the last part read it as such); only the final
 * {@code documents/} shards take {@link Options#format()}.
 */
public final class DataPipeline {

    /**
     * @param skip steps switched off by name ({@code url}, {@code extract}, {@code language}, {@code gopher_rep},
     *             {@code gopher_qual}, {@code c4_quality}, {@code fineweb_quality}, {@code minhash}, {@code pii})
     * @param format the format of the final {@code documents/} shards
     */
    public record Options(List<Path> inputs, Path out, Set<String> languages, double languageThreshold, int workers,
                          boolean keepRemoved, Set<String> skip, String dump, DocumentWriter.Format format) {

        /** Options with {@code .jsonl.zst} output. */
        public Options(List<Path> inputs, Path out, Set<String> languages, double languageThreshold, int workers,
                       boolean keepRemoved, Set<String> skip, String dump) {
            this(inputs, out, languages, languageThreshold, workers, keepRemoved, skip, dump, DocumentWriter.Format.JSONL);
        }
    }

    /** The merged stats of each part, in order: {@code filtered}, {@code minhash}, {@code documents}. */
    public record Summary(Map<String, List<StepStats>> stats, int tasks, int tasksSkipped) {}

    private final Options options;
    private final LocalExecutor.Progress progress;

    public DataPipeline(Options options, LocalExecutor.Progress progress) {
        this.options = options;
        this.progress = progress;
    }

    public Summary run() throws IOException, InterruptedException {
        var layout = new RunLayout(options.out());
        var executor = new LocalExecutor(layout, options.workers(), options.keepRemoved(), progress);
        var stats = new LinkedHashMap<String, List<StepStats>>();

        var filtering = new Stage("filtered", options.inputs(), this::reader,
                new Stage.StepChain(filterSteps(true), filterSteps(false)), null);
        LocalExecutor.Result filtered = executor.run(filtering);
        stats.put("filtered", filtered.stats());

        List<Path> survivors = new ArrayList<>();
        for (int task = 0; task < options.inputs().size(); task++) {
            survivors.add(layout.taskOutput("filtered", task));
        }
        Stage.Removals removals = null;
        if (!options.skip().contains("minhash")) {
            var dedup = new MinhashDeduplicator(MinhashConfig.FINEWEB, layout.minhash(), options.workers());
            stats.put("minhash", minhash(dedup, survivors, layout));
            removals = new Stage.Removals() {
                @Override
                public String name() {
                    return "minhash";
                }

                @Override
                public long[] forTask(int task) throws IOException {
                    return java.util.Arrays.stream(dedup.removals(task)).asLongStream().toArray();
                }
            };
        }
        var finalSteps = new ArrayList<DocumentStep>();
        finalSteps.add(new TokenCounter());
        if (!options.skip().contains("pii")) {
            finalSteps.add(new PiiFormatter(PiiFormatter.Params.FINEWEB));
        }
        var finishing = new Stage("documents", survivors, path -> new JsonlDocumentReader(),
                new Stage.StepChain(finalSteps, finalSteps), removals);
        var finalExecutor = new LocalExecutor(layout, options.workers(), options.keepRemoved(), progress, options.format());
        LocalExecutor.Result documents = finalExecutor.run(finishing);
        stats.put("documents", documents.stats());
        StatsFile.writeRun(stats, layout.stats());
        return new Summary(stats, options.inputs().size(), filtered.tasksSkipped());
    }

    private DocumentReader reader(Path input) {
        DocumentReader reader = DocumentReader.forFile(input);
        if (reader instanceof WarcDocumentReader && options.dump() != null) {
            String name = input.getFileName().toString();
            return new WarcDocumentReader(name.contains(".wet"), WarcDocumentReader.DEFAULT_MAX_BYTES, options.dump());
        }
        return reader;
    }

    private List<DocumentStep> filterSteps(boolean html) {
        var steps = new ArrayList<DocumentStep>();
        Set<String> english = Set.of("en");
        add(steps, UrlFilter.fineweb());
        if (html) {
            add(steps, new ExtractStep());
        }
        add(steps, LanguageFilter.of(options.languages(), options.languageThreshold()));
        add(steps, new OnlyForLanguages(new GopherRepetitionFilter(), english));
        add(steps, new OnlyForLanguages(new GopherQualityFilter(), english));
        add(steps, new OnlyForLanguages(new C4QualityFilter(), english));
        add(steps, new OnlyForLanguages(new FineWebQualityFilter(), english));
        return steps;
    }

    private void add(List<DocumentStep> steps, DocumentStep step) {
        if (!options.skip().contains(step.name())) {
            steps.add(step);
        }
    }

    /** Runs the MinHash phases once; a finished run (its marker present) is not redone. */
    private List<StepStats> minhash(MinhashDeduplicator dedup, List<Path> survivors, RunLayout layout) throws IOException {
        Path done = layout.completion("minhash", 0);
        Path saved = layout.root().resolve("stats").resolve("minhash.json");
        if (Files.exists(done)) {
            return StatsFile.read(saved);
        }
        var tasks = new ArrayList<Iterable<Document>>();
        for (Path file : survivors) {
            tasks.add(JsonlDocumentReader.documents(file));
        }
        MinhashDeduplicator.Result result = dedup.run(tasks);
        List<StepStats> blocks = List.of(result.signatures(), result.buckets(), result.clusters());
        StatsFile.write(blocks, saved);
        Files.createDirectories(done.getParent());
        Files.writeString(done, "done\n");
        return blocks;
    }
}
