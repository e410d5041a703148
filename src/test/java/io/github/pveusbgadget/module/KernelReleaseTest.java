package io.github.pveusbgadget.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelReleaseTest {

    @ParameterizedTest(name = "{0} is Linux {1}, headers in {2}")
    @CsvSource({
        "6.8.12-4-pve,         6.8.12,   proxmox-headers-6.8.12-4-pve,         v6.8.12 v6.8",
        "6.14.8-2-pve,         6.14.8,   proxmox-headers-6.14.8-2-pve,         v6.14.8 v6.14",
        "6.17.2-1-pve,         6.17.2,   proxmox-headers-6.17.2-1-pve,         v6.17.2 v6.17",
        "5.15.158-2-pve,       5.15.158, proxmox-headers-5.15.158-2-pve,       v5.15.158 v5.15",
        "6.12.57+deb12-amd64,  6.12.57,  linux-headers-6.12.57+deb12-amd64,    v6.12.57 v6.12",
        "7.2.12+deb13-amd64,   7.2.12,   linux-headers-7.2.12+deb13-amd64,     v7.2.12 v7.2",
        "6.1.0-41-amd64,       6.1.x,    linux-headers-6.1.0-41-amd64,         v6.1",
        "5.10.0-28-cloud-amd64, 5.10.x,  linux-headers-5.10.0-28-cloud-amd64,  v5.10",
        "6.6.0,                6.6.0,    linux-headers-6.6.0,                  v6.6",
    })
    void theNameSaysTheUpstreamVersionAndTheHeadersPackage(String name, String upstream, String headers,
                                                           String tags) {
        KernelRelease kernel = new KernelRelease(name);
        UpstreamVersion version = kernel.upstreamFromName().orElseThrow();
        assertThat(version).hasToString(upstream);
        assertThat(kernel.headersPackage()).isEqualTo(headers);
        assertThat(version.tags()).isEqualTo(List.of(tags.split(" ")));
        assertThat(kernel.hidesSublevel()).isEqualTo(upstream.endsWith(".x"));
    }

    @Test
    void theHeadersVersionFileSaysTheSublevelADebianNameHides() {
        String header = "#define LINUX_VERSION_CODE 393630\n#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + "
                + "((c) > 255 ? 255 : (c)))\n#define LINUX_VERSION_MAJOR 6\n#define LINUX_VERSION_PATCHLEVEL 1\n"
                + "#define LINUX_VERSION_SUBLEVEL 292\n";
        assertThat(UpstreamVersion.fromVersionHeader(header)).hasValueSatisfying(v -> assertThat(v)
                .hasToString("6.1.292"));
        // older kernels have only the code, whose sublevel the kernel clamps to 255
        assertThat(UpstreamVersion.fromVersionHeader("#define LINUX_VERSION_CODE 393630\n"))
                .hasValueSatisfying(v -> assertThat(v).hasToString("6.1.158"));
        assertThat(UpstreamVersion.fromVersionHeader("/* nothing */\n")).isEmpty();
    }

    @Test
    void whatCannotBeAReleaseNameIsRefused() {
        for (String bad : List.of("../etc", "-k", "", "6.1 0", "6.1/..")) {
            assertThatThrownBy(() -> new KernelRelease(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void kernelsSortByVersion() {
        List<String> names = new ArrayList<>(List.of("6.17.2-1-pve", "6.8.12-4-pve", "6.14.8-2-pve",
                "6.8.12-10-pve"));
        names.sort(ModuleInspector::compareVersions);
        assertThat(names).containsExactly("6.8.12-4-pve", "6.8.12-10-pve", "6.14.8-2-pve", "6.17.2-1-pve");
    }

    @Test
    void dkmsStatusOfDkms2And3IsRead() {
        String output = "pve-usb-gadget-dummy-hcd/1.0, 6.8.12-4-pve, x86_64: installed\n"
                + "pve-usb-gadget-dummy-hcd/1.0, 6.17.2-1-pve, x86_64: built (WARNING! Missing some built modules!)\n"
                + "pve-usb-gadget-dummy-hcd, 1.0, 6.1.0-41-amd64, x86_64: installed\n"
                + "pve-usb-gadget-dummy-hcd/1.0: added\n";
        assertThat(DkmsModule.parseStatus(output)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "6.8.12-4-pve", "installed", "6.17.2-1-pve", "built", "6.1.0-41-amd64", "installed"));
    }

    @Test
    void thePackagedModuleIsThePomsDkmsNameAndVersion() {
        assertThat(DkmsModule.packaged()).isEqualTo(new DkmsModule("pve-usb-gadget-dummy-hcd", "1.0"));
    }
}
