#!/bin/bash
# bench/lib/table.sh OUTDIR: the markdown table of a bench/run result folder (results.txt +
# meta.env), printed and written to OUTDIR/table.md and bench/out/results-<kernel>-<time>.md.
set -uo pipefail
OUT=$1
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$OUT/meta.env"
FILE_MB=${FILE_MB:-300}
R=$OUT/results.txt
[ -s "$R" ] || {
    echo "table: no results in $OUT" >&2
    exit 1
}
med() { grep "^$1 $2 " "$R" | awk '{print $4}' | grep -v ERR | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
one() { grep "^$1 $2 " "$R" | head -n 1 | awk '{print $4}'; }
all() { grep "^$1 $2 " "$R" | awk '{print $4}' | tr '\n' ' ' | sed 's/ $//'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }
declare -A desc=(
    [writeup]="(a) write-up: kernel's own dummy_hcd, defaults, g_mass_storage gadget"
    [ours]="(b) ours: DKMS modules (dummy_hcd, usb_f_mass_storage), our modprobe.d, our gadget"
    ["ours-stockms"]="ours with the kernel's own usb_f_mass_storage (2 x 16 KiB buffers)"
    ["legacy-writeup"]="timer_list source unpatched, write-up settings"
    ["legacy-ours"]="timer_list source unpatched, our settings"
    ["patched-ours"]="timer_list source + our hrtimer patch, our settings"
)
table=$OUT/table.md
{
    echo "Kernel $KVER (HZ=$HZ), QEMU $ACCEL, 2 vCPUs, $DATE. Medians of $RUNS runs (MB/s = 10^6 B/s; firmware-sized reads: dd bs=${FW_BS:-65024}, direct, one command at a time); $FILE_MB MB file: median of $FILE_RUNS. Host: $(nproc) cores, load average $LOAD0 before the boot, $LOAD1 after."
    echo
    echo "| configuration | USB speed | seq read MB/s | seq write MB/s | read, write / writeup | CPU ms per MB read, write | $FILE_MB MB file read | firmware-sized reads MB/s, / writeup | run size |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for c in $CONFIGS; do
        grep -q "^$c " "$R" || {
            echo "| $c: ${desc[$c]:-} | skipped | | | | | | | |"
            continue
        }
        x=$(one "$c" file_read_extrapolated_from_MiB)
        echo "| $c: ${desc[$c]:-} | $(one "$c" usb_speed_Mbps) Mb/s | $(med "$c" read_MBps) | $(med "$c" write_MBps) | $(ratio "$(med "$c" read_MBps)" "$(med writeup read_MBps)"), $(ratio "$(med "$c" write_MBps)" "$(med writeup write_MBps)") | $(med "$c" read_cpu_ms_per_MB), $(med "$c" write_cpu_ms_per_MB) | $(med "$c" file_read_s) s${x:+ (extrapolated from the first $x MiB)} | $(med "$c" fwread_MBps), $(ratio "$(med "$c" fwread_MBps)" "$(med writeup fwread_MBps)") | $(one "$c" run_MiB) MiB |"
    done
    echo "| ceiling: page-cache read of the image | | $(med ceiling pagecache_read_MBps) | | | | | | |"
    echo
    echo "- (b) / (a): read $(ratio "$(med ours read_MBps)" "$(med writeup read_MBps)"), write $(ratio "$(med ours write_MBps)" "$(med writeup write_MBps)"), $FILE_MB MB file $(ratio "$(med writeup file_read_s)" "$(med ours file_read_s)") faster"
    echo "- timer_list source, our settings, patched / unpatched: read $(ratio "$(med patched-ours read_MBps)" "$(med legacy-ours read_MBps)"), write $(ratio "$(med patched-ours write_MBps)" "$(med legacy-ours write_MBps)"), $FILE_MB MB file $(ratio "$(med legacy-ours file_read_s)" "$(med patched-ours file_read_s)") faster"
    echo "- patched with our settings / unpatched with the write-up's: read $(ratio "$(med patched-ours read_MBps)" "$(med legacy-writeup read_MBps)"), write $(ratio "$(med patched-ours write_MBps)" "$(med legacy-writeup write_MBps)"), $FILE_MB MB file $(ratio "$(med legacy-writeup file_read_s)" "$(med patched-ours file_read_s)") faster"
    bad=$(grep ' file_sha_ok 1 NO' "$R" | awk '{print $1}' | tr '\n' ' ' || true)
    echo "- the $FILE_MB MB file's sha256 was checked through every configuration that read it whole${bad:+; MISMATCH: $bad}"
    echo "- gadget for 'ours': $(one ours gadget) (phase 1)"
    echo
    echo "Individual runs (MB/s):"
    echo
    for c in $CONFIGS; do
        grep -q "^$c read_MBps" "$R" || continue
        echo "- $c: read $(all "$c" read_MBps); write $(all "$c" write_MBps); firmware-sized reads $(all "$c" fwread_MBps); file s: $(all "$c" file_read_s)"
    done
    echo "- ceiling: $(all ceiling pagecache_read_MBps)"
    if grep -q ' idle_cpu_s_per_min ' "$R"; then
        echo
        echo "Idle cost (the guest idle for BENCH_IDLE_S s with no drive, then with each drive bound and idle; two interleaved passes):"
        echo
        echo "| state | CPU s per minute (whole guest) | HRTIMER softirqs per minute | file-storage thread CPU s per minute |"
        echo "|---|---:|---:|---:|"
        grep ' idle_cpu_s_per_min ' "$R" | awk '{print $1}' | while read -r n; do
            echo "| $n | $(one "$n" idle_cpu_s_per_min) | $(one "$n" idle_hrtimer_per_min) | $(one "$n" idle_fsg_thread_s_per_min) |"
        done
    fi
} > "$table"
cp "$table" "$BENCH_DIR/out/results-$LABEL-$STAMP.md"
cat "$table"
