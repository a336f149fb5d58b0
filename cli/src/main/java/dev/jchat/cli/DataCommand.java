package dev.jchat.cli;

import dev.jchat.data.StepStats;
import dev.jchat.data.filter.LanguageFilter;
import dev.jchat.data.io.DocumentWriter;
import dev.jchat.data.pipeline.DataPipeline;
import dev.jchat.data.pipeline.StatsFile;
import dev.jchat.data.pipeline.StepSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jchat data}: web pages (or text) to clean, deduplicated documents, FineWeb's way. */
@Command(name = "data", mixinStandardHelpOptions = true, subcommands = DataCommand.Stats.class,
        description = {"Run the FineWeb pipeline: URL filter, main-content extraction, language ID, Gopher, C4 and "
                + "FineWeb quality filters, MinHash dedup, token count and PII removal.",
                "Inputs: WARC/WET (.warc.gz), JSONL with a \"text\" field, .html and .txt files (optionally .gz/.zst), "
                        + "directories and globs. Writes OUT/documents/*.jsonl.zst (or *.parquet, FineWeb's schema) and "
                        + "OUT/stats.json; rerun the same command to resume after a crash."})
final class DataCommand implements Callable<Integer> {

    @Option(names = "--input", arity = "1..*", paramLabel = "PATH", description = "files, directories or globs")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (e.g. runs/NAME/data)")
    Path out;

    @Option(names = "--languages", split = ",", paramLabel = "CODES", description = "languages to keep (default: en)")
    Set<String> languages;

    @Option(names = "--language-threshold", paramLabel = "P",
            description = "minimum fastText lid.176 probability (default: 0.65, FineWeb's)")
    Double languageThreshold;

    @Option(names = "--workers", paramLabel = "N", description = "parallel tasks (default: cores)")
    Integer workers;

    @Option(names = "--no-dedup", description = "skip MinHash deduplication")
    boolean noDedup;

    @Option(names = "--keep-removed", description = "write dropped documents to OUT/removed/<step>/ with their reason")
    boolean keepRemoved;

    @Option(names = "--skip", split = ",", paramLabel = "STEPS",
            description = "switch steps off: url, extract, language, gopher_rep, gopher_qual, c4_quality, "
                    + "fineweb_quality, minhash, pii")
    Set<String> skip = new LinkedHashSet<>();

    @Option(names = "--dump", paramLabel = "NAME", description = "the 'dump' field of documents from WARC files")
    String dump;

    @Option(names = "--format", paramLabel = "jsonl|parquet",
            description = "format of OUT/documents/ (default: jsonl, as .jsonl.zst)")
    String format;

    @Option(names = "--config", paramLabel = "FILE", description = {"a properties file with any of: languages, "
            + "language_threshold, workers, skip, dump, keep_removed, format, and per-step parameters as "
            + "<step>.<parameter> = value (command-line options win)", "e.g. gopher_qual.min_doc_words = 100, "
            + "c4_quality.preset = c4, minhash.num_buckets = 20, url.blocklists = /data/ut1"})
    Path config;

    @Option(names = "--set", paramLabel = "STEP.PARAM=VALUE", description = "a per-step parameter over the config "
            + "file and FineWeb's defaults (repeatable); a wrong name lists the step's parameters")
    Map<String, String> set = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (inputs.isEmpty() || out == null) {
            throw new IllegalArgumentException("jchat data needs --input and --out (or a subcommand: stats)");
        }
        Properties settings = settings();
        DocumentWriter.Format outputFormat = DocumentWriter.Format.named(
                format != null ? format : settings.getProperty("format", "jsonl"));
        var options = new DataPipeline.Options(
                InputPaths.expand(inputs),
                out,
                languages != null ? languages : Set.of(settings.getProperty("languages", "en").split(",")),
                languageThreshold != null ? languageThreshold
                        : Double.parseDouble(settings.getProperty("language_threshold", "" + LanguageFilter.DEFAULT_THRESHOLD)),
                workers != null ? workers : Integer.parseInt(settings.getProperty("workers",
                        "" + Runtime.getRuntime().availableProcessors())),
                keepRemoved || Boolean.parseBoolean(settings.getProperty("keep_removed", "false")),
                skipped(settings),
                dump != null ? dump : settings.getProperty("dump"),
                outputFormat,
                stepSettings(settings));
        System.err.printf("jchat: data pipeline on %d input file(s) -> %s%n", options.inputs().size(), out);
        var bars = new java.util.concurrent.ConcurrentHashMap<String, ProgressBar>();
        DataPipeline.Summary summary = new DataPipeline(options, (stage, tasksDone, tasks, documents, bytesDone, bytesTotal) -> {
            ProgressBar bar = bars.computeIfAbsent(stage, s -> new ProgressBar(String.format("%-9s", s), bytesTotal, "MB", 1e6));
            bar.update(bytesDone, bytesTotal, documents + " docs, " + tasksDone + "/" + tasks + " files");
        }).run();
        bars.values().forEach(ProgressBar::close);
        System.out.print(Funnel.render(summary.stats()));
        System.err.println("jchat: wrote " + out.resolve("documents") + " and " + out.resolve("stats.json"));
        return 0;
    }

    private Properties settings() throws IOException {
        var settings = new Properties();
        if (config != null) {
            try (Reader in = Files.newBufferedReader(config)) {
                settings.load(in);
            }
            var known = Set.of("languages", "language_threshold", "workers", "skip", "dump", "keep_removed", "format");
            for (String key : settings.stringPropertyNames()) {
                if (!key.contains(".") && !known.contains(key)) {
                    throw new IllegalArgumentException(config + ": unknown setting '" + key + "' (known: " + known
                            + ", or <step>.<parameter> for one of " + DataPipeline.STEPS + ")");
                }
            }
        }
        return settings;
    }

    /** The config file's {@code step.parameter} entries, then {@code --set} over them. */
    private StepSettings stepSettings(Properties settings) {
        var perStep = new java.util.TreeMap<String, String>();
        settings.stringPropertyNames().stream().filter(key -> key.contains("."))
                .forEach(key -> perStep.put(key, settings.getProperty(key)));
        perStep.putAll(set);
        return StepSettings.of(perStep, config != null ? config + " / --set" : "--set");
    }

    private Set<String> skipped(Properties settings) {
        var all = new LinkedHashSet<>(skip);
        Arrays.stream(settings.getProperty("skip", "").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .forEach(all::add);
        if (noDedup) {
            all.add("minhash");
        }
        for (String step : all) {
            if (!DataPipeline.STEPS.contains(step)) {
                throw new IllegalArgumentException("--skip " + step + ": no such step (known: " + DataPipeline.STEPS + ")");
            }
        }
        return all;
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Print the funnel of a data run: documents in and out of every step, and why they were dropped.")
    static final class Stats implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the --out directory of a data run (or its stats.json)")
        Path dir;

        @Override
        public Integer call() throws IOException {
            Path file = Files.isDirectory(dir) ? dir.resolve("stats.json") : dir;
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(file + " does not exist: is " + dir + " the --out of a finished data run?");
            }
            Map<String, List<StepStats>> parts = StatsFile.readRun(file);
            System.out.print(Funnel.render(parts));
            return 0;
        }
    }

    static String joinReasons(StepStats block) {
        return block.counts().entrySet().stream()
                .filter(e -> e.getKey().startsWith("dropped_") || e.getKey().startsWith("skipped_"))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .map(e -> e.getKey().replaceFirst("^(dropped|skipped)_", "") + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
