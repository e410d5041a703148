#!/bin/bash
# Issue 7 on the real kernel, every step: a fault before step k of `up` (k = 1, 2, ... until up gets through) and
# of `down` (likewise), each followed by the checks: nothing half-built (up: exit 1 naming the step, rolled back to
# a clean host; down: it takes down what is left and succeeds), the image intact. The step counts are found, not
# hard-coded.
# The runs share one JVM (WarmCli: the jar's command line without a process per run); 70-faults kills real
# processes at selected steps. When both kernels run, itest/run gives each a share of the steps
# (ITEST_SWEEP_PART=1/2: k = 1, 3, 5...; 2/2: k = 2, 4, 6...), so every step is faulted on a real kernel once.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

one_vm 751 ITESTSWEEP000751 1 random
watch_image "$img"
is_up() { [ "$(gadget_udc $VMID)" != "" ] && find_usb_dev 0x1d6b 0x0751 $SERIAL > /dev/null; }

part=${ITEST_SWEEP_PART:-1/1}
share=${part%/*} parts=${part#*/}
mine() { [ $(((($1 - 1) % parts) + 1)) = "$share" ]; } # is fault point k this kernel's share?
say "fault points of this run: k = $share, $((share + parts)), $((share + 2 * parts))... (part $part)"

warm_start
warm_run 0 - --version

say "--- up, from a host with no gadget module loaded, fails before step k"
up_steps=""
for ((k = 1; k <= 80; k++)); do
    mine $k || continue
    unload_gadget_modules > /dev/null
    warm_run any "up:$k:fail" up $VMID
    if [ "$RC" = 0 ]; then
        up_steps=$k
        break
    fi
    assert_eq 1 "$RC" "up:$k:fail exits 1"
    assert_contains "$OUT" "injected fault before step $k of up" "up:$k:fail names the step"
    assert_clean_error "up:$k:fail"
    assert_clean "up:$k:fail rolled back"
    assert_eq "" "$(grep -oE '^(dummy_hcd|libcomposite|usb_f_mass_storage) ' /proc/modules | tr -d '\n')" \
        "up:$k:fail unloaded the modules it loaded"
    image_intact "up:$k:fail"
done
if [ -n "$up_steps" ]; then
    pass "up from a bare host has fewer than $up_steps steps (a fault there never came); every fault before was rolled back"
    assert_true "up with the fault past its last step brought the drive up" is_up
else
    fail "up never got through (80 fault points)"
fi

say "--- down of a running gadget fails before step k: it takes down what is left and succeeds"
down_steps=""
for ((k = 1; k <= 40; k++)); do
    mine $k || continue
    warm_run 0 - up $VMID
    assert_true "up before down:$k:fail" is_up
    warm_run 0 "down:$k:fail" down $VMID
    if [[ $OUT != *"injected fault before step $k of down"* ]]; then
        down_steps=$k
        break
    fi
    assert_contains "$OUT" "taking down what is left" "down:$k:fail says it finishes the teardown"
    assert_clean_error "down:$k:fail"
    assert_clean "down:$k:fail finished anyway"
    image_intact "down:$k:fail"
done
if [ -n "$down_steps" ]; then
    pass "down has fewer than $down_steps steps (a fault there never came); after a fault before each, it finished"
else
    fail "down never got through (40 fault points)"
fi
assert_clean "end of the sweep"
image_intact "end of the sweep"
warm_stop
