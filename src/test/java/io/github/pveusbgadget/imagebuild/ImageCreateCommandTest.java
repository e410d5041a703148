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
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final List<String> queries = new CopyOnWriteArrayList<>();

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
    void aLabelOtherThanUnraidIsPassedToUnraidOnItsKernelCommandLine() throws Exception {
        HostTools.assumeImageTools();
        Path zip = TestZips.unraid(dir);
        Path img = dir.resolve("flash.img");
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output", img.toString(),
                "--size", "512M", "--label", "FLASH-2");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("unraidlabel=FLASH-2 added to syslinux/syslinux.cfg and EFI/boot/syslinux.cfg "
                + "(unRAID looks for UNRAID otherwise)");
        String at = img + "@@1048576";
        assertThat(HostTools.exec("mlabel", "-s", "-i", at, "::").output()).contains("FLASH-2");
        assertThat(HostTools.exec("mtype", "-i", at, "::/syslinux/syslinux.cfg").output())
                .contains("  append initrd=/bzroot unraidlabel=FLASH-2\n");
        assertThat(HostTools.exec("mtype", "-i", at, "::/EFI/boot/syslinux.cfg").output())
                .contains("  append initrd=/bzroot unraidlabel=FLASH-2\r\n");
    }

    @Test
    void refusalsLeaveNothingBehind() throws Exception {
        HostTools.assumeImageTools(); // image create checks for mkfs.fat and mcopy before anything else
        Path zip = TestZips.unraid(dir);
        Path existing = Files.writeString(dir.resolve("existing.img"), "keep me");
        Map<String, byte[]> plain = Map.of("readme.txt", TestZips.text("hello"));
        Path notUnraid = TestZips.write(dir.resolve("plain.zip"), plain);
        Map<String, byte[]> tampered = TestZips.unraidLayout();
        tampered.put("bzroot", Arrays.copyOf(TestZips.bzroot(), 1_499_999));
        Path tamperedZip = TestZips.write(dir.resolve("tampered.zip"), tampered);
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
            {2, "tampered.zip: bzroot does not match bzroot.sha256", new String[] {"--zip", tamperedZip.toString(),
                "--output", dir.resolve("a.img").toString()}},
            {2, "tampered.zip: bzroot does not match bzroot.sha256", new String[] {"--zip", tamperedZip.toString(),
                "--output", dir.resolve("a.img").toString(), "--dry-run"}},
            {2, "--label 'MY DISK'", new String[] {"--zip", zip.toString(), "--output",
                dir.resolve("a.img").toString(), "--label", "MY DISK"}},
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
            if (!Arrays.asList(args).contains("--dry-run")) { // a refusal is its one line; nothing on stdout first
                assertThat(run.out()).as(run.toString()).isEmpty();
            }
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
        // stand-ins for syslinux: with the host's, the zip (and so the expected size) would depend on syslinux
        Map<String, byte[]> big = TestZips.hostIndependentLayout();
        big.put("bzroot", new byte[600 * 1024 * 1024]);
        Path zip = TestZips.write(dir.resolve("big.zip"), big);
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output",
                dir.resolve("a.img").toString(), "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--size 512 MiB is too small for the 600.0 MiB in big.zip: use at least --size 6");
        assertThat(dir.resolve("a.img")).doesNotExist();
    }

    @Test
    void dryRunPrintsTheStepsAndChangesNothing() throws Exception {
        HostTools.assumeImageTools(); // image create checks for mkfs.fat and mcopy before anything else
        Path zip = TestZips.unraid(dir);
        List<String> before = listing();
        Path img = dir.resolve("dry.img");
        ImageCli run = ImageCli.run("image", "create", "--zip", zip.toString(), "--output", img.toString(),
                "--dry-run", "--label", "FLASH");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(listing()).isEqualTo(before);
        String partial = dir.resolve(".dry.img.partial").toString();
        assertThat(run.out()).startsWith("#!/bin/sh\n").contains(
                "truncate -s 8589934592 " + partial,
                "mkfs.fat -F 32 -n FLASH -i ",
                "--offset=2048 " + partial + " 8387584",
                "mv \"$work/files/EFI-\" \"$work/files/EFI\"",
                "(cd \"$work/files\" && for s in bz*.sha256; do",
                "for cfg in \"$work/files/syslinux/syslinux.cfg\" \"$work/files/EFI/boot/syslinux.cfg\"; do",
                " unraidlabel=FLASH\\1/}' \"$cfg\"; fi; done",
                "cp \"$work/files/syslinux/ldlinux.c32\" \"$work/files/ldlinux.c32\"",
                "mcopy -s -Q -m -i " + partial + "@@1048576",
                "\"$work/installer\" -i -f -t 1048576 " + partial,
                "dd if=\"$work/files/syslinux/mbr.bin\" of=" + partial + " bs=440 count=1 conv=notrunc",
                "mv -f " + partial + " " + img);
    }

    /**
     * An index on 127.0.0.1 with a stable 6.12.42 (the zip, with these checksums), a prerelease 7.0.0-rc.1 and a
     * 7.1.0 that is not downloadable; the queries it is asked with are recorded.
     */
    private String startServer(byte[] zip, String md5, String sha256) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        String index = "[" + ReleaseIndexTest.release("7.1.0", base, "stable").replace("\"public\":true",
                "\"downloadable\":false") + "," + ReleaseIndexTest.release("6.12.42", base, "stable")
                .replace(ReleaseIndexTest.SHA.toUpperCase(), sha256).replace(ReleaseIndexTest.MD5, md5) + ","
                + ReleaseIndexTest.release("7.0.0-rc.1", base, "next") + "]";
        served.put("/index.json", index.getBytes(StandardCharsets.UTF_8));
        served.put("/unRAIDServer-6.12.42-x86_64.zip", zip);
        server.createContext("/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath());
            if (exchange.getRequestURI().getPath().endsWith(".zip")) {
                zipRequests.incrementAndGet();
            } else {
                queries.add(String.valueOf(exchange.getRequestURI().getQuery()));
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

    private String startServer(byte[] zip) throws Exception {
        return startServer(zip, md5(zip), sha256(zip));
    }

    private byte[] releaseZip(Map<String, byte[]> entries) throws IOException {
        return Files.readAllBytes(TestZips.write(Files.createDirectories(dir.resolve("src")).resolve("u.zip"),
                entries));
    }

    /** {@code image create} of a release from the index at {@code base}, cached in {@code cache}, into x.img. */
    private ImageCli download(String base, Path cache, String... options) {
        return ImageCli.run(downloadArgs(base, cache, options));
    }

    private String[] downloadArgs(String base, Path cache, String... options) {
        return Stream.concat(Stream.of("image", "create", "--index-url", base + "/index.json", "--cache-dir",
                cache.toString(), "--output", dir.resolve("x.img").toString()), Stream.of(options))
                .toArray(String[]::new);
    }

    private List<String> cached(Path cache) throws IOException {
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void downloadsVerifiesCachesAndBuildsTheLatestRelease() throws Exception {
        HostTools.assumeImageTools();
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip);
        Path cache = dir.resolve("cache");
        Path img = dir.resolve("dl.img");
        ImageCli run = ImageCli.run("image", "create", "--latest", "--index-url", base + "/index.json",
                "--cache-dir", cache.toString(), "--output", img.toString(), "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("unRAID 6.12.42 (2024-05-06): " + base, "(md5 and sha256 verified; ",
                " match their .sha256)", "done: " + img);
        assertThat(cache.resolve("unRAIDServer-6.12.42-x86_64.zip")).hasBinaryContent(zip);
        assertThat(zipRequests).hasValue(1);

        ImageCli again = ImageCli.run("image", "create", "--version", "6.12.42", "--index-url", base + "/index.json",
                "--cache-dir", cache.toString(), "--output", img.toString(), "--size", "512M", "--force");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("using cached " + cache.resolve("unRAIDServer-6.12.42-x86_64.zip")
                + " (md5 and sha256 verified; ");
        assertThat(zipRequests).hasValue(1);
    }

    @Test
    void aWrongMd5KeepsNothing() throws Exception {
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip, "0".repeat(32), sha256(zip));
        Path cache = dir.resolve("cache");
        ImageCli run = download(base, cache, "--version", "6.12.42");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("pve-usb-gadget: the download of " + base
                + "/unRAIDServer-6.12.42-x86_64.zip is not the release the index describes: md5 check failed: the "
                + "index says " + "0".repeat(32) + ", the zip has " + md5(zip) + "; the download is damaged or the "
                + "index is wrong; nothing was kept, try again");
        assertThat(cached(cache)).isEmpty();
        assertThat(dir.resolve("x.img")).doesNotExist();
    }

    @Test
    void aSha256ThatIsNotTheZipsIsReportedWhenTheMd5Matches() throws Exception {
        HostTools.assumeImageTools();
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip, md5(zip), "1".repeat(64));
        Path cache = dir.resolve("cache");
        ImageCli run = download(base, cache, "--version", "6.12.42", "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("(md5 verified; the index's sha256 is not this zip's; ");
    }

    @Test
    void aDownloadWithATamperedBzrootKeepsNothing() throws Exception {
        byte[] zip = releaseZip(TestZips.withTamperedBzroot());
        String base = startServer(zip);
        Path cache = dir.resolve("cache");
        ImageCli run = download(base, cache, "--latest");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).contains("the download of " + base + "/unRAIDServer-6.12.42-x86_64.zip: bzroot does "
                + "not match bzroot.sha256", "'bzroot checksum error'", "; the download was not kept");
        assertThat(cached(cache)).isEmpty();
        assertThat(dir.resolve("x.img")).doesNotExist();
    }

    @Test
    void aTamperedCachedZipIsDownloadedAgain() throws Exception {
        HostTools.assumeImageTools();
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip);
        Path cache = Files.createDirectory(dir.resolve("cache"));
        Files.write(cache.resolve("unRAIDServer-6.12.42-x86_64.zip"), Arrays.copyOf(zip, zip.length - 1));
        ImageCli run = download(base, cache, "--latest", "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("does not pass (md5 check failed: ", "); downloading it again");
        assertThat(cache.resolve("unRAIDServer-6.12.42-x86_64.zip")).hasBinaryContent(zip);
    }

    @Test
    void prereleasesOnlyOnRequestAndTheVersionsOnOffer() throws Exception {
        String base = startServer(releaseZip(TestZips.unraidLayout()));
        ImageCli stable = ImageCli.run("image", "versions", "--index-url", base + "/index.json");
        assertThat(stable.exitCode()).as(stable.toString()).isZero();
        assertThat(stable.out()).isEqualTo("VERSION  DATE             SIZE  CHECKS\n"
                + "6.12.42  2024-05-06   11.8 MiB  md5\n");
        ImageCli all = ImageCli.run("image", "versions", "--prerelease", "--index-url", base + "/index.json");
        assertThat(all.out()).isEqualTo("VERSION     DATE             SIZE  CHECKS\n"
                + "7.0.0-rc.1  2024-05-06   11.8 MiB  md5  prerelease\n"
                + "6.12.42     2024-05-06   11.8 MiB  md5\n");
        assertThat(queries).containsExactly("null", "includePublic=1");

        ImageCli refused = ImageCli.run("image", "create", "--version", "7.0.0-rc.1", "--index-url",
                base + "/index.json", "--output", dir.resolve("x.img").toString(), "--dry-run");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err().strip()).isEqualTo("pve-usb-gadget: --version 7.0.0-rc.1 is a prerelease; add "
                + "--prerelease to use it");
        ImageCli notOffered = ImageCli.run("image", "create", "--version", "7.1.0", "--index-url",
                base + "/index.json", "--output", dir.resolve("x.img").toString(), "--dry-run");
        assertThat(notOffered.exitCode()).isEqualTo(2);
        assertThat(notOffered.err()).contains("--version 7.1.0 is not in the release index");
        ImageCli latest = ImageCli.run("image", "create", "--latest", "--prerelease", "--index-url",
                base + "/index.json", "--cache-dir", dir.resolve("cache").toString(), "--output",
                dir.resolve("x.img").toString(), "--dry-run");
        assertThat(latest.exitCode()).as(latest.toString()).isZero();
        assertThat(latest.out()).contains("# unRAID 7.0.0-rc.1 (2024-05-06): " + base);
        assertThat(zipRequests).hasValue(0);
    }

    @Test
    void indexProblemsAreOneLine() throws Exception {
        String base = startServer(new byte[0]);
        ImageCli missing = ImageCli.run("image", "create", "--latest", "--index-url", base + "/nothing.json",
                "--cache-dir", dir.toString(), "--output", dir.resolve("x.img").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("pve-usb-gadget: the release index " + base + "/nothing.json "
                + "answered HTTP 404; check --index-url, or download the zip yourself and use --zip");
        ImageCli unknown = download(base, dir, "--version", "5.0");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--version 5.0 is not in the release index");
    }

    @Test
    void dryRunOfADownloadShowsTheDownloadAndChecksum() throws Exception {
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip);
        Path cache = dir.resolve("cache");
        ImageCli run = download(base, cache, "--version", "6.12.42", "--dry-run");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Path cached = cache.resolve("unRAIDServer-6.12.42-x86_64.zip");
        assertThat(run.out()).contains("curl -fL --progress-bar -o " + cached + ".part " + base
                + "/unRAIDServer-6.12.42-x86_64.zip", "printf '%s\\n' '" + md5(zip) + "  " + cached + ".part' | md5sum -c -",
                "unzip -q " + cached, "(cd \"$work/files\" && for s in bz*.sha256; do");
        assertThat(cache).doesNotExist();
        assertThat(zipRequests).hasValue(0);
    }

    @Test
    void offATerminalTheOutputIsTheLogLinesOnly() throws Exception {
        HostTools.assumeImageTools();
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip);
        Path cache = dir.resolve("cache");
        Path img = dir.resolve("x.img");
        ImageCli run = download(base, cache, "--version", "6.12.42", "--size", "512M");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).as("nothing on standard error off a terminal").isEmpty();
        Path cached = cache.resolve("unRAIDServer-6.12.42-x86_64.zip");
        String url = base + "/unRAIDServer-6.12.42-x86_64.zip";
        assertThat(normalized(run.out())).isEqualTo(String.join("\n",
                "unRAID 6.12.42 (2024-05-06): " + url,
                "downloading " + url + " (" + ByteSize.format(zip.length) + ")",
                "downloaded " + cached + " (md5 and sha256 verified; bzimage, bzroot, bzroot-gui, bzmodules, bzfirmware "
                        + "match their .sha256)",
                "zip " + cached + ": unRAID 6.12.42 layout, 25 files, 1.7 MiB",
                "warning: --size 512 MiB leaves 507.9 MiB free on the flash, less than the 1.3 GiB an unRAID update "
                        + "unpacks there, so unRAID's updater will refuse to update in place; --size 2G fits one "
                        + "update, the default 8G also the ones after it",
                "creating " + img + ": 512 MiB sparse file, MBR with a bootable FAT32-LBA partition at 1 MiB",
                "formatted FAT32 'UNRAID', 4 KiB clusters",
                "copied 25 files (1.9 MiB), EFI- renamed EFI, ldlinux.c32 copied to the root",
                "installed the zip's syslinux (syslinux/syslinux_linux) into the partition's boot sector",
                "wrote the zip's mbr.bin into the first 440 bytes; partition table intact",
                "done: " + img + " (512 MiB, N allocated) in N s", ""));
    }

    @Test
    void onATerminalProgressIsDrawnOnStandardErrorAndErasedTheLogLinesStayTheSame() throws Exception {
        HostTools.assumeImageTools();
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip);
        String[] args = downloadArgs(base, dir.resolve("cache"), "--version", "6.12.42", "--size", "512M");
        ImageCli plain = ImageCli.run(args);
        Files.delete(dir.resolve("x.img"));
        org.apache.commons.io.file.PathUtils.delete(dir.resolve("cache"));
        ImageCli watched = ImageCli.onTerminal(72, args);
        assertThat(watched.exitCode()).as(watched.toString()).isZero();
        assertThat(normalized(watched.out())).isEqualTo(normalized(plain.out()));
        String erase = "\r" + " ".repeat(71) + "\r";
        assertThat(watched.err()).as("each bar is redrawn in place and erased: no line is left")
                .doesNotContain("\n").startsWith("\rdownloading unRAIDServer-6.12.42-x86_64.zip ").endsWith(erase)
                .contains("\rchecking bzroot ", "\rformatting FAT32 ... 0:0", "\rcopying files ", "% [", " MiB",
                        "\rinstalling syslinux ... 0:0", "\rflushing the image to disk ... 0:0");
        for (String drawing : watched.err().split("\r")) {
            assertThat(drawing.length()).as("'%s' fits the terminal", drawing).isLessThanOrEqualTo(71);
        }
    }

    @Test
    void aDryRunOnATerminalDrawsNoProgress() throws Exception {
        byte[] zip = releaseZip(TestZips.unraidLayout());
        String base = startServer(zip);
        String[] args = downloadArgs(base, dir.resolve("cache"), "--version", "6.12.42", "--dry-run");
        ImageCli plain = ImageCli.run(args);
        ImageCli watched = ImageCli.onTerminal(100, args);
        assertThat(watched.exitCode()).as(watched.toString()).isZero();
        assertThat(watched.err()).isEmpty();
        assertThat(withoutVolumeId(watched.out())).isEqualTo(withoutVolumeId(plain.out()))
                .anyMatch(line -> line.startsWith("curl -fL --progress-bar"));
    }

    /** A dry-run script without the two lines that hold the random volume id. */
    private static List<String> withoutVolumeId(String script) {
        return script.lines().filter(l -> !l.startsWith("printf '\\") && !l.startsWith("mkfs.fat")).toList();
    }

    /** The output with what differs from run to run (time taken, blocks allocated) as N. */
    private static String normalized(String out) {
        return out.replaceAll("\\((512 MiB), [0-9.]+ [KM]iB allocated\\) in [0-9.]+ s", "($1, N allocated) in N s");
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
    }
}
