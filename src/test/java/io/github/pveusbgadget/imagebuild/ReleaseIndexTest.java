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
        ReleaseIndex.Release r = index.version("6.12.4", false);
        assertThat(r.url()).isEqualTo("https://dl.example.invalid/unRAIDServer-6.12.4-x86_64.zip");
        assertThat(r.sha256()).isEqualTo(SHA);
        assertThat(r.md5()).isEqualTo(MD5);
        assertThat(r.size()).isEqualTo(12345122);
        assertThat(r.date()).isEqualTo("2024-05-06");
        assertThat(r.fileName()).isEqualTo("unRAIDServer-6.12.4-x86_64.zip");
        assertThat(index.version("v6.12.10", false).version()).isEqualTo("6.12.10");
    }

    @Test
    void latestIsTheNewestStableReleaseAndPrereleasesOnlyOnRequest() {
        ReleaseIndex index = ReleaseIndex.parse("t", index("http://x"));
        assertThat(index.latest(false).version()).isEqualTo("6.12.10");
        assertThat(index.latest(true).version()).isEqualTo("7.0.0-rc.1");
        assertThat(index.offered(false)).extracting(ReleaseIndex.Release::version).containsExactly("6.12.10", "6.12.4");
        assertThat(index.offered(true)).extracting(ReleaseIndex.Release::version)
                .containsExactly("7.0.0-rc.1", "6.12.10", "6.12.4");
        assertThatThrownBy(() -> index.version("7.0.0-rc.1", false)).isInstanceOf(ToolException.class)
                .hasMessage("--version 7.0.0-rc.1 is a prerelease; add --prerelease to use it");
        assertThat(index.version("7.0.0-rc.1", true).isStable()).isFalse();

        String onlyNext = "{\"next\":[" + release("7.0.0-beta2", "http://x", "") + "," + release("7.0.0-rc.1",
                "http://x", "") + "]}";
        ReleaseIndex next = ReleaseIndex.parse("t", onlyNext);
        assertThat(next.releases()).allSatisfy(r -> assertThat(r.branch()).isEqualTo("next"));
        assertThat(next.latest(true).version()).isEqualTo("7.0.0-rc.1");
        assertThatThrownBy(() -> next.latest(false)).hasMessage("the release index t lists no stable release; add "
                + "--prerelease for its prereleases, or use --zip");
    }

    @Test
    void releasesThatCannotBeDownloadedAreNotOffered() {
        String json = "[" + release("7.1.4", "http://x", "stable").replace("\"public\":true", "\"downloadable\":false")
                + "," + release("7.1.3", "http://x", "stable").replace("\"public\":true", "\"downloadable\":true")
                + "]";
        assertThat(ReleaseIndex.parse("t", json).offered(false)).extracting(ReleaseIndex.Release::version)
                .containsExactly("7.1.3");
        assertThatThrownBy(() -> ReleaseIndex.parse("t", "[" + release("7.1.4", "http://x", "")
                .replace("\"public\":true", "\"downloadable\":false") + "]"))
                .hasMessageContaining("lists no downloadable release");
    }

    @Test
    void prereleasesAreAskedForWithIncludePublic() {
        assertThat(ReleaseIndex.url(ReleaseIndex.DEFAULT_URL, false)).isEqualTo("https://releases.unraid.net/json");
        assertThat(ReleaseIndex.url(ReleaseIndex.DEFAULT_URL, true))
                .isEqualTo("https://releases.unraid.net/json?includePublic=1");
        assertThat(ReleaseIndex.url("http://127.0.0.1:8/i.json?a=b#top", true))
                .isEqualTo("http://127.0.0.1:8/i.json?a=b&includePublic=1#top");
        assertThat(ReleaseIndex.url("http://h/json?includePublic=1", true)).isEqualTo("http://h/json?includePublic=1");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(ReleaseIndex.compareVersions("6.12.10", "6.12.4")).isPositive();
        assertThat(ReleaseIndex.compareVersions("7.0.0", "7.0.0-rc.1")).isPositive();
        assertThat(ReleaseIndex.compareVersions("7.0.0-rc.1", "7.0.0-beta2")).isPositive();
        assertThat(ReleaseIndex.compareVersions("6.12.4", "6.12.4")).isZero();
    }

    @Test
    void md5OnlyReleasesAreKept() {
        String json = "[{\"version\":\"6.9.2\",\"url\":\"http://x/u.zip\",\"md5\":\"" + MD5 + "\"}]";
        ReleaseIndex.Release r = ReleaseIndex.parse("t", json).latest(false);
        assertThat(r.md5()).isEqualTo(MD5);
        assertThat(r.sha256()).isEmpty();
        assertThat(r.fileName()).isEqualTo("u.zip");
    }

    @Test
    void problemsNameTheIndex() {
        assertThatThrownBy(() -> ReleaseIndex.parse("http://idx", "{not json")).isInstanceOf(ToolException.class)
                .hasMessageContaining("release index http://idx is not valid JSON");
        assertThatThrownBy(() -> ReleaseIndex.parse("http://idx", "[{\"version\":\"1\",\"url\":\"http://x\"}]"))
                .hasMessageContaining("lists no downloadable release with a url and a checksum");
        assertThatThrownBy(() -> ReleaseIndex.parse("http://idx", index("http://x")).version("6.1", false))
                .hasMessageContaining("--version 6.1 is not in the release index http://idx; it has 6.12.10, 6.12.4")
                .satisfies(e -> assertThat(((ToolException) e).exitCode()).isEqualTo(2));
    }
}
