#!/bin/bash
# The firmware benchmark's guest part (bench/firmware-load runs it through itest/run, as a scenario): this guest plays
# the Proxmox host, as in itest/scenarios/90-nested-boot.sh, and for each configuration of $BENCH_CONFIGS (writeup:
# testlib/writeup-gadget.sh; ours: the repository's modprobe.d and DKMS modules, the drive built by `pre-start`
# through the hookscript shim) and each firmware of $BENCH_FIRMWARE boots a nested VM started as qemu-server starts it
# (itest/lib/nested-vm.sh) from the drive. From the VM's serial console, time-stamped as it arrives:
#   loader_s    QEMU's start until syslinux begins "Loading /bzimage" (firmware start, USB enumeration, the menu)
#   load_s      "Loading /bzimage" until "Loading /bzroot...ok": the firmware reading kernel + initrd from the drive
#   load_MBps   (bzimage + bzroot) / load_s, in 10^6 bytes per second
#   read_MBps, write_MBps   the nested Linux guest's dd through the passthrough (make-fixture-zip.sh --rw-mb), on the
#               firmware $BENCH_LINUX_ON only: the boots with the other firmware end once the initrd is loaded (a nested
#               Linux boot takes minutes, and its dd does not depend on the firmware that started it)
# Raw lines "ROUND CONFIG FIRMWARE METRIC VALUE" go to $ITEST_OUT/firmware-results.txt; bench/firmware-load makes the
# table. $ITEST_SCENARIO_ENV holds the BENCH_* settings.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"
. "$ITEST_DIR/lib/nested-vm.sh"
. "$ITEST_DIR/../testlib/writeup-gadget.sh"
[ -n "${ITEST_SCENARIO_ENV:-}" ] && . "$ITEST_SCENARIO_ENV"
[ -n "${ITEST_NESTED_ZIP:-}" ] && [ -r "$ITEST_NESTED_ZIP" ] || die "no fixture zip (run this through bench/firmware-load)"
RES=$ITEST_OUT/firmware-results.txt
: > "$RES"
MARKER=PVE-USB-GADGET-NESTED
VMID=191
img="$SCRATCH/unraid-$VMID.img"

ITEST_JAVA_OPTS=${ITEST_JAVA_OPTS/-Xint/-XX:TieredStopAtLevel=1} run_pvug 0 image create --zip "$ITEST_NESTED_ZIP" \
    --output "$img" --size 1G
[ -f "$img" ] || die "image create made no $img"
bytes=$(($(unzip -p "$ITEST_NESTED_ZIP" bzimage | wc -c) + $(unzip -p "$ITEST_NESTED_ZIP" bzroot | wc -c)))
echo "bench: bzimage + bzroot = $bytes bytes; nested VM memory ${BENCH_NESTED_MEM} MiB"
echo "0 - - loaded_bytes $bytes" >> "$RES"

# usb_dev VID PID: the host's sysfs device with that VID:PID
usb_dev() {
    local d
    for d in /sys/bus/usb/devices/*; do
        [ "$(attr "$d/idVendor"):$(attr "$d/idProduct")" = "$1:$2" ] && echo "$d" && return 0
    done
    return 1
}
# up CONFIG: the drive of that configuration, bound and enumerated; sets VID PID. "ours+KEY=VALUE+..." is ours with
# those config keys (ours+max_speed=high: the one lever of speed alone).
up() {
    case $1 in
        writeup)
            writeup_up "$img" || return 1
            VID=$WRITEUP_VID PID=$WRITEUP_PID
            ;;
        ours*)
            local keys=()
            [[ $1 == *+* ]] && IFS=+ read -r -a keys <<< "${1#*+}"
            write_conf $VMID image="$img" product_id=0x4000 serial=BENCH0000000191 enumerate_timeout=120 "${keys[@]}"
            run_hook 0 $VMID pre-start
            [ "$RC" = 0 ] || return 1
            VID=1d6b PID=4000
            ;;
    esac
    wait_until 60 usb_dev $VID $PID || return 1
    local d params=""
    d=$(usb_dev $VID $PID)
    for p in /sys/module/dummy_hcd/parameters/*; do params+="${p##*/}=$(attr "$p") "; done
    local ko
    ko=$(modinfo -n dummy_hcd)
    [ "$1" = writeup ] && ko=$WRITEUP_KO
    echo "bench: $1: the host sees $VID:$PID at $(attr "$d/speed") Mb/s; dummy_hcd $ko (srcversion $(attr /sys/module/dummy_hcd/srcversion)), parameters: $params; usb_f_mass_storage $(modinfo -n usb_f_mass_storage)"
    echo "0 $1 - host_speed $(attr "$d/speed")" >> "$RES"
}
down() {
    case $1 in
        writeup) writeup_down ;;
        ours*) run_hook 0 $VMID post-stop ;;
    esac
    itest_cleanup_all > /dev/null 2>&1
}

