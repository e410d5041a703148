package io.github.pveusbgadget.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pveusbgadget.testing.CliRun;
import io.github.pveusbgadget.testing.FakeKernel;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageBackupTest {
    private final FakeKernel kernel = new FakeKernel();

    @Test
    void copiesByteForByteWithAChecksumAndKeepsTheNewestN() throws Exception {
        Path image = kernel.image("flash.img", 3 * (1 << 20) + 17);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("unRAID config".getBytes()), (1 << 20) + 5);
        }
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        for (int i = 0; i < 4; i++) {
            new ImageBackup(Clock.fixed(t0.plusSeconds(i), ZoneOffset.UTC)).backUp(image, 2);
        }
        assertThat(ImageBackup.copiesOf(image)).extracting(p -> p.getFileName().toString())
                .containsExactly("flash.img.20261121T100002Z", "flash.img.20261121T100003Z");
        Path newest = ImageBackup.copiesOf(image).get(1);
        assertThat(Arrays.equals(Files.readAllBytes(newest), Files.readAllBytes(image))).isTrue();
        assertThat(Files.readString(newest.resolveSibling(newest.getFileName() + ".sha256")))
                .matches("[0-9a-f]{64}  flash.img.20261121T100003Z\n");
        try (var files = Files.list(image.getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".sha256"))).hasSize(2);
        }
    }

    @Test
    void downBacksUpWhenConfiguredAndAFailedBackupNeverFailsTheStop() throws Exception {
        kernel.image("100.img", 4096);
        kernel.config(100, "image = /images/100.img\nproduct_id = 0x4000\nserial = B1\nbackup_keep = 3\n");
        CliRun.run(kernel, "up", "100");
        assertThat(CliRun.run(kernel, "down", "100").exitCode()).isZero();
        assertThat(ImageBackup.copiesOf(kernel.path("/images/100.img"))).hasSize(1);

        CliRun.run(kernel, "up", "100");
        Files.createDirectory(kernel.path("/images/.100.img.20261121T120000Z.partial"));
        assertThat(CliRun.run(kernel, "down", "100").exitCode()).isZero();
    }
}
