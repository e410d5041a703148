#!/bin/bash
# VMs starting together: two, then eight pre-start hooks at once (the hookscript shim, each its own process) get
# distinct UDCs and each host device reads back its own image; then all go down.
# Eight JVMs on one TCG vCPU took 723-761 s on 7.3 (2026-12-02), near the 900 s watchdog: twice that.
# itest-watchdog: 2 x
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

# vm N -> vmid 200+N, product id 0x02NN, serial ITESTPAR000000NN, image of 1 or 2 MiB (random)
vmid() { echo $((200 + $1)); }
pid_of() { printf '0x02%02x' "$1"; }
serial_of() { printf 'ITESTPAR%08d' "$1"; }
# enumerate_timeout 600 (the most a config may say): pre-start's one deadline (that + 5 s) also covers its wait for
# the host lock, and eight JVMs on one TCG vCPU make each holder's configfs writes take many seconds: the last of the
# eight waited 122 s for the lock on 7.3 (2026-12-02), on a host where the same writes take milliseconds. What this
# scenario proves is distinct UDCs and images, not the deadline (ShortHookTest does, on the fake clock).
for n in 1 2 3 4 5 6 7 8; do
    make_image "$SCRATCH/vm$n.img" $((1 + n % 2)) random
    write_conf "$(vmid $n)" image="$SCRATCH/vm$n.img" vendor_id=0x1d6b product_id="$(pid_of $n)" \
        serial="$(serial_of $n)" enumerate_timeout=600
done

# pre_start_together N...: the hookscript's pre-start for each VM at once, as Proxmox runs them when VMs start
# together; waits for all, checks each exit code.
pre_start_together() {
    local n pids=() t0=$SECONDS
    for n in "$@"; do
        (
            hookscript "$(vmid $n)" pre-start > "$SCRATCH/pre-start-$n.out" 2>&1
            echo $? > "$SCRATCH/pre-start-$n.rc"
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
    say "pre-start of VMs $* took $((SECONDS - t0))s"
    for n in "$@"; do
        [ -s "$SCRATCH/pre-start-$n.out" ] && indent "$(< "$SCRATCH/pre-start-$n.out")"
        assert_eq 0 "$(< "$SCRATCH/pre-start-$n.rc")" "parallel pre-start of VM $(vmid $n): exit code"
    done
}

# down_each N...: takes them down one after the other (in one JVM): the race that matters is the start.
down_each() {
    local n
    for n in "$@"; do run_tool 0 down "$(vmid $n)"; done
}

check_up() {
    local n udcs=() u
    for n in "$@"; do
        u=$(gadget_udc "$(vmid $n)")
        assert_match "$u" '^dummy_udc\.[0-9]+$' "VM $(vmid $n) bound to a UDC ($u)"
        udcs+=("$u")
        expect_drive 0x1d6b "$(pid_of $n)" "$(serial_of $n)" "$SCRATCH/vm$n.img" 60
    done
    assert_eq "$#" "$(printf '%s\n' "${udcs[@]}" | grep . | sort -u | wc -l)" "$# distinct UDCs (${udcs[*]})"
    assert_eq "$#" "$(sd_disks | wc -l)" "$# disks on the host"
}

say "--- two at once"
pre_start_together 1 2
check_up 1 2
down_each 1 2
assert_clean "after down of 2"

say "--- eight at once"
pre_start_together 1 2 3 4 5 6 7 8
say "UDCs: $(ls /sys/class/udc | tr '\n' ' ')"
check_up 1 2 3 4 5 6 7 8
down_each 1 2 3 4 5 6 7 8
assert_clean "after down of 8"
