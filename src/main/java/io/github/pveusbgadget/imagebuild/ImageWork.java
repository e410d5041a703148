package io.github.pveusbgadget.imagebuild;

import io.github.pveusbgadget.host.CommandRunner;
import io.github.pveusbgadget.progress.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What the steps of {@code image create} act on.
 *
 * @param log the command's output, where each step says what it made
 * @param dir the private temporary directory of this build (the dry-run script's {@code $work})
 * @param progress how a long step shows how far it has got (closed before the step prints its line to the log)
 */
public record ImageWork(CommandRunner runner, PrintWriter log, Path dir, Progress progress) {
}
