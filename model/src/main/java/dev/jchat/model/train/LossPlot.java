package dev.jchat.model.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/** The loss curve as a small self-contained SVG: training loss per step as a line, validation loss as dots. */
public final class LossPlot {

    /** A point of a curve. */
    public record Point(double step, double loss) {}

    private static final int WIDTH = 720;
    private static final int HEIGHT = 400;
    private static final int MARGIN = 56;

    private LossPlot() {}

    public static void write(Path file, String title, List<Point> train, List<Point> val) throws IOException {
        double maxStep = 1;
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (List<Point> curve : List.of(train, val)) {
            for (Point p : curve) {
                maxStep = Math.max(maxStep, p.step());
                low = Math.min(low, p.loss());
                high = Math.max(high, p.loss());
            }
        }
        if (!(high > low)) {
            low = Double.isFinite(low) ? low - 0.5 : 0;
            high = low + 1;
        }
        var svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n", MARGIN, escape(title)));
        var frame = new Frame(maxStep, low, high);
        for (int i = 0; i <= 4; i++) {
            double loss = low + (high - low) * i / 4;
            double y = frame.y(loss);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", MARGIN, WIDTH - MARGIN / 2, y, y,
                    MARGIN - 6, y + 4, loss));
            double step = maxStep * i / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n",
                    frame.x(step), HEIGHT - MARGIN + 18, step));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
                WIDTH / 2, HEIGHT - 12));
        if (!train.isEmpty()) {
            svg.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
            for (Point p : train) {
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", frame.x(p.step()), frame.y(p.loss())));
            }
            svg.append("\"/>\n");
        }
        for (Point p : val) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#d62728\"/>%n",
                    frame.x(p.step()), frame.y(p.loss())));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"40\" fill=\"#1f77b4\">train loss</text>"
                + "<text x=\"%d\" y=\"40\" fill=\"#d62728\">val loss</text>%n", WIDTH - 200, WIDTH - 110));
        svg.append("</svg>\n");
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, svg);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private record Frame(double maxStep, double low, double high) {
        double x(double step) {
            return MARGIN + (WIDTH - 1.5 * MARGIN) * step / maxStep;
        }

        double y(double loss) {
            return HEIGHT - MARGIN - (HEIGHT - 1.5 * MARGIN) * (loss - low) / (high - low);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
