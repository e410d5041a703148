#!/usr/bin/env bash
# Start-up benchmark (PRODUCT.md: a no-op hook phase costs at most 3x a bare `java -version`).
# Interleaves N runs of each command and prints the medians and their ratio. Run on an idle machine:
#   bench/startup.sh [N]            (default N=31; builds the jar first if it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-31}
jar=${JAR:-target/pve-usb-gadget.jar}
[ -f "$jar" ] || mvn -B -q -DskipTests package
ms() {
    local s e
    s=$(date +%s%N)
    "$@" > /dev/null 2>&1
    e=$(date +%s%N)
    echo $(((e - s) / 1000))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
base=()
hook=()
pre=()
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT
truncate -s 64M "$cfg/img"
printf 'image = %s/img\nproduct_id = 0x4000\nserial = BENCH1\n' "$cfg" > "$cfg/100.conf"
chmod 600 "$cfg/100.conf"
for _ in 1 2 3; do # warm the page cache
    java -version > /dev/null 2>&1
    java -jar "$jar" hook 100 post-start
done
for ((i = 0; i < n; i++)); do
    base+=("$(ms java -version)")
    hook+=("$(ms java -jar "$jar" hook 100 post-start)")
    pre+=("$(ms java -jar "$jar" --config-dir "$cfg" hook 100 pre-start --dry-run)")
done
b=$(printf '%s\n' "${base[@]}" | median)
h=$(printf '%s\n' "${hook[@]}" | median)
p=$(printf '%s\n' "${pre[@]}" | median)
printf 'runs                                   %d (interleaved)\n' "$n"
printf 'java -version                  median  %8.1f ms\n' "$(echo "$b / 1000" | bc -l)"
printf 'hook 100 post-start (no-op)    median  %8.1f ms  = %.2fx java -version (target <= 3x)\n' \
    "$(echo "$h / 1000" | bc -l)" "$(echo "$h / $b" | bc -l)"
printf 'hook 100 pre-start --dry-run   median  %8.1f ms  (full parser, logging, config, plan)\n' \
    "$(echo "$p / 1000" | bc -l)"
