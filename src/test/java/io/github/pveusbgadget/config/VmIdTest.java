package io.github.pveusbgadget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pveusbgadget.ToolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmIdTest {
    @Test
    void acceptsPlainPositiveIntegers() {
        assertThat(VmId.parse("100").value()).isEqualTo(100);
        assertThat(VmId.parse("999999999")).hasToString("999999999");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1e3", "../1", "0100", "100 ", "", "１００", "12345678901", "abc", "1/2"})
    void refusesAnythingElseWithExitTwo(String text) {
        assertThatThrownBy(() -> VmId.parse(text))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("invalid vmid")
                .extracting(e -> ((ToolException) e).exitCode()).isEqualTo(2);
    }
}
