#!/bin/bash
# PID 1 of the benchmark guest after switch_root (this machine's userland, read-only 9p
# under a tmpfs overlay). Measures, for each configuration in $BENCH_CONFIGS, sequential
# read and write through the emulated USB drive with dd and direct I/O ($BENCH_RUNS runs
# each) and the time to read a $BENCH_FILE_MB MB file from the drive's filesystem; plus
# the page-cache read speed of the backing image (the ceiling). Raw numbers go to
# /bench-out/results.txt as "config metric run value" lines; bench/run computes medians.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8
. /bench-out/guest.env
OUT=/bench-out
RES=$OUT/results.txt
con() {
    echo "BENCH $*" > /dev/console
    echo "$*" >> "$OUT/guest.log"
}
finish() {
    con "END"
    sync
    echo 1 > /proc/sys/kernel/sysrq 2> /dev/null
    echo o > /proc/sysrq-trigger 2> /dev/null
    sleep 10
    busybox poweroff -f 2> /dev/null
    exit 0
}
trap finish EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777,size=90% tmpfs /tmp
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts 2> /dev/null
ln -sf /proc/self/fd /dev/fd 2> /dev/null
dmesg -n 1 2> /dev/null
: > "$RES"
con "BOOTED $(uname -r) $(nproc) cpus $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo)"

rm -f /etc/modprobe.d/pve-usb-gadget.conf # every configuration passes its own options
echo "options usb-storage delay_use=0" > /etc/modprobe.d/bench-usb-storage.conf
modprobe configfs
mount -t configfs configfs /sys/kernel/config
modprobe -a usb-storage sd_mod loop vfat nls_cp437 nls_iso8859-1 udc-core 2> /dev/null

W=/tmp/bench
mkdir -p "$W/cfg" && chmod 0755 "$W" "$W/cfg"
IMG=$W/drive.img
PRISTINE=$W/pristine.img

# ------------------------------------------------------------------ the image
# FAT32 superfloppy of $BENCH_IMG_MB MiB holding one $BENCH_FILE_MB MB file of random data
truncate -s "${BENCH_IMG_MB}M" "$PRISTINE"
mkfs.vfat -F 32 -n BENCH "$PRISTINE" > /dev/null || {
    con "FATAL mkfs.vfat failed"
    exit 1
}
mkdir -p /mnt/img
mount -o loop "$PRISTINE" /mnt/img || {
    con "FATAL cannot loop-mount the image"
    exit 1
}
head -c $((BENCH_FILE_MB * 1000000)) /dev/urandom > /mnt/img/big.bin
sha_file=$(sha256sum /mnt/img/big.bin | cut -d' ' -f1)
umount /mnt/img
losetup -D 2> /dev/null
con "INFO image ${BENCH_IMG_MB} MiB vfat with big.bin ($BENCH_FILE_MB MB) in tmpfs"

# dd wrapper: prints MB/s (10^6 bytes per second), from dd's own byte count and seconds
dd_rate() {
    local out
    out=$(LC_ALL=C dd "$@" 2>&1 | tail -n 1)
    # "268435456 bytes (268 MB, 256 MiB) copied, 1.2345 s, 217 MB/s"
    awk -v l="$out" 'BEGIN { n = split(l, f, " "); b = f[1]; for (i = 1; i <= n; i++) if (f[i] == "s," || f[i] == "s") { s = f[i-1]; break }
		if (s + 0 <= 0) { print "ERR"; exit } printf "%.1f\n", b / s / 1e6 }'
}

# ------------------------------------------------------------------ ceiling
for r in $(seq "$BENCH_RUNS"); do
    v=$(dd_rate if="$PRISTINE" of=/dev/null bs=1M)
    echo "ceiling pagecache_read_MBps $r $v" >> "$RES"
done
con "INFO ceiling: page-cache read of the image $(grep '^ceiling' "$RES" | awk '{print $4}' | tr '\n' ' ')MB/s"

