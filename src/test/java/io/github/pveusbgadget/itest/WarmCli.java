package io.github.pveusbgadget.itest;

import io.github.pveusbgadget.cli.Application;
import io.github.pveusbgadget.cli.Environment;
import io.github.pveusbgadget.plan.FaultInjector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The command line in one long-lived JVM, for the real-kernel suite (itest): a scenario that runs the tool dozens
 * of times, such as a fault at every step of {@code up} and {@code down}, would otherwise pay a JVM start under
 * emulation for each run. It is {@link Application#run} on the real host ({@link Environment#system()}), exactly
 * what the jar's main runs, without the process around it; runs that need a process of their own (a kill, parallel
 * hooks racing for the lock) stay processes.
 *
 * <p>Protocol: each line read from standard input is {@code FAULT ARG...} ({@code FAULT} is a
 * {@code PVE_USB_GADGET_FAULT} value, or {@code -} for none); the run's output follows on standard output, then a
 * line {@code WARMCLI-EXIT <code>}. Arguments are separated by single spaces and cannot contain one.
 */
public final class WarmCli {
    private WarmCli() {
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out, true);
        Environment host = Environment.system();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.strip().split(" ");
            if (words.length < 2) {
                out.println("warmcli: expected 'FAULT ARG...', got '" + line + "'");
                out.println("WARMCLI-EXIT 2");
                continue;
            }
            FaultInjector faults = words[0].equals("-") ? FaultInjector.NONE : FaultSpec.parse(words[0]);
            Environment environment = host.withFaults(faults);
            // The tool logs to System.err; the scenario reads both streams as one. The command's own output may not
            // end with a line break (status --json): the marker must start a line of its own.
            StringWriter output = new StringWriter();
            PrintWriter capture = new PrintWriter(output, true);
            int code = Application.run(Arrays.copyOfRange(words, 1, words.length), environment, capture, capture);
            System.err.flush();
            String text = output.toString();
            out.print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
            out.println("WARMCLI-EXIT " + code);
        }
    }
}
