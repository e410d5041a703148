package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code image create} through the command line, on real files; real builds need dosfstools, mtools, syslinux. */
class ImageCreateCommandTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger zipRequests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void buildsABootableImageThatPassesFsck() throws Exception {
        HostTools.assumeImageTools();
        Path zip = TestZips.unraid(dir);
        Path img = dir.resolve("unraid.img");
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output", img.toString(),
                "--size", "512M", "--network", "static", "--address", "192.168.5.20/24", "--gateway", "192.168.5.1");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("done: " + img);
        assertThat(Files.size(img)).isEqualTo(512 * ByteSize.MIB);
        assertThat(listing()).containsExactly(zip.getFileName().toString(), "unraid.img");

        byte[] sector0 = new byte[512];
        try (RandomAccessFile file = new RandomAccessFile(img.toFile(), "r")) {
            file.readFully(sector0);
        }
        assertThat(PartitionTable.read(sector0)).isEqualTo(new PartitionTable.Entry(0x80, 0x0c, 2048,
                512 * 2048 - 2048, true));
        assertThat(Arrays.copyOf(sector0, 440)).isEqualTo(Arrays.copyOf(Files.readAllBytes(
                Files.exists(TestZips.MBR_BIN) ? TestZips.MBR_BIN : zip), 440));

        Path partition = dir.resolve("partition");
        assertThat(HostTools.exec("dd", "if=" + img, "of=" + partition, "bs=1M", "skip=1", "conv=sparse",
                "status=none").exitCode()).isZero();
        HostTools.Result fsck = HostTools.exec(HostTools.has("fsck.fat") && Files.exists(Path.of("/usr/sbin/fsck.fat"))
                ? "/usr/sbin/fsck.fat" : "fsck.fat", "-n", partition.toString());
        assertThat(fsck.exitCode()).as(fsck.output()).isZero();
        assertThat(fsck.output()).doesNotContainIgnoringCase("differences").doesNotContainIgnoringCase("dirty");

        String at = img + "@@1048576";
        HostTools.Result label = HostTools.exec("mlabel", "-s", "-i", at, "::");
        assertThat(label.output()).contains("UNRAID");
        HostTools.Result files = HostTools.exec("mdir", "-/", "-b", "-a", "-i", at, "::/");
        assertThat(files.output().lines()).contains("::/bzimage", "::/bzroot", "::/ldlinux.c32", "::/ldlinux.sys",
                "::/EFI/boot/bootx64.efi", "::/syslinux/syslinux.cfg", "::/config/network.cfg")
                .noneMatch(l -> l.startsWith("::/EFI-"));
        Path bzroot = dir.resolve("bzroot.copy");
        assertThat(HostTools.exec("mcopy", "-i", at, "::/bzroot", bzroot.toString()).exitCode()).isZero();
        assertThat(bzroot).as("streamed from the zip").hasBinaryContent(TestZips.bzroot());
        HostTools.Result cfg = HostTools.exec("mtype", "-i", at, "::/config/network.cfg");
        assertThat(cfg.output()).contains("IPADDR=\"192.168.5.20\"", "USE_DHCP=\"no\"", "BONDING=\"yes\"");
    }

    @Test
    void refusalsLeaveNothingBehind() throws Exception {
        Path zip = TestZips.unraid(dir);
        Path existing = Files.writeString(dir.resolve("existing.img"), "keep me");
        Map<String, byte[]> plain = Map.of("readme.txt", TestZips.text("hello"));
        Path notUnraid = TestZips.write(dir.resolve("plain.zip"), plain);
        List<String> before = listing();
        Object[][] cases = {
            {1, "already exists; choose another path, or replace it with --force",
                new String[] {"--zip", zip.toString(), "--output", existing.toString()}},
            {2, "does not have the unRAID release layout",
                new String[] {"--zip", notUnraid.toString(), "--output", dir.resolve("a.img").toString()}},
            {2, "--size 256 MiB is too small", new String[] {"--zip", zip.toString(), "--output",
                dir.resolve("a.img").toString(), "--size", "256M"}},
            {2, "is not a whole number of MiB", new String[] {"--zip", zip.toString(), "--output",
                dir.resolve("a.img").toString(), "--size", "536871424"}},
            {2, "directory", new String[] {"--zip", zip.toString(), "--output",
                dir.resolve("no/such/dir/a.img").toString()}},
            {2, "--label", new String[] {"--zip", zip.toString(), "--output", dir.resolve("a.img").toString(),
                "--label", "Unraid"}},
            {2, "--zip=", new String[] {"--zip", zip.toString(), "--latest", "--output", "x.img"}},
            {2, "Missing required", new String[] {"--output", dir.resolve("a.img").toString()}},
        };
        for (Object[] c : cases) {
            String[] args = Stream.concat(Stream.of("image", "create"), Arrays.stream((String[]) c[2]))
                    .toArray(String[]::new);
            ImageCli run = ImageCli.run(args);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(c[0]);
            assertThat(run.err()).as(run.toString()).contains((String) c[1]).doesNotContain("Exception")
                    .doesNotContain("\tat ");
            assertThat(listing()).as(String.join(" ", args)).isEqualTo(before);
        }
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void anInstallerThatCannotRunFailsCleanly() throws Exception {
        HostTools.assumeImageTools();
        Map<String, byte[]> entries = TestZips.unraidLayout();
        entries.put("syslinux/syslinux_linux", new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        Path zip = TestZips.write(dir.resolve("broken-installer.zip"), entries);
        List<String> before = listing();
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output",
                dir.resolve("a.img").toString(), "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err().lines().count()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("the zip's syslinux/syslinux_linux failed", "nothing was left behind");
        assertThat(listing()).isEqualTo(before);
    }

    @Test
    void aSizeUnderTheContentIsRefusedWithTheSizeThatFits() throws Exception {
        Map<String, byte[]> big = TestZips.unraidLayout();
        big.put("bzroot", new byte[600 * 1024 * 1024]);
        Path zip = TestZips.write(dir.resolve("big.zip"), big);
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output",
                dir.resolve("a.img").toString(), "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--size 512 MiB is too small for the 600.3 MiB in big.zip: use at least --size 6");
        assertThat(dir.resolve("a.img")).doesNotExist();
    }

    @Test
    void dryRunPrintsTheStepsAndChangesNothing() throws Exception {
        Path zip = TestZips.unraid(dir);
        List<String> before = listing();
        Path img = dir.resolve("dry.img");
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output", img.toString(),
                "--dry-run", "--label", "FLASH");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(listing()).isEqualTo(before);
        String partial = dir.resolve(".dry.img.partial").toString();
        assertThat(run.out()).startsWith("#!/bin/sh\n").contains(
                "truncate -s 2147483648 " + partial,
                "mkfs.fat -F 32 -n FLASH -i ",
                "--offset=2048 " + partial + " 2096128",
                "mv \"$work/files/EFI-\" \"$work/files/EFI\"",
                "cp \"$work/files/syslinux/ldlinux.c32\" \"$work/files/ldlinux.c32\"",
                "mcopy -s -Q -m -i " + partial + "@@1048576",
                "\"$work/installer\" -i -f -t 1048576 " + partial,
                "dd if=\"$work/files/syslinux/mbr.bin\" of=" + partial + " bs=440 count=1 conv=notrunc",
                "mv -f " + partial + " " + img);
    }

    private String startServer(byte[] zip, String sha256) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        String index = "[" + ReleaseIndexTest.release("6.12.42", base, "stable").replace(ReleaseIndexTest.SHA
                .toUpperCase(), sha256) + "," + ReleaseIndexTest.release("7.0.0-rc.1", base, "next") + "]";
        served.put("/index.json", index.getBytes(StandardCharsets.UTF_8));
        served.put("/unRAIDServer-6.12.42-x86_64.zip", zip);
        server.createContext("/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath());
            if (exchange.getRequestURI().getPath().endsWith(".zip")) {
                zipRequests.incrementAndGet();
            }
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        return base;
    }

    @Test
    void downloadsVerifiesCachesAndBuildsTheLatestRelease() throws Exception {
        HostTools.assumeImageTools();
        byte[] zip = Files.readAllBytes(TestZips.unraid(Files.createDirectory(dir.resolve("src"))));
        String base = startServer(zip, sha256(zip));
        Path cache = dir.resolve("cache");
        Path img = dir.resolve("dl.img");
        ImageCli run = ImageCli.run("image", "create", "--latest", "--index-url", base + "/index.json",
                "--cache-dir", cache.toString(), "--output", img.toString(), "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("unRAID 6.12.42 (2024-05-06): " + base, "(SHA-256 verified)", "done: " + img);
        assertThat(cache.resolve("unRAIDServer-6.12.42-x86_64.zip")).hasBinaryContent(zip);
        assertThat(zipRequests).hasValue(1);

        ImageCli again = ImageCli.run("image", "create", "--version", "6.12.42", "--index-url", base + "/index.json",
                "--cache-dir", cache.toString(), "--output", img.toString(), "--size", "512M", "--force");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("using cached " + cache.resolve("unRAIDServer-6.12.42-x86_64.zip"));
        assertThat(zipRequests).hasValue(1);
    }

    @Test
    void aChecksumMismatchKeepsNothing() throws Exception {
        byte[] zip = Files.readAllBytes(TestZips.unraid(Files.createDirectory(dir.resolve("src"))));
        String base = startServer(zip, "0".repeat(64));
        Path cache = dir.resolve("cache");
        ImageCli run = ImageCli.run("image", "create", "--version", "6.12.42", "--index-url", base + "/index.json",
                "--cache-dir", cache.toString(), "--output", dir.resolve("x.img").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("checksum mismatch for " + base + "/unRAIDServer-6.12.42-x86_64.zip: SHA-256 "
                + "expected " + "0".repeat(64) + ", got " + sha256(zip));
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files).isEmpty();
        }
        assertThat(dir.resolve("x.img")).doesNotExist();
    }

    @Test
    void indexProblemsAreOneLine() throws Exception {
        String base = startServer(new byte[0], "0".repeat(64));
        ImageCli missing = ImageCli.run("image", "create", "--latest", "--index-url", base + "/nothing.json",
                "--cache-dir", dir.toString(), "--output", dir.resolve("x.img").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("pve-usb-gadget: the release index " + base + "/nothing.json "
                + "answered HTTP 404; check --index-url, or download the zip yourself and use --zip");
        ImageCli unknown = ImageCli.run("image", "create", "--version", "5.0", "--index-url", base + "/index.json",
                "--cache-dir", dir.toString(), "--output", dir.resolve("x.img").toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--version 5.0 is not in the release index");
    }

    @Test
    void dryRunOfADownloadShowsTheDownloadAndChecksum() throws Exception {
        byte[] zip = Files.readAllBytes(TestZips.unraid(Files.createDirectory(dir.resolve("src"))));
        String sha = sha256(zip);
        String base = startServer(zip, sha);
        Path cache = dir.resolve("cache");
        ImageCli run = ImageCli.run("image", "create", "--version", "6.12.42", "--index-url", base + "/index.json",
                "--cache-dir", cache.toString(), "--output", dir.resolve("x.img").toString(), "--dry-run");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Path cached = cache.resolve("unRAIDServer-6.12.42-x86_64.zip");
        assertThat(run.out()).contains("curl -fL --progress-bar -o " + cached + ".part " + base
                + "/unRAIDServer-6.12.42-x86_64.zip", "printf '%s\\n' '" + sha + "  " + cached + ".part' | sha256sum -c -",
                "unzip -q " + cached);
        assertThat(cache).doesNotExist();
        assertThat(zipRequests).hasValue(0);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
