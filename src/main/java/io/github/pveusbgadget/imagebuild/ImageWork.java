package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.host.CommandRunner;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What the steps of {@code image create} act on.
 *
 * @param log the command's output, where each step says what it made
 * @param dir the private temporary directory of this build (the dry-run script's {@code $work})
 */
public record ImageWork(CommandRunner runner, PrintWriter log, Path dir) {
}
