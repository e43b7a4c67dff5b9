package io.pandashop.pipeline.testsupport;

import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Copying and deleting folder trees, for tests that lay files out the way an image or a clone has them. */
public final class FileTrees {

    private FileTrees() {
    }

    /** Copies what is in {@code from} into {@code to}, folders included. */
    public static void copy(Path from, Path to, CopyOption... options) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, options);
                }
            }
        }
    }

    /** Deletes {@code dir} and everything under it. */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
