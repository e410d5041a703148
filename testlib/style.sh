#!/usr/bin/env bash
# One style for every shell file of the repository: shfmt -i 4 -ci -sr (four spaces, case branches indented, a space
# after redirection operators).
#   testlib/style.sh            checks every shell file (a diff for each one that is not formatted)
#   testlib/style.sh --write    formats them
# Shell files: *.sh and the files whose first line is a sh/bash/busybox-sh shebang, tracked or new (not ignored).
# Installs shfmt with apt-get when it is missing (as root; else it says so and fails). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=checks.sh
. testlib/checks.sh
# shellcheck source=debian.sh
. testlib/debian.sh
SHFMT_OPTS=(-i 4 -ci -sr)

shell_files() {
    git ls-files --cached --others --exclude-standard | sort -u | while IFS= read -r f; do
        [ -f "$f" ] || continue
        case $f in
            *.sh) echo "$f" ;;
            *) head -n 1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$f" ;;
        esac
    done
}

if ! command -v shfmt > /dev/null; then
    if [ "$(id -u)" = 0 ]; then debian_need shfmt; fi
    command -v shfmt > /dev/null || {
        fail "shfmt is installed (apt-get install shfmt)"
        finish
    }
fi
mapfile -t files < <(shell_files)
if [ "${1:-}" = --write ]; then
    shfmt "${SHFMT_OPTS[@]}" -w "${files[@]}"
    exit
fi
for f in "${files[@]}"; do
    check "$f is formatted (shfmt ${SHFMT_OPTS[*]})" shfmt "${SHFMT_OPTS[@]}" -d "$f"
done
finish
