package io.github.pveusbgadget.imagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import org.junit.jupiter.api.Test;

class ReleaseIndexTest {
    static final String SHA = "fda177bb1336270b24e4df0fd0c1dd0596c44699204f57c83ce70a0f19173be4";
    static final String MD5 = "9050bddcf415f2d0518804e551c1be98";

    /** The shape of unRAID's index: an array of releases, newest first, with unRAID's field names. */
    static String index(String base) {
        return "[" + release("7.0.0-rc.1", base, "next") + "," + release("6.12.10", base, "stable") + ","
                + release("6.12.4", base, "stable") + ",{\"version\":\"6.0\",\"name\":\"no url\"}]";
    }

    static String release(String version, String base, String branch) {
        return "{\"version\":\"" + version + "\",\"name\":\"Unraid Server " + version + "\",\"basefile\":"
                + "\"unRAIDServer-" + version + "-x86_64.zip\",\"date\":\"2024-05-06\",\"url\":\"" + base
                + "/unRAIDServer-" + version + "-x86_64.zip\",\"changelog\":\"https://example.invalid/notes\","
                + "\"md5\":\"" + MD5 + "\",\"size\":12345122,\"sha256\":\"" + SHA.toUpperCase() + "\",\"branch\":\""
                + branch + "\",\"public\":true,\"extra\":{\"nested\":[1,2.5,null,false]}}";
    }

    @Test
    void readsUnraidsFields() {
        ReleaseIndex index = ReleaseIndex.parse("test", index("https://dl.example.invalid"));
        assertThat(index.releases()).hasSize(3);
        ReleaseIndex.Release r = index.version("6.12.4");
        assertThat(r.url()).isEqualTo("https://dl.example.invalid/unRAIDServer-6.12.4-x86_64.zip");
        assertThat(r.sha256()).isEqualTo(SHA);
        assertThat(r.md5()).isEqualTo(MD5);
        assertThat(r.size()).isEqualTo(12345122);
        assertThat(r.date()).isEqualTo("2024-05-06");
        assertThat(r.fileName()).isEqualTo("unRAIDServer-6.12.4-x86_64.zip");
        assertThat(Checksum.of(r)).isEqualTo(new Checksum("SHA-256", SHA));
        assertThat(index.version("v6.12.10").version()).isEqualTo("6.12.10");
    }

    @Test
    void latestIsTheNewestStableRelease() {
        assertThat(ReleaseIndex.parse("t", index("http://x")).latest().version()).isEqualTo("6.12.10");
        String onlyNext = "{\"next\":[" + release("7.0.0-beta2", "http://x", "") + "," + release("7.0.0-rc.1",
                "http://x", "") + "]}";
        ReleaseIndex index = ReleaseIndex.parse("t", onlyNext);
        assertThat(index.releases()).allSatisfy(r -> assertThat(r.branch()).isEqualTo("next"));
        assertThat(index.latest().version()).isEqualTo("7.0.0-rc.1");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(ReleaseIndex.compareVersions("6.12.10", "6.12.4")).isPositive();
        assertThat(ReleaseIndex.compareVersions("7.0.0", "7.0.0-rc.1")).isPositive();
        assertThat(ReleaseIndex.compareVersions("7.0.0-rc.1", "7.0.0-beta2")).isPositive();
        assertThat(ReleaseIndex.compareVersions("6.12.4", "6.12.4")).isZero();
    }

    @Test
    void md5OnlyReleasesVerifyWithMd5() {
        String json = "[{\"version\":\"6.9.2\",\"url\":\"http://x/u.zip\",\"md5\":\"" + MD5 + "\"}]";
        ReleaseIndex.Release r = ReleaseIndex.parse("t", json).latest();
        assertThat(Checksum.of(r)).isEqualTo(new Checksum("MD5", MD5));
        assertThat(r.fileName()).isEqualTo("u.zip");
    }

    @Test
    void problemsNameTheIndex() {
        assertThatThrownBy(() -> ReleaseIndex.parse("http://idx", "{not json")).isInstanceOf(ToolException.class)
                .hasMessageContaining("release index http://idx is not valid JSON");
        assertThatThrownBy(() -> ReleaseIndex.parse("http://idx", "[{\"version\":\"1\",\"url\":\"http://x\"}]"))
                .hasMessageContaining("lists no release with a url and a checksum");
        assertThatThrownBy(() -> ReleaseIndex.parse("http://idx", index("http://x")).version("6.1"))
                .hasMessageContaining("--version 6.1 is not in the release index http://idx; it has 7.0.0-rc.1, "
                        + "6.12.10, 6.12.4")
                .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
    }
}
