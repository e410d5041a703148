package io.github.pveusbgadget;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void onlyPlainNoOpHookCallsTakeTheFastPath() {
        assertThat(Main.isNoOpHook(new String[] {"hook", "100", "post-start"})).isTrue();
        assertThat(Main.isNoOpHook(new String[] {"hook", "999999999", "pre-stop"})).isTrue();
        assertThat(Main.isNoOpHook(new String[] {"hook", "100", "pre-start"})).isFalse();
        assertThat(Main.isNoOpHook(new String[] {"hook", "0100", "post-start"})).isFalse();
        assertThat(Main.isNoOpHook(new String[] {"hook", "1e3", "post-start"})).isFalse();
        assertThat(Main.isNoOpHook(new String[] {"hook", "", "post-start"})).isFalse();
        assertThat(Main.isNoOpHook(new String[] {"hook", "100", "post-start", "-v"})).isFalse();
        assertThat(Main.isNoOpHook(new String[] {"up", "100", "post-start"})).isFalse();
    }
}
