package dev.jchat.cli;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Input arguments to files: a file as is, a directory's files recursively, a glob's matches; sorted. */
final class InputPaths {
    private InputPaths() {}

    static List<Path> expand(List<String> arguments) throws IOException {
        var files = new ArrayList<Path>();
        for (String argument : arguments) {
            var found = new TreeSet<Path>();
            if (argument.contains("*") || argument.contains("?") || argument.contains("[")) {
                int wildcard = argument.replaceAll("[*?\\[].*$", "").lastIndexOf('/');
                Path base = Path.of(wildcard < 0 ? "." : argument.substring(0, wildcard + 1));
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + argument);
                try (Stream<Path> walk = Files.walk(base)) {
                    walk.filter(Files::isRegularFile)
                            .filter(p -> matcher.matches(wildcard < 0 ? base.relativize(p) : p))
                            .forEach(found::add);
                }
            } else if (Files.isDirectory(Path.of(argument))) {
                try (Stream<Path> walk = Files.walk(Path.of(argument))) {
                    walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                            .forEach(found::add);
                }
            } else if (Files.isRegularFile(Path.of(argument))) {
                found.add(Path.of(argument));
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("--input " + argument + ": no such file, or nothing matches");
            }
            files.addAll(found);
        }
        return files;
    }
}