boot() { # ROUND CONFIG FIRMWARE
    # the name (QEMU's -name, the kept files) with "~" for "=": QEMU would take "ours+max_speed=high" for an option
    local r=$1 c=$2 fw=$3 name="${2//=/\~}-$3-$1" keep="${ITEST_OUT:-$SCRATCH}/firmware"
    nested_vm_cmd $VMID "$name" "$fw" "$VID" "$PID" "$BENCH_NESTED_MEM" "$SCRATCH/vm"
    # BENCH_TRACE=1: where a firmware's time goes. SeaBIOS's debug log (its port 0x402: timeouts, failed transfers)
    # and usbmon's text trace of the drive's bus on this host (every URB with its time, length and status).
    local mon=
    if [ "${BENCH_TRACE:-0}" = 1 ]; then
        [ "$fw" = seabios ] && NESTED_QEMU+=(-chardev "file,id=fwdebug,path=$keep.$name.seabios-debug.log"
            -device "isa-debugcon,iobase=0x402,chardev=fwdebug")
        local bus
        bus=$(attr "$(usb_dev "$VID" "$PID")/busnum")
        modprobe usbmon 2> /dev/null
        mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
        if [ -r "/sys/kernel/debug/usb/usbmon/${bus}u" ]; then
            cat "/sys/kernel/debug/usb/usbmon/${bus}u" > "$keep.$name.usbmon.txt" &
            mon=$!
        else
            echo "bench: no usbmon for bus $bus"
        fi
    fi
    [ "$r" = 1 ] && echo "\$ ${NESTED_QEMU[*]}"
    local stop="$NESTED_LOADED"
    [ "$fw" = "$BENCH_LINUX_ON" ] && stop=
    nested_vm_run "$name" "$BENCH_BOOT_TIMEOUT" "$stop"
    [ -n "$mon" ] && kill "$mon" 2> /dev/null
    cp "$NESTED_LOG" "$keep.$name.console.log" 2> /dev/null
    cp "$NESTED_TIMES" "$keep.$name.times" 2> /dev/null
    local t_load t_root t_init rw
    t_load=$(nested_vm_when "$NESTED_AT_LOADER")
    t_root=$(nested_vm_when "$NESTED_LOADED")
    t_init=$(nested_vm_when "$MARKER init")
    emit() { echo "$r $c $fw $1 $2" >> "$RES"; }
    emit total_s "$NESTED_SECONDS"
    [ -n "$t_load" ] && emit loader_s "$t_load"
    if [ -n "$t_load" ] && [ -n "$t_root" ]; then
        emit load_s "$(awk -v a="$t_load" -v b="$t_root" 'BEGIN { printf "%.1f", b - a }')"
        emit load_MBps "$(awk -v a="$t_load" -v b="$t_root" -v n="$bytes" 'BEGIN { printf "%.2f", n / (b - a) / 1e6 }')"
    fi
    [ -n "$t_init" ] && emit init_s "$t_init"
    local usb
    usb=$(nested_vm_lines "$MARKER usb " | awk -v v="$VID" -v p="$PID" '$4 == v && $5 == p')
    [ -n "$usb" ] && emit nested_speed "$(cut -d' ' -f7 <<< "$usb")"
    while read -r _ _ kind n a b; do
        emit "${kind}_MBps" "$(awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { if (b > a) printf "%.2f", n / (b - a) / 1e6; else print "?" }')"
    done < <(nested_vm_lines "$MARKER rw ")
    local line
    line="$c $fw round $r: QEMU exit $NESTED_RC after $NESTED_SECONDS s; loader at ${t_load:-?} s, kernel+initrd loaded at ${t_root:-?} s, /init at ${t_init:-?} s; $(nested_vm_lines "$MARKER rw " | cut -d' ' -f3- | tr '\n' ';')"
    if [ -n "$t_root" ] && { [ -n "$stop" ] || [ -n "$usb" ]; }; then
        pass "$line"
    else
        fail "$line"
        indent "$(tr -d '\r' < "$NESTED_LOG" | grep -av '^\s*$' | tail -n 30)"
    fi
}

# Rounds interleave the configurations (writeup, ours, writeup, ours...) so that a change of the machine's load hits
# both alike; within a configuration's turn, each firmware boots once.
for r in $(seq "$BENCH_ROUNDS"); do
    for c in $BENCH_CONFIGS; do
        if ! up "$c"; then
            fail "$c: the drive did not come up"
            down "$c"
            continue
        fi
        for fw in $BENCH_FIRMWARE; do boot "$r" "$c" "$fw"; done
        down "$c"
    done
done
