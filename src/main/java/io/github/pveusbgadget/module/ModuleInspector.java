package io.github.pveusbgadget.module;

import io.github.pveusbgadget.host.CommandResult;
import io.github.pveusbgadget.host.CommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Finds, per installed kernel, whether our {@code dummy_hcd} is built and from which source. */
public final class ModuleInspector {
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> MODULE_SUFFIXES = List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz");
    private static final Pattern CHUNK = Pattern.compile("\\d{1,18}|\\D+");
    private static final String IN_TREE_DIR = "kernel/drivers/usb/gadget/udc";

    private final ModuleRoots roots;
    private final DkmsModule module;
    private final SourceSettings settings;
    private final SourceFinder finder;
    private final CommandRunner runner;

    public ModuleInspector(ModuleRoots roots, DkmsModule module, SourceSettings settings, SourceFinder finder,
                           CommandRunner runner) {
        this.roots = roots;
        this.module = module;
        this.settings = settings;
        this.finder = finder;
        this.runner = runner;
    }

    /** The inspector of the standard places in {@code fs} (procfs at {@code proc}), with these environment variables. */
    public static ModuleInspector standard(FileSystem fs, Path proc, CommandRunner runner,
                                           Map<String, String> environment) {
        DkmsModule module = DkmsModule.packaged();
        ModuleRoots roots = ModuleRoots.standard(fs, proc, module);
        SourceSettings settings = SourceSettings.read(roots, environment);
        return new ModuleInspector(roots, module, settings, new SourceFinder(fs, settings), runner);
    }

    public DkmsModule module() {
        return module;
    }

    public ModuleRoots roots() {
        return roots;
    }

    public SourceFinder finder() {
        return finder;
    }

    /** The running kernel, from procfs. */
    public Optional<KernelRelease> running() {
        try {
            return Optional.of(new KernelRelease(Files.readString(roots.osRelease()).strip()));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Every kernel with a folder in {@code /lib/modules}, oldest first. */
    public List<KernelRelease> installed() {
        if (!Files.isDirectory(roots.modules())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(roots.modules())) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .filter(n -> n.matches("[0-9][A-Za-z0-9._+~-]*")).map(KernelRelease::new)
                    .sorted(Comparator.comparing(KernelRelease::name, ModuleInspector::compareVersions)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Kernel name → state, as {@code dkms status} says; one entry {@code "" → why} when it could not be asked. */
    public Map<String, String> dkmsStates() {
        CommandResult result = runner.run(module.statusCommand(), QUERY_TIMEOUT);
        if (!result.succeeded()) {
            return Map.of("", "dkms status failed: " + result.lastLine());
        }
        return DkmsModule.parseStatus(result.output());
    }

    public KernelModuleState inspect(KernelRelease kernel, Map<String, String> dkmsStates) {
        Path dir = roots.kernelDir(kernel);
        boolean headers = Files.isDirectory(roots.headers(kernel));
        Optional<UpstreamVersion> fromOverride = settings.kernelVersionOverride().flatMap(UpstreamVersion::parse);
        Optional<UpstreamVersion> fromHeaders = readVersionHeader(kernel);
        UpstreamVersion upstream;
        String from;
        if (fromOverride.isPresent()) {
            upstream = fromOverride.get();
            from = "DUMMY_HCD_KERNEL_VERSION";
        } else if (fromHeaders.isPresent()) {
            upstream = fromHeaders.get();
            from = "headers";
        } else {
            upstream = kernel.upstreamFromName().orElseThrow();
            from = "name";
        }
        Optional<Path> ours = firstModule(dir.resolve("updates/dkms"));
        Optional<Path> inTree = firstModule(dir.resolve(IN_TREE_DIR));
        String dkmsState = dkmsStates.containsKey("") ? dkmsStates.get("")
                : dkmsStates.getOrDefault(kernel.name(), "");
        Optional<String> builtFrom = ours.flatMap(this::taggedSource).or(() -> logSource(kernel));
        return new KernelModuleState(kernel, running().filter(kernel::equals).isPresent(),
                Files.exists(dir.resolve("modules.dep")) || Files.isDirectory(dir.resolve("kernel")), headers,
                upstream, from, dkmsState, ours, inTree, builtFrom, finder.predict(upstream));
    }

    private Optional<UpstreamVersion> readVersionHeader(KernelRelease kernel) {
        try {
            return UpstreamVersion.fromVersionHeader(Files.readString(roots.versionHeader(kernel)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> firstModule(Path dir) {
        return MODULE_SUFFIXES.stream().map(s -> dir.resolve("dummy_hcd" + s)).filter(Files::isRegularFile)
                .findFirst();
    }

    /** The {@code pvug_source} tag prepare-source.sh compiles into the module. */
    private Optional<String> taggedSource(Path moduleFile) {
        CommandResult result = runner.run(List.of("modinfo", "-F", "pvug_source", moduleFile.toString()),
                QUERY_TIMEOUT);
        String tag = result.output().strip();
        return result.succeeded() && !tag.isEmpty() && !tag.contains("\n") ? Optional.of(tag) : Optional.empty();
    }

    /** The {@code source-info:} lines module-src/Makefile writes into DKMS's make.log of a successful build. */
    private Optional<String> logSource(KernelRelease kernel) {
        Path builds = roots.dkmsTree().resolve(module.name()).resolve(module.version()).resolve(kernel.name());
        if (!Files.isDirectory(builds)) {
            return Optional.empty();
        }
        try (Stream<Path> arches = Files.list(builds)) {
            for (Path log : arches.map(a -> a.resolve("log/make.log")).filter(Files::isRegularFile).toList()) {
                Map<String, String> info = Files.readAllLines(log, StandardCharsets.ISO_8859_1)
                        .stream().filter(l -> l.startsWith("source-info: ") && l.contains("="))
                        .map(l -> l.substring("source-info: ".length()))
                        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')),
                                l -> l.substring(l.indexOf('=') + 1), (a, b) -> b));
                if (info.containsKey("origin")) {
                    return Optional.of(info.get("origin") + " (Linux " + info.getOrDefault("source_version", "unknown")
                            + ", " + info.getOrDefault("match", "match unknown") + "; " + log + ")");
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Natural order of release names: 6.8.12-4-pve before 6.14.8-2-pve. */
    static int compareVersions(String a, String b) {
        List<String> x = chunks(a);
        List<String> y = chunks(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            String p = x.get(i);
            String q = y.get(i);
            int c = Character.isDigit(p.charAt(0)) && Character.isDigit(q.charAt(0))
                    ? Long.compare(Long.parseLong(p), Long.parseLong(q)) : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    }

    private static List<String> chunks(String s) {
        List<String> chunks = new ArrayList<>();
        Matcher m = CHUNK.matcher(s);
        while (m.find()) {
            chunks.add(m.group());
        }
        return chunks;
    }
}
