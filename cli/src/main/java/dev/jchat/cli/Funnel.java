package dev.jchat.cli;

import dev.jchat.data.StepStats;
import java.util.List;
import java.util.Map;

/** The table {@code jchat data stats} prints: per part and step, documents in, out, dropped, and why. */
final class Funnel {
    private Funnel() {}

    static String render(Map<String, List<StepStats>> parts) {
        var table = new StringBuilder();
        table.append("%-28s %10s %10s %10s %8s  %s%n".formatted("step", "in", "out", "dropped", "time s", "reasons"));
        parts.forEach((part, blocks) -> {
            for (StepStats block : blocks) {
                String name = part + "/" + block.name();
                long in;
                long out;
                long dropped;
                if (block.name().equals("reader")) {
                    in = block.count("records") > 0 ? block.count("records") : block.count("documents");
                    out = block.count("documents");
                    dropped = in - out;
                } else if (block.name().equals("writer")) {
                    in = block.count("total");
                    out = in;
                    dropped = 0;
                } else if (block.count("total") > 0 || block.count("dropped") > 0) {
                    in = block.count("total");
                    out = block.count("forwarded");
                    dropped = block.count("dropped");
                } else {
                    table.append("%-28s %s%n".formatted(name, block.counts()));
                    continue;
                }
                table.append("%-28s %10d %10d %10d %8.1f  %s%n".formatted(name, in, out, dropped, block.nanos() / 1e9,
                        DataCommand.joinReasons(block)));
            }
        });
        return table.toString();
    }
}