# ------------------------------------------------------------------ configurations
# MODULE|UDC-OPTIONS|GADGET|MS-MODULE|MS-OPTIONS
#   MODULE     distro = the kernel's own dummy_hcd.ko; ours/legacy/patched = $KO_* files
#   GADGET     gms  = legacy g_mass_storage gadget, file=IMG removable=1 (the write-up)
#              pvug = pve-usb-gadget's own gadget (the jar: init + up/down; configfs otherwise)
#   MS-MODULE  distro = the kernel's own usb_f_mass_storage.ko; ours = $KO_MS (our DKMS build)
# Variants of "ours" for measuring one lever at a time:
#   ours-stockms          our dummy_hcd and gadget with the kernel's own usb_f_mass_storage
#   ours-ms<N>x<K>        our usb_f_mass_storage with num_buffers=N buflen=K KiB
#   ours-udc:<opts>       our defaults with dummy_hcd options <opts> added (comma-separated k=v)
#   ours-q:<k=v,...>      our defaults with the host-side disk's queue/ attributes set (max_sectors_kb=256,...);
#                         device.<k>=v sets the SCSI device's attribute instead (device.max_sectors=2048:
#                         usb-storage's largest command), udc.<k>=v adds a dummy_hcd option (udc.kick=0)
cfg_line() {
    case $1 in
        writeup) echo "distro||gms|distro|" ;;
        ours) echo "ours|$OUR_UDC_OPTS|pvug|ours|$OUR_MS_OPTS" ;;
        ours-stockms) echo "ours|$OUR_UDC_OPTS|pvug|distro|" ;;
        ours-ms*x*)
            local v=${1#ours-ms}
            echo "ours|$OUR_UDC_OPTS|pvug|ours|num_buffers=${v%x*} buflen=$((${v#*x} * 1024))"
            ;;
        ours-udc:*) echo "ours|$OUR_UDC_OPTS $(echo "${1#ours-udc:}" | tr ',' ' ')|pvug|ours|$OUR_MS_OPTS" ;;
        ours-q:*) echo "ours|$OUR_UDC_OPTS $(echo "${1#ours-q:}" | tr ',' '\n' | sed -n 's/^udc\.//p' | tr '\n' ' ')|pvug|ours|$OUR_MS_OPTS" ;;
        legacy-writeup) echo "legacy||gms|distro|" ;;
        legacy-ours) echo "legacy|$OUR_UDC_OPTS|pvug|distro|" ;;
        patched-ours) echo "patched|$OUR_UDC_OPTS|pvug|distro|" ;;
        *) return 1 ;;
    esac
}

