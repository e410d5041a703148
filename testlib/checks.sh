# shellcheck shell=bash
# The one check vocabulary of every shell suite:
#
#   . testlib/checks.sh
#   pass MSG            prints "ok - MSG" and counts it
#   fail MSG            prints "not ok - MSG" and counts it
#   skip MSG            prints "skip - MSG" (a check that cannot run here, with the reason) and counts it
#   check MSG CMD...    pass or fail by CMD's exit status (CMD's output is not hidden)
#   check_quiet MSG CMD...   the same with CMD's output thrown away
#   checks_add LINE     adds a sub-suite's "N passed, N failed[, N skipped]" line to the counts (fails if LINE is
#                       not such a line)
#   finish              prints "N passed, N failed" (", N skipped" when some were) and exits 0 only if none failed
#
# The last line of every suite is that summary: .ci/run and CI read it.
CHECKS_PASSED=0
CHECKS_FAILED=0
CHECKS_SKIPPED=0

pass() {
    CHECKS_PASSED=$((CHECKS_PASSED + 1))
    echo "ok - $*"
}
fail() {
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
    echo "not ok - $*"
}
skip() {
    CHECKS_SKIPPED=$((CHECKS_SKIPPED + 1))
    echo "skip - $*"
}
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
check_quiet() {
    local what=$1
    shift
    if "$@" > /dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
checks_add() {
    local p f s
    if [[ $1 =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
        CHECKS_PASSED=$((CHECKS_PASSED + p)) CHECKS_FAILED=$((CHECKS_FAILED + f)) CHECKS_SKIPPED=$((CHECKS_SKIPPED + s))
    else
        fail "a summary line 'N passed, N failed' (got: '${1:-nothing}')"
    fi
}
checks_summary() {
    local s="$CHECKS_PASSED passed, $CHECKS_FAILED failed"
    [ "$CHECKS_SKIPPED" = 0 ] || s+=", $CHECKS_SKIPPED skipped"
    echo "$s"
}
finish() {
    checks_summary
    [ "$CHECKS_FAILED" = 0 ]
    exit $?
}
