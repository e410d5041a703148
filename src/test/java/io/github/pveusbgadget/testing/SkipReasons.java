package io.github.pveusbgadget.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints every skipped test and why on the console, where someone running {@code mvn -B verify} sees it (surefire
 * only counts skips and keeps the reason in {@code target/surefire-reports}). Registered for all tests through
 * {@code META-INF/services} and {@code junit-platform.properties}.
 */
public final class SkipReasons implements TestWatcher {

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        print(context, cause == null ? null : cause.getMessage());
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        print(context, reason.orElse(null));
    }

    private static void print(ExtensionContext context, String reason) {
        String why = reason == null ? "no reason given" : reason.replaceFirst("^Assumption failed: ", "")
                .replaceFirst("^SKIPPED: ", "");
        String test = context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName()
                .replaceFirst("\\(\\)$", "");
        System.out.println("[SKIPPED] " + test + ": " + why);
    }
}
