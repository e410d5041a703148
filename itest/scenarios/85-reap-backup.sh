#!/bin/bash
# No orphans and short hooks (issue 13, 4 and 5), on the real kernel. The reaper runs as the .deb's timer runs it
# (pve-usb-gadget reap, a process of its own; the guest has no systemd, so the timer itself is not here):
# - a fake QEMU of the VM (a process whose command line is qemu-server's "/usr/bin/kvm -id N ... -pidfile
#   /var/run/qemu-server/N.pid", with that pid file) keeps its gadget; when it dies without post-stop, the gadget goes;
# - pre-start through the hook, no QEMU: kept while the start counts as going on, gone once it is over, image unexported;
#   the reaper runs as the timer runs it: the launcher, an empty environment but for where the jar is;
# - post-stop with backup_keep returns without waiting for the copy, which appears complete (sha256 as the image) after;
# - pre-start while that copy runs: the copy is given up (no partial, no truncated copy) or finished, never overlapped.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"
host_side_scenario

VMID=851
SERIAL=ITESTREAP0000851
img=$SCRATCH/reap.img
make_image "$img" 4 random
conf() { write_conf $VMID image="$img" vendor_id=0x1d6b product_id=0x0851 serial=$SERIAL enumerate_timeout=60 "$@"; }
conf
STATE=/run/pve-usb-gadget
MARKER=$STATE/$VMID.up
PIDFILE=/var/run/qemu-server/$VMID.pid
mkdir -p /var/run/qemu-server

expire_marker() { printf 'keep_until=0\n' > "$MARKER"; }
# the timer's service: "ExecStart=/usr/bin/pve-usb-gadget reap" with systemd's empty environment; the launcher stands in
# for /usr/bin/pve-usb-gadget as in hookscript, and is what a backup the reaper starts runs
reaper() {
    local launcher=${ITEST_DIR%/*}/packaging/bin/pve-usb-gadget java=()
    [ "$ITEST_JAVA" = java ] || java=(PVE_USB_GADGET_JAVA="$(command -v "$ITEST_JAVA")")
    run_checked 0 "pve-usb-gadget reap (as the timer runs it)" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        PVE_USB_GADGET="$launcher" "${java[@]}" PVE_USB_GADGET_JAR="$JAR" PVE_USB_GADGET_JAVA_OPTS="$ITEST_JAVA_OPTS" \
        PVE_USB_GADGET_CDS=/nonexistent PVE_USB_GADGET_CONFIG_DIR="$CFG" "$launcher" reap
}
drive_gone() { # MESSAGE
    assert_no_gadget $VMID "$1"
    wait_until 20 no_disks
    assert_eq "" "$(sd_disks | tr '\n' ' ')" "$1: the image is no longer exported to the host (no sdX)"
    assert_false "$1: start marker removed" test -e "$MARKER"
}

say "--- a running QEMU keeps the gadget; a QEMU that died without post-stop does not"
run_hook 0 $VMID pre-start
assert_true "pre-start wrote the start marker" test -s "$MARKER"
exec -a /usr/bin/kvm bash -c 'sleep 600; :' -id $VMID -name reap-itest -pidfile "$PIDFILE" -daemonize &
qemu=$!
echo "$qemu" > "$PIDFILE"
say "fake QEMU pid $qemu: $(tr '\0' ' ' < /proc/$qemu/cmdline)"
expire_marker
reaper
assert_true "reap keeps the gadget while QEMU $qemu runs" test -d "$GADGET_ROOT/$GADGET_PREFIX$VMID"
expect_drive 0x1d6b 0x0851 $SERIAL "$img" 30
run_pvug 0 reap --dry-run
assert_contains "$OUT" "# VM $VMID runs (QEMU pid $qemu)" "reap --dry-run gives the verdict"
kill "$qemu"
wait "$qemu" 2> /dev/null
reaper
assert_contains "$OUT" "VM $VMID does not run" "reap says why"
drive_gone "QEMU gone without post-stop"
rm -f "$PIDFILE"

say "--- pre-start, no QEMU: the gadget goes once the start is over"
t0=$SECONDS
run_hook 0 $VMID pre-start
reaper
assert_true "reap right after pre-start keeps the gadget (the VM is starting)" test -d "$GADGET_ROOT/$GADGET_PREFIX$VMID"
until_s=$(sed -n 's/^keep_until=//p' "$MARKER")
wait_s=$((until_s - $(date +%s) + 1))
say "the marker keeps it until $(date -d "@$until_s" +%T); waiting ${wait_s}s"
[ "$wait_s" -gt 0 ] && sleep "$wait_s"
reaper
drive_gone "pre-start without QEMU, $((SECONDS - t0))s later"
image_sha=$(sha "$img")

say "--- post-stop with backup_keep returns before the copy; the copy appears complete"
# The copy's process gets the hook's JVM options: the JIT this time (with -Xint, TCG copies some 100 KiB/s).
conf backup_keep=2
JIT_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
run_hook 0 $VMID pre-start
t0=$SECONDS
ITEST_JAVA_OPTS=$JIT_OPTS run_hook 0 $VMID post-stop
took=$((SECONDS - t0))
say "post-stop took ${took}s"
assert_contains "$OUT" "backup of its image started in the background" "post-stop started the backup"
copies() { ls -1 "$SCRATCH" | grep -E '^reap\.img\.[0-9]{8}T[0-9]{6}Z$'; }
assert_eq "" "$(copies)" "no copy yet when post-stop returned"
# the .sha256 is written after the verified copy got its name; the job file goes when the process ends
wait_until 300 sh -c "ls $SCRATCH/reap.img.*.sha256 && ! test -e $STATE/$VMID.backup"
copy=$(copies | tail -n 1)
assert_ne "" "$copy" "the backup appeared"
if [ -n "$copy" ]; then
    assert_eq "$image_sha" "$(sha "$SCRATCH/$copy")" "backup $copy is the whole image"
    assert_true "its .sha256 verifies" sh -c "cd $SCRATCH && sha256sum -c $copy.sha256"
fi
indent "$(cat "$STATE/$VMID.backup.log" 2> /dev/null)"

say "--- pre-start while a copy runs: given up or finished, never under a gadget"
# -Xint and 64 MiB: the copy still runs when the next pre-start's JVM is up (the content is not compared through USB)
make_image "$img" 64 random
run_hook 0 $VMID pre-start
run_hook 0 $VMID post-stop
wait_until 120 test -e "$STATE/$VMID.backup" || say "the copy had not registered yet"
run_hook 0 $VMID pre-start
prestart_out=$OUT
assert_true "the host sees the drive" wait_usb_dev 0x1d6b 0x0851 $SERIAL 30
wait_until 300 sh -c "! test -e $STATE/$VMID.backup"
log=$(cat "$STATE/$VMID.backup.log" 2> /dev/null)
indent "$log"
if grep -q "abandoning the backup" <<< "$prestart_out"; then
    assert_contains "$log" "was abandoned" "the copy gave up when pre-start asked"
    pass "pre-start abandoned the running copy"
else
    pass "the copy ended before the build (finished, or refused to start on a served image)"
fi
assert_eq "" "$(ls -a "$SCRATCH" | grep -E '\.partial$')" "no partial copy left"
for c in $(copies); do
    assert_true "$c is complete (its .sha256 verifies)" sh -c "cd $SCRATCH && sha256sum -c $c.sha256"
done
assert_true "at most backup_keep=2 copies" test "$(copies | wc -l)" -le 2

# the last stop without a backup: no copy may outlive the scenario
conf
run_hook 0 $VMID post-stop
assert_clean "end"
rm -rf "$STATE" "$PIDFILE"