queue_settings() { # CONFIG DISK: the host-side queue attributes an ours-q: configuration names
    local kv k
    case $1 in ours-q:*) ;; *) return 0 ;; esac
    for kv in $(echo "${1#ours-q:}" | tr ',' ' '); do
        case $kv in
            udc.*) ;;
            device.*)
                k=${kv%%=*}
                echo "${kv#*=}" > "/sys/block/${2#/dev/}/device/${k#device.}" || con "INFO $1: cannot set device/${k#device.}"
                ;;
            *) echo "${kv#*=}" > "/sys/block/${2#/dev/}/queue/${kv%%=*}" || con "INFO $1: cannot set queue/${kv%%=*}" ;;
        esac
    done
}
find_disk() { # waits up to $1 s for the sd disk behind dummy_hcd
    local i b
    for i in $(seq $(($1 * 10))); do
        for b in /sys/block/sd*; do
            [ -e "$b" ] || continue
            case "$(readlink -f "$b")" in *dummy_hcd*) ;; *) continue ;; esac
            [ "$(cat "$b/size" 2> /dev/null || echo 0)" -gt 0 ] && {
                echo "/dev/${b##*/}"
                return 0
            }
        done
        sleep 0.1
    done
    return 1
}
usb_speed() {
    local d
    for d in /sys/bus/usb/devices/*; do
        [ -r "$d/speed" ] && [ -r "$d/idVendor" ] || continue
        case "$(readlink -f "$d")" in *dummy_hcd*) ;; *) continue ;; esac
        [ "$(cat "$d/bDeviceClass" 2> /dev/null)" = 09 ] && continue # root hubs
        cat "$d/speed"
        return
    done
    echo "?"
}

pvug() { "${BENCH_JAVA:-java}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" --config-dir "$W/cfg" "$@"; }
G=/sys/kernel/config/usb_gadget/bench
# the same steps as "pve-usb-gadget up --dry-run" prints, for when there is no jar
configfs_up() {
    modprobe -a libcomposite usb_f_mass_storage
    mkdir -p $G/strings/0x409 $G/configs/c.1/strings/0x409 $G/functions/mass_storage.0
    echo 0x1d6b > $G/idVendor
    echo 0x4000 > $G/idProduct
    echo 0x0100 > $G/bcdDevice
    echo 0x0200 > $G/bcdUSB
    echo BENCH0000000001 > $G/strings/0x409/serialnumber
    echo pve-usb-gadget > $G/strings/0x409/manufacturer
    echo 'Virtual Flash' > $G/strings/0x409/product
    echo 500 > $G/configs/c.1/MaxPower
    echo 'Mass Storage' > $G/configs/c.1/strings/0x409/configuration
    local l=$G/functions/mass_storage.0/lun.0
    echo 0 > $l/ro
    echo 0 > $l/cdrom
    echo 1 > $l/removable
    echo 0 > $l/nofua
    echo 'PVE     Virtual Flash   1.00' > $l/inquiry_string
    echo "$IMG" > $l/file
    ln -s $G/functions/mass_storage.0 $G/configs/c.1/
    echo super-speed > $G/max_speed
    ls /sys/class/udc | head -n 1 > $G/UDC
}
configfs_down() {
    echo "" > $G/UDC 2> /dev/null
    rm -f $G/configs/c.1/mass_storage.0
    rmdir $G/configs/c.1/strings/0x409 $G/configs/c.1 $G/functions/mass_storage.0 $G/strings/0x409 $G 2> /dev/null
}

# the write-up's gadget: testlib's (also bench/firmware-load's)
# shellcheck source=../../testlib/writeup-gadget.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../testlib/writeup-gadget.sh"

GADGET_KIND=
setup() { # config
    local line mod opts gadget msmod msopts
    ko=
    line=$(cfg_line "$1") || return 1
    IFS='|' read -r mod opts gadget msmod msopts <<< "$line"
    cp "$PRISTINE" "$IMG"
    case $mod in
        distro) modprobe dummy_hcd $opts || return 1 ;;
        *)
            ko=$(eval echo "\${KO_${mod^^}:-}")
            [ -n "$ko" ] && [ -r "$ko" ] || {
                con "INFO $1: no module for '$mod', skipped"
                return 1
            }
            modprobe -a usbcore udc-core
            insmod "$ko" $opts || return 1
            ;;
    esac
    modprobe libcomposite
    if [ "$msmod" = ours ]; then
        [ -r "${KO_MS:-}" ] || {
            con "INFO $1: no usb_f_mass_storage module of ours, skipped"
            return 1
        }
        insmod "$KO_MS" $msopts || return 1
    else
        modprobe usb_f_mass_storage || return 1
    fi
    [ -n "${ROUND:-}" ] ||
        con "INFO $1: dummy_hcd ${ko:-$(modinfo -n dummy_hcd)} (version $(cat /sys/module/dummy_hcd/version 2> /dev/null || echo none)) options '${opts:-(defaults)}', $(ls /sys/class/udc | wc -l) UDC(s); usb_f_mass_storage $msmod (version $(cat /sys/module/usb_f_mass_storage/version 2> /dev/null || echo none)) '${msopts:-(defaults)}'"
    case $gadget in
        gms)
            writeup_gms_up "$IMG" > "$W/gms.log" 2>&1 || {
                con "INFO $1: the write-up's gadget ($WRITEUP_GADGET) failed: $(tr '\n' ' ' < "$W/gms.log")"
                return 1
            }
            GADGET_KIND=$WRITEUP_GADGET # g_mass_storage, or gms-configfs where the kernel does not build it (6.1)
            ;;
        pvug)
            if [ -z "${ROUND:-}" ] && [ -n "${JAR:-}" ] && [ -r "$JAR" ] && command -v "${BENCH_JAVA:-java}" > /dev/null; then
                GADGET_KIND=pvug
                rm -f "$W/cfg/"*.conf
                pvug init 901 --image "$IMG" > "$W/pvug.log" 2>&1 && pvug up 901 >> "$W/pvug.log" 2>&1 ||
                    {
                        con "INFO $1: pve-usb-gadget up failed: $(tail -n 3 "$W/pvug.log" | tr '\n' ' ')"
                        return 1
                    }
            else
                GADGET_KIND=configfs
                configfs_up || return 1
            fi
            ;;
    esac
    return 0
}
teardown() {
    case $GADGET_KIND in
        g_mass_storage | gms-configfs) writeup_gms_down ;;
        pvug) pvug down 901 > /dev/null 2>&1 ;;
        configfs) configfs_down ;;
    esac
    GADGET_KIND=
    sleep 0.5
    local m
    for m in usb_f_mass_storage dummy_hcd; do # (pve-usb-gadget down may have unloaded them already)
        [ -d /sys/module/$m ] || continue
        rmmod $m 2> /dev/null || {
            sleep 2
            rmmod $m
        }
    done
}

# CPU time of the whole guest (both sides of the drive run in this one kernel), in seconds:
# user+nice+system+irq+softirq of /proc/stat's cpu line (USER_HZ = 100)
cpu_busy_s() { awk '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / 100 }' /proc/stat; }
# HRTIMER softirqs so far (all CPUs): dummy_hcd's scheduler runs as one, so an idle drive that
# keeps its timer going shows up here
hrtimer_softirqs() { awk '/HRTIMER:/ { n = 0; for (i = 2; i <= NF; i++) n += $i; print n }' /proc/softirqs; }
# utime+stime of the gadget's file-storage kthread(s), seconds
fsg_thread_s() {
    local p t=0
    for p in /proc/[0-9]*; do
        [ "$(cat "$p/comm" 2> /dev/null)" = file-storage ] || continue
        t=$((t + $(awk '{print $14 + $15}' "$p/stat")))
    done
    awk -v t="$t" 'BEGIN { printf "%.2f\n", t / 100 }'
}
# dd with the guest's CPU seconds per MB: prints "MBps cpu_ms_per_MB"
dd_rate_cpu() {
    local c0 c1 r
    c0=$(cpu_busy_s)
    r=$(dd_rate "$@")
    c1=$(cpu_busy_s)
    awk -v r="$r" -v a="$c0" -v b="$c1" -v n="$DDMB" 'BEGIN { printf "%s %.2f\n", r, (b - a) * 1000 / (n * 1.048576) }'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "?"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# Phase 1, one configuration after the other: the gadget as the product builds it (the jar for
# "pvug"), the 300 MB file, the run size. Phase 2: $BENCH_RUNS rounds, each setting up every
# configuration in turn for one read and one write run, so that a change in the host's load hits
# all configurations alike (the rounds build "pvug" gadgets with the jar's exact configfs steps,
# a JVM start per round being too slow under TCG).
declare -A MB PART
for c in $BENCH_CONFIGS; do
    con "START $c"
    if ! setup "$c"; then
        con "INFO $c: setup failed, skipped ($(dmesg | tail -n 3 | tr '\n' ' '))"
        teardown 2> /dev/null
        continue
    fi
    disk=$(find_disk 60) || {
        con "INFO $c: no disk appeared"
        teardown
        continue
    }
    queue_settings "$c" "$disk"
    con "INFO $c: host-side queue max_sectors_kb=$(cat /sys/block/${disk#/dev/}/queue/max_sectors_kb) max_hw_sectors_kb=$(cat /sys/block/${disk#/dev/}/queue/max_hw_sectors_kb) read_ahead_kb=$(cat /sys/block/${disk#/dev/}/queue/read_ahead_kb) nr_requests=$(cat /sys/block/${disk#/dev/}/queue/nr_requests)"
    speed=$(usb_speed)
    echo "$c usb_speed_Mbps 1 $speed" >> "$RES"
    echo "$c gadget 1 $GADGET_KIND" >> "$RES"
    con "INFO $c: $disk at $speed Mb/s, gadget $GADGET_KIND"

    # size the runs: about $BENCH_TARGET_S seconds each, from a 4 MiB probe
    probe=$(dd_rate if="$disk" of=/dev/null bs=1M count=4 iflag=direct)
    mb=$(awk -v p="$probe" -v t="$BENCH_TARGET_S" -v min="${BENCH_MIN_MB:-4}" -v max="$((BENCH_IMG_MB - 16))" 'BEGIN { n = p * t / 1.048576; n = (n >= 32) ? int(n / 16) * 16 : int(n / 4) * 4; if (n < min) n = min; if (n > max) n = max; print n }')
    echo "$c probe_MBps 1 $probe" >> "$RES"
    echo "$c run_MiB 1 $mb" >> "$RES"
    con "INFO $c: probe $probe MB/s, runs of $mb MiB"

    # the 300 MB file, through the filesystem, caches dropped before each run. When the probe
    # says that would take more than $BENCH_FILE_CAP_S s, one run reads only the start of the
    # file and the whole-file time is extrapolated (and marked so).
    mkdir -p /mnt/drive
    part=$(awk -v p="$probe" -v f="$BENCH_FILE_MB" -v cap="$BENCH_FILE_CAP_S" 'BEGIN { if (p <= 0 || f / p > cap) { m = int(p * cap / 4); if (m < 4) m = 4; print m } else print 0 }')
    fruns=$BENCH_FILE_RUNS
    [ "$part" -gt 0 ] && fruns=1
    for r in $(seq "$fruns"); do
        mount -t vfat -o ro "$disk" /mnt/drive || {
            con "INFO $c: mount failed"
            break
        }
        if [ "$r" = 1 ] && [ "$part" = 0 ]; then
            [ "$(sha256sum < /mnt/drive/big.bin | cut -d' ' -f1)" = "$sha_file" ] && echo "$c file_sha_ok 1 yes" >> "$RES" || echo "$c file_sha_ok 1 NO" >> "$RES"
        fi
        sync
        echo 3 > /proc/sys/vm/drop_caches
        t0=$(date +%s.%N)
        if [ "$part" = 0 ]; then
            cat /mnt/drive/big.bin > /dev/null
            t1=$(date +%s.%N)
            echo "$c file_read_s $r $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >> "$RES"
        else
            dd if=/mnt/drive/big.bin of=/dev/null bs=1M count="$part" status=none
            t1=$(date +%s.%N)
            echo "$c file_read_s $r $(awk -v a="$t0" -v b="$t1" -v m="$part" -v f="$BENCH_FILE_MB" 'BEGIN { printf "%.0f", (b - a) * f * 1e6 / (m * 1048576) }')" >> "$RES"
            echo "$c file_read_extrapolated_from_MiB 1 $part" >> "$RES"
        fi
        umount /mnt/drive
    done

    MB[$c]=$mb
    PART[$c]=$part
    teardown
done

for r in $(seq "$BENCH_RUNS"); do
    con "ROUND $r"
    for c in $BENCH_CONFIGS; do
        [ -n "${MB[$c]:-}" ] || continue
        if ! ROUND=$r setup "$c"; then
            con "INFO $c: round $r setup failed"
            teardown 2> /dev/null
            continue
        fi
        disk=$(find_disk 60) || {
            con "INFO $c: round $r: no disk"
            teardown
            continue
        }
        queue_settings "$c" "$disk"
        DDMB=${MB[$c]}
        read -r v cpu <<< "$(dd_rate_cpu if="$disk" of=/dev/null bs=1M count="${MB[$c]}" iflag=direct)"
        echo "$c read_MBps $r $v" >> "$RES"
        echo "$c read_cpu_ms_per_MB $r $cpu" >> "$RES"
        read -r v cpu <<< "$(dd_rate_cpu if=/dev/zero of="$disk" bs=1M count="${MB[$c]}" oflag=direct)"
        echo "$c write_MBps $r $v" >> "$RES"
        echo "$c write_cpu_ms_per_MB $r $cpu" >> "$RES"
        # a firmware's reads: one command of BENCH_FW_BS bytes at a time (SeaBIOS gets syslinux's
        # 127 sectors per int 13h), so every command pays the whole round trip
        if [ "$BENCH_FW_BS" -gt 0 ]; then
            echo "$c fwread_MBps $r $(dd_rate if="$disk" of=/dev/null bs="$BENCH_FW_BS" count=$((MB[$c] * 1048576 / BENCH_FW_BS)) iflag=direct)" >> "$RES"
        fi
        teardown
    done
done
# Idle cost (BENCH_IDLE_S seconds each, 0 = off): the guest with no drive at all, then with each
# configuration's drive bound, enumerated and idle (no I/O, not mounted), as a VM that does nothing
# leaves it. CPU seconds per minute of the whole guest, HRTIMER softirqs per minute (dummy_hcd's
# timer runs as one) and the file-storage thread's CPU.
idle_measure() { # NAME
    local c0 h0 f0 c1 h1 f1
    # settle first: the host's partition scan and the first commands after enumeration are not idling
    sleep "${BENCH_IDLE_SETTLE_S:-20}"
    c0=$(cpu_busy_s) h0=$(hrtimer_softirqs) f0=$(fsg_thread_s)
    sleep "$BENCH_IDLE_S"
    c1=$(cpu_busy_s) h1=$(hrtimer_softirqs) f1=$(fsg_thread_s)
    awk -v n="$1" -v a="$c0" -v b="$c1" -v t="$BENCH_IDLE_S" 'BEGIN { printf "%s idle_cpu_s_per_min 1 %.3f\n", n, (b - a) * 60 / t }' >> "$RES"
    awk -v n="$1" -v a="$h0" -v b="$h1" -v t="$BENCH_IDLE_S" 'BEGIN { printf "%s idle_hrtimer_per_min 1 %.0f\n", n, (b - a) * 60 / t }' >> "$RES"
    awk -v n="$1" -v a="$f0" -v b="$f1" -v t="$BENCH_IDLE_S" 'BEGIN { printf "%s idle_fsg_thread_s_per_min 1 %.3f\n", n, (b - a) * 60 / t }' >> "$RES"
    con "INFO idle $1: $(grep "^$1 idle_" "$RES" | awk '{printf "%s=%s ", $2, $4}')busiest: $(busiest)"
}
# the three tasks with the most CPU time so far (comm=seconds), to tell what keeps an idle guest busy
busiest() {
    local p
    for p in /proc/[0-9]*; do awk '{ c = $2; gsub(/[()]/, "", c); printf "%s=%.1f\n", c, ($14 + $15) / 100 }' "$p/stat" 2> /dev/null; done |
        sort -t= -k2 -rn | head -n 3 | tr '\n' ' '
}
if [ "${BENCH_IDLE_S:-0}" -gt 0 ]; then
    for r in 1 2; do # twice, interleaved, so that a burst of host load shows as disagreement
        idle_measure "none-$r"
        for c in $BENCH_CONFIGS; do
            [ -n "${MB[$c]:-}" ] || continue
            ROUND=idle setup "$c" && disk=$(find_disk 60) && idle_measure "$c-$r"
            teardown
        done
    done
fi

# A profile of one configuration's reads and writes (BENCH_PERF=config): perf from the host's
# linux-perf, system-wide, call graphs; the reports go to bench/out/<time>/perf-*.txt.
if [ -n "${BENCH_PERF:-}" ] && command -v perf > /dev/null && [ -n "${MB[$BENCH_PERF]:-}" ]; then
    if ROUND=perf setup "$BENCH_PERF" && disk=$(find_disk 60); then
        for op in read write; do
            if [ $op = read ]; then set -- if="$disk" of=/dev/null iflag=direct; else set -- if=/dev/zero of="$disk" oflag=direct; fi
            perf record -q -a -g -o "$W/perf.data" -- dd "$@" bs=1M count="${MB[$BENCH_PERF]}" status=none 2> "$W/perf.err"
            perf report -i "$W/perf.data" --no-children --sort sym --stdio 2> /dev/null | grep -v '^$' | head -n 150 > "$OUT/perf-$BENCH_PERF-$op.txt"
            perf report -i "$W/perf.data" --no-children --sort comm --stdio 2> /dev/null | grep -v '^#' | grep -v '^$' | head -n 20 > "$OUT/perf-$BENCH_PERF-$op-comm.txt"
            con "INFO perf $BENCH_PERF $op: $(grep -m 5 '%' "$OUT/perf-$BENCH_PERF-$op.txt" | awk '{printf "%s %s; ", $1, $NF}')"
        done
    fi
    teardown
fi

for c in $BENCH_CONFIGS; do
    [ -n "${MB[$c]:-}" ] || continue
    con "RESULT $c read $(grep "^$c read_MBps" "$RES" | awk '{print $4}' | median) MB/s, write $(grep "^$c write_MBps" "$RES" | awk '{print $4}' | median) MB/s, file $(grep "^$c file_read_s" "$RES" | awk '{print $4}' | median) s$([ "${PART[$c]}" -gt 0 ] && echo " (extrapolated from ${PART[$c]} MiB)") (runs of ${MB[$c]} MiB)"
done
