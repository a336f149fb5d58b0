package dev.jchat.data.pipeline;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.StepStats;
import dev.jchat.data.dedup.MinhashConfig;
import dev.jchat.data.dedup.MinhashDeduplicator;
import dev.jchat.data.extract.ExtractStep;
import dev.jchat.data.extract.HtmlExtractor;
import dev.jchat.data.filter.C4QualityFilter;
import dev.jchat.data.filter.FineWebQualityFilter;
import dev.jchat.data.filter.GopherQualityFilter;
import dev.jchat.data.filter.GopherRepetitionFilter;
import dev.jchat.data.filter.LanguageFilter;
import dev.jchat.data.filter.UrlFilter;
import dev.jchat.data.filter.UrlLists;
import dev.jchat.data.io.DocumentReader;
import dev.jchat.data.io.DocumentWriter;
import dev.jchat.data.io.JsonlDocumentReader;
import dev.jchat.data.io.WarcDocumentReader;
import dev.jchat.data.pii.PiiFormatter;
import dev.jchat.data.text.SentenceSplitter;
import dev.jchat.data.text.WordTokenizer;
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
     * @param settings per-step parameters over FineWeb's defaults
     */
    public record Options(List<Path> inputs, Path out, Set<String> languages, double languageThreshold, int workers,
                          boolean keepRemoved, Set<String> skip, String dump, DocumentWriter.Format format,
                          StepSettings settings) {

        /** Options with {@code .jsonl.zst} output and FineWeb's parameters. */
        public Options(List<Path> inputs, Path out, Set<String> languages, double languageThreshold, int workers,
                       boolean keepRemoved, Set<String> skip, String dump) {
            this(inputs, out, languages, languageThreshold, workers, keepRemoved, skip, dump, DocumentWriter.Format.JSONL,
                    StepSettings.NONE);
        }
    }

    /** The steps that take settings, in pipeline order. */
    public static final List<String> STEPS = List.of("url", "extract", "language", "gopher_rep", "gopher_qual",
            "c4_quality", "fineweb_quality", "minhash", "pii");

    /** The merged stats of each part, in order: {@code filtered}, {@code minhash}, {@code documents}. */
    public record Summary(Map<String, List<StepStats>> stats, int tasks, int tasksSkipped) {}

    private final Options options;
    private final LocalExecutor.Progress progress;

    private final DocumentStep urlFilter;
    private final HtmlExtractor.Options extraction;
    private final GopherRepetitionFilter.Params gopherRepetition;
    private final GopherQualityFilter.Params gopherQuality;
    private final C4QualityFilter.Params c4Quality;
    private final FineWebQualityFilter.Params finewebQuality;
    private final MinhashConfig minhashConfig;
    private final PiiFormatter.Params pii;

    /** Reads every step's settings up front, so a bad setting fails before any input is read. */
    public DataPipeline(Options options, LocalExecutor.Progress progress) throws IOException {
        this.options = options;
        this.progress = progress;
        StepSettings settings = options.settings();
        for (String step : settings.steps()) {
            if (!STEPS.contains(step)) {
                throw new IllegalArgumentException("settings for '" + step + "': no such step (known: "
                        + String.join(", ", STEPS) + ")");
            }
        }
        var none = Set.<String>of();
        var preset = Set.of("preset");
        urlFilter = urlFilter(settings);
        extraction = settings.apply("extract", HtmlExtractor.Options.defaults(), none);
        gopherRepetition = settings.apply("gopher_rep", switch (settings.preset("gopher_rep", "fineweb")) {
            case "fineweb" -> GopherRepetitionFilter.Params.fineweb();
            case "head" -> GopherRepetitionFilter.Params.head();
            default -> throw unknownPreset("gopher_rep", "fineweb, head");
        }, preset);
        gopherQuality = settings.apply("gopher_qual", switch (settings.preset("gopher_qual", "fineweb")) {
            case "fineweb" -> GopherQualityFilter.Params.fineweb();
            case "head" -> GopherQualityFilter.Params.head();
            default -> throw unknownPreset("gopher_qual", "fineweb, head");
        }, preset);
        c4Quality = settings.apply("c4_quality", switch (settings.preset("c4_quality", "fineweb")) {
            case "fineweb" -> C4QualityFilter.Params.fineweb();
            case "c4" -> C4QualityFilter.Params.c4();
            default -> throw unknownPreset("c4_quality", "fineweb, c4");
        }, preset);
        finewebQuality = settings.apply("fineweb_quality", switch (settings.preset("fineweb_quality", "fineweb")) {
            case "fineweb" -> FineWebQualityFilter.Params.fineweb();
            case "head" -> FineWebQualityFilter.Params.head();
            default -> throw unknownPreset("fineweb_quality", "fineweb, head");
        }, preset);
        minhashConfig = settings.apply("minhash", MinhashConfig.FINEWEB, none);
        pii = settings.apply("pii", PiiFormatter.Params.FINEWEB, none);
        if (settings.raw("language", "threshold") != null || settings.raw("language", "languages") != null) {
            throw new IllegalArgumentException("language settings are 'languages' and 'language_threshold' (or "
                    + "--languages, --language-threshold)");
        }
    }

    private static IllegalArgumentException unknownPreset(String step, String known) {
        return new IllegalArgumentException(step + ".preset: unknown preset (known: " + known + ")");
    }

    /** FineWeb's URL filter; {@code url.blocklists} adds a UT1-layout folder ({@code url.categories}: which ones). */
    private static DocumentStep urlFilter(StepSettings settings) throws IOException {
        var extra = Set.of("blocklists", "categories");
        UrlFilter.Params params = settings.apply("url", UrlFilter.Params.FINEWEB, extra);
        UrlLists lists = UrlLists.bundled();
        String folder = settings.raw("url", "blocklists");
        if (folder != null) {
            Path root = Path.of(folder);
            String categories = settings.raw("url", "categories");
            List<String> chosen = categories == null ? UrlLists.ut1Categories(root)
                    : java.util.Arrays.stream(categories.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList();
            if (chosen.isEmpty()) {
                throw new IOException("url.blocklists: no UT1 categories (<category>/domains or urls) in " + root);
            }
            lists = lists.plus(UrlLists.ut1(root, chosen));
        } else if (settings.raw("url", "categories") != null) {
            throw new IllegalArgumentException("url.categories needs url.blocklists (a UT1-layout folder)");
        }
        return new UrlFilter(lists, params);
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
            var dedup = new MinhashDeduplicator(minhashConfig, layout.minhash(), options.workers());
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
            finalSteps.add(new PiiFormatter(pii));
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
        add(steps, urlFilter);
        if (html) {
            add(steps, new ExtractStep(new HtmlExtractor(extraction)));
        }
        add(steps, LanguageFilter.of(options.languages(), options.languageThreshold()));
        add(steps, new OnlyForLanguages(new GopherRepetitionFilter(gopherRepetition, WordTokenizer.english()), english));
        add(steps, new OnlyForLanguages(new GopherQualityFilter(gopherQuality, WordTokenizer.english()), english));
        add(steps, new OnlyForLanguages(new C4QualityFilter(c4Quality, SentenceSplitter.english()), english));
        add(steps, new OnlyForLanguages(new FineWebQualityFilter(finewebQuality, WordTokenizer.english()), english));
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
