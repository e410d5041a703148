#!/bin/bash
# PID 1 of the itest guest after switch_root: the host's own userland (read-only 9p + tmpfs overlay),
# the Debian kernel under test, its module tree at /lib/modules/$(uname -r).
# Runs every selected scenario in sequence, each under a watchdog, prints one parseable line per
# scenario on the serial console and always powers the guest off at the end.
#
# Console protocol (parsed by itest/run):
#   ITEST BOOTED <kernel> <uptime-seconds>
#   ITEST START <kernel> <scenario>
#   ITEST RESULT <kernel> <scenario> PASS|FAIL <seconds>s [reason]
#   ITEST LOG <kernel> <scenario> | <line>          (only for failed scenarios)
#   ITEST END <kernel> <passed> <failed>
set +e
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb

. /itest-out/guest.env
export ITEST_DIR ITEST_KLABEL JAR ITEST_JAVA ITEST_JAVA_OPTS ITEST_DRIVER_CP ITEST_SWEEP_PART ITEST_SCENARIO_TIMEOUT ITEST_VERBOSE
export ITEST_NESTED ITEST_NESTED_ZIP ITEST_NESTED_BOOT_TIMEOUT ITEST_NESTED_FIRMWARE ITEST_SCENARIO_ENV ITEST_HOST_SIDE_HERE ITEST_HOST_SIDE_KERNELS
OUT=/itest-out
export ITEST_OUT=$OUT # the run's output folder (the host keeps it with the logs)
con() { echo "$*" > /dev/console; }

poweroff_now() {
    sync
    echo 1 > /proc/sys/kernel/sysrq 2> /dev/null
    echo o > /proc/sysrq-trigger 2> /dev/null
    sleep 10
    busybox poweroff -f 2> /dev/null
    exit 0 # PID 1 exiting panics the kernel; with panic=1 and -no-reboot QEMU exits anyway
}
trap poweroff_now EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
# /tmp stays the overlay (writable, and the host's /tmp shows through: the repository under test may be a clone
# there); the scenarios' scratch space is a tmpfs of its own.
mkdir -p /itest-scratch
mount -t tmpfs -o mode=0755 tmpfs /itest-scratch
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2> /dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2> /dev/null
ln -sf /proc/self/fd /dev/fd 2> /dev/null
ln -sf /proc/self/fd/0 /dev/stdin 2> /dev/null
ln -sf /proc/self/fd/1 /dev/stdout 2> /dev/null
ln -sf /proc/self/fd/2 /dev/stderr 2> /dev/null
hostname "itest-$ITEST_KLABEL" 2> /dev/null
# Keep the console for our protocol lines; kernel messages go to each scenario's log via dmesg.
dmesg -n 1 2> /dev/null
read -r up _ < /proc/uptime
con "ITEST BOOTED $ITEST_KLABEL ${up%.*} $(uname -r)"

# Host side of the emulated bus: no udev here, so load the drivers a Proxmox host would autoload.
# Only our modprobe configuration, not whatever this machine has in /etc/modprobe.d.
mount -t tmpfs -o mode=0755 tmpfs /etc/modprobe.d
echo "options usb-storage delay_use=0" > /etc/modprobe.d/itest-usb-storage.conf
if [ -n "${ITEST_MODPROBE_CONF:-}" ] && [ -r "$ITEST_MODPROBE_CONF" ]; then
    cp "$ITEST_MODPROBE_CONF" /etc/modprobe.d/pve-usb-gadget.conf
    con "ITEST INFO $ITEST_KLABEL installed $ITEST_MODPROBE_CONF as /etc/modprobe.d/pve-usb-gadget.conf"
else
    con "ITEST INFO $ITEST_KLABEL no modprobe.d/pve-usb-gadget.conf in the repository: dummy_hcd gets no options"
fi
modprobe configfs && mount -t configfs configfs /sys/kernel/config
modprobe usb-storage
modprobe sd_mod
modprobe loop
modprobe virtio_blk # the scratch disks /dev/vda and /dev/vdb (80-block-device)
if [ -n "${ITEST_CUSTOM_DUMMY_HCD:-}" ]; then
    con "ITEST INFO $ITEST_KLABEL dummy_hcd resolves to $(modinfo -n dummy_hcd 2>&1)"
fi
if [ -n "${ITEST_CUSTOM_MASS_STORAGE:-}" ]; then
    con "ITEST INFO $ITEST_KLABEL usb_f_mass_storage resolves to $(modinfo -n usb_f_mass_storage 2>&1) (num_buffers/buflen: $(modinfo -F parm usb_f_mass_storage 2>&1 | grep -c '^num_buffers:\|^buflen:') of 2)"
fi

passed=0
failed=0
for scen in $ITEST_SCENARIOS; do
    name=$(basename "$scen" .sh)
    log="$OUT/$name.log"
    export SCRATCH="/itest-scratch/$name"
    export CFG="$SCRATCH/cfg"
    rm -rf "$SCRATCH"
    mkdir -p "$CFG"
    chmod 0755 "$SCRATCH" "$CFG"
    dmesg -C 2> /dev/null
    con "ITEST START $ITEST_KLABEL $name"
    t0=$(date +%s)
    reason=""
    # the watchdog: ITEST_SCENARIO_TIMEOUT, or the scenario's own in ITEST_SCENARIO_TIMEOUTS ("NAME=SECONDS ...")
    limit=$ITEST_SCENARIO_TIMEOUT
    for t in ${ITEST_SCENARIO_TIMEOUTS:-}; do [ "${t%%=*}" = "$name" ] && limit=${t#*=}; done
    # timeout(1) runs the scenario in its own process group and kills the whole group on expiry.
    (cd "$SCRATCH" && exec timeout -k 10 "$limit" bash "$scen") > "$log.out" 2>&1 < /dev/null
    rc=$?
    t1=$(date +%s)
    case $rc in
        0) ;;
        124 | 137) reason="watchdog: killed after ${limit}s" ;;
        *) reason="exit $rc" ;;
    esac
    {
        cat "$log.out"
        echo "---- cleanup after $name"
    } > "$log"
    rm -f "$log.out"
    # Whatever the scenario left: tear it down so the next one starts clean (itself under a watchdog).
    timeout -k 5 120 env ITEST_NO_EXIT_TRAP=1 bash -c ". '$ITEST_DIR/lib/guest-lib.sh'; itest_cleanup_all" >> "$log" 2>&1
    crc=$?
    [ $crc -ne 0 ] && echo "cleanup exit $crc (the next scenario may not start clean)" >> "$log"
    {
        echo "---- dmesg during $name"
        dmesg 2> /dev/null
    } >> "$log"
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        con "ITEST RESULT $ITEST_KLABEL $name PASS $((t1 - t0))s"
        if [ "${ITEST_VERBOSE:-0}" = 1 ]; then
            sed "s|^|ITEST LOG $ITEST_KLABEL $name \| |" "$log" > /dev/console
        fi
    else
        failed=$((failed + 1))
        con "ITEST RESULT $ITEST_KLABEL $name FAIL $((t1 - t0))s $reason"
        # The scenario's own output, then the last kernel messages.
        {
            sed '/^---- dmesg during/,$d' "$log"
            echo "---- dmesg (last 40 lines)"
            sed -n '/^---- dmesg during/,$p' "$log" | tail -n 40
        } |
            sed "s|^|ITEST LOG $ITEST_KLABEL $name \| |" > /dev/console
    fi
done
sync
con "ITEST END $ITEST_KLABEL $passed $failed"
poweroff_now
