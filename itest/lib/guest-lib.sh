# Helpers for itest scenarios (sourced by bash, inside the guest, as root).
#
# Environment set by the guest runner:
#   JAR        the pve-usb-gadget jar under test (host path, visible read-only through 9p)
#   SCRATCH    an empty per-scenario directory on tmpfs (also the working directory)
#   CFG        $SCRATCH/cfg, the --config-dir for pvug (mode 0755, owned by root)
#   ITEST_KLABEL  6.1 / 6.12 ...       ITEST_DIR  the itest/ folder
#
# Assertions do not stop the scenario: they print "not ok - ..." and the scenario fails at exit. The check
# vocabulary (pass, fail, check, skip; "ok - ", "not ok - ", "N passed, N failed") is testlib/checks.sh's.
# Use die for a failure after which continuing makes no sense.

GADGET_ROOT=/sys/kernel/config/usb_gadget
GADGET_PREFIX=pve-usb-gadget-
# shellcheck source=../../testlib/checks.sh
. "${ITEST_DIR%/*}/testlib/checks.sh"
ITEST_JAVA=${ITEST_JAVA:-java}
ITEST_JAVA_OPTS=${ITEST_JAVA_OPTS:-}

# The helpers below avoid forks where a bash builtin does: under TCG every fork+exec costs tens of milliseconds.
say() { printf '[%(%T)T] %s\n' -1 "$*"; }
indent() { # TEXT
    local l
    while IFS= read -r l; do printf '    | %s\n' "$l"; done <<< "$1"
}
elapsed_since() {
    local us=$((${EPOCHREALTIME/./} - ${1/./}))
    printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}
die() {
    fail "FATAL: $*"
    exit 1
}

# host_side_scenario: first thing in a host-side scenario (see itest/run): on the kernels that leave it to another one
# of the run, one visible skip and the end.
host_side_scenario() {
    [ "${ITEST_HOST_SIDE_HERE:-1}" = 1 ] && return 0
    skip "host-side scenario: it runs on ${ITEST_HOST_SIDE_KERNELS:-another kernel} in this run (ITEST_HOST_SIDE_EVERYWHERE=1 runs it on every kernel)"
    exit 0
}

itest_on_exit() {
    local rc=$?
    echo "== $(checks_summary) (exit $rc)"
    [ "$CHECKS_FAILED" -gt 0 ] && exit 1
    exit $rc
}
# Only scenarios (not the cleanup helper) install the exit summary.
[ -z "${ITEST_NO_EXIT_TRAP:-}" ] && trap itest_on_exit EXIT

assert_eq() { # EXPECTED ACTUAL MESSAGE
    if [ "$1" == "$2" ]; then pass "$3 (= '$1')"; else fail "$3: expected '$1', got '$2'"; fi
}
assert_ne() { # UNEXPECTED ACTUAL MESSAGE
    if [ "$1" != "$2" ]; then pass "$3 ('$2')"; else fail "$3: got '$2'"; fi
}
assert_true() { # MESSAGE CMD...   (CMD's output is shown only on failure)
    local msg=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$msg"; else fail "$msg [$* -> $(echo "$out" | tail -n 5)]"; fi
}
assert_false() { # MESSAGE CMD...
    local msg=$1
    shift
    if "$@" > /dev/null 2>&1; then fail "$msg [$* succeeded]"; else pass "$msg"; fi
}
assert_contains() { # HAYSTACK NEEDLE(fixed string) MESSAGE
    if [[ $1 == *"$2"* ]]; then pass "$3"; else fail "$3: '$2' not in output"; fi
}
assert_match() { # HAYSTACK EXTENDED-REGEX MESSAGE
    if grep -qE -- "$2" <<< "$1"; then pass "$3"; else fail "$3: no line matches /$2/"; fi
}
assert_not_match() { # HAYSTACK EXTENDED-REGEX MESSAGE
    local hit
    if hit=$(grep -E -m 3 -- "$2" <<< "$1"); then fail "$3: matched: $hit"; else pass "$3"; fi
}

# ---------------------------------------------------------------- running the product
# pvug ARGS...: the jar with our config dir. Output goes to stdout/stderr as usual.
pvug() {
    [ -r "$JAR" ] || {
        echo "itest: jar $JAR does not exist (build it: mvn -q -DskipTests package)" >&2
        return 127
    }
    if [ -n "${PVE_USB_GADGET_FAULT:-}" ]; then
        # The fault seam is wired only by test code: FaultyCli (src/test/.../itest) reads the variable, the jar does not.
        # shellcheck disable=SC2086
        "$ITEST_JAVA" $ITEST_JAVA_OPTS -cp "$ITEST_DRIVER_CP:$JAR" io.github.pveusbgadget.itest.FaultyCli \
            --config-dir "$CFG" "$@"
        return
    fi
    # shellcheck disable=SC2086
    "$ITEST_JAVA" $ITEST_JAVA_OPTS -jar "$JAR" --config-dir "$CFG" "$@"
}

# run_pvug EXPECTED_RC ARGS...: runs pvug, shows its output, sets OUT and RC, asserts the exit code.
run_pvug() {
    local want=$1
    shift
    run_checked "$want" "pvug $*" pvug "$@"
}

# run_hook EXPECTED_RC VMID PHASE: the repository's hookscript shim, called as Proxmox calls it ("<script> <vmid>
# <phase>"), in processes of their own, in Proxmox's environment (see hookscript).
run_hook() {
    local want=$1
    shift
    run_checked "$want" "hookscript $*" hookscript "$@"
}

# hookscript VMID PHASE: the shim itself, exactly as Proxmox runs a hookscript: an environment of LC_ALL=C and
# PATH=/sbin:/bin:/usr/sbin:/usr/bin only, the working directory /, stdin empty. It runs the launcher the .deb
# installs as /usr/bin/pve-usb-gadget (packaging/bin/pve-usb-gadget) on the jar under test; what stands in for the
# installed package is said through the launcher's and the shim's own variables (config dir, jar, JVM options).
# HOOK_LAUNCHER replaces the launcher (a scenario that records what the hook sees).
hookscript() {
    local repo=${ITEST_DIR%/*} java=()
    # the launcher finds java on that PATH as on a Proxmox host, unless the suite runs another one
    [ "$ITEST_JAVA" = java ] || java=(PVE_USB_GADGET_JAVA="$(command -v "$ITEST_JAVA")")
    (
        cd / && exec env -i LC_ALL=C PATH=/sbin:/bin:/usr/sbin:/usr/bin \
            PVE_USB_GADGET_CONFIG_DIR="$CFG" PVE_USB_GADGET="${HOOK_LAUNCHER:-$repo/packaging/bin/pve-usb-gadget}" "${java[@]}" \
            PVE_USB_GADGET_JAR="$JAR" PVE_USB_GADGET_JAVA_OPTS="$ITEST_JAVA_OPTS" PVE_USB_GADGET_CDS=/nonexistent \
            "$repo/hookscripts/pve-usb-gadget-hook" "$@" < /dev/null
    )
}

# run_checked EXPECTED_RC LABEL CMD...: runs CMD, shows its output, sets OUT and RC, asserts the exit code.
run_checked() {
    local want=$1 label=$2
    shift 2
    local t0=$EPOCHREALTIME
    OUT=$("$@" 2>&1)
    RC=$?
    echo "\$ $label -> exit $RC ($(elapsed_since "$t0")s)"
    [ -n "$OUT" ] && indent "$OUT"
    assert_eq "$want" "$RC" "exit code of '$label'"
}

# assert_one_line_error: the last pvug output is a message, not a Java stack trace.
assert_clean_error() { # MESSAGE
    assert_not_match "$OUT" 'Exception|Error:? *$|^[[:space:]]+at [a-zA-Z_$].*\(|^	at ' "$1: no Java stack trace"
    assert_ne "" "$OUT" "$1: prints a message"
}

# ---------------------------------------------------------------- configs and images
# write_conf VMID key=value...: writes $CFG/VMID.conf, root-owned, mode 0600.
write_conf() {
    local vmid=$1 kv
    shift
    local f="$CFG/$vmid.conf"
    {
        echo "# itest config for VM $vmid"
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
    } > "$f"
    chown root:root "$f"
    chmod 0600 "$f"
}

# make_image PATH SIZE_MIB [random|zero|BYTE-in-octal e.g. 253]: creates the image file.
make_image() {
    local path=$1 mib=$2 kind=${3:-random}
    rm -f "$path"
    case $kind in
        random) head -c "$((mib * 1048576))" /dev/urandom > "$path" ;;
        zero) truncate -s "${mib}M" "$path" ;;
        *) head -c "$((mib * 1048576))" /dev/zero | tr '\000' "\\$kind" > "$path" ;;
    esac
}

# one_vm VMID SERIAL MIB KIND: the usual scenario set-up: VMID and SERIAL, an image img=$SCRATCH/vmVMID.img of MIB MiB
# (make_image KIND), and VMID.conf for it with vendor 0x1d6b, product 0x0VMID and an enumerate_timeout of 60 s.
one_vm() {
    VMID=$1 SERIAL=$2 img="$SCRATCH/vm$1.img"
    make_image "$img" "$3" "$4"
    write_conf "$VMID" image="$img" vendor_id=0x1d6b product_id="$(printf '0x%04d' "$VMID")" serial="$SERIAL" \
        enumerate_timeout=60
}

sha() {
    local h
    h=$(sha256sum < "$1")
    echo "${h%% *}"
}

# attr FILE: the first line of a sysfs/configfs attribute, or nothing. A bash builtin, not cat: under TCG every
# fork+exec costs tens of milliseconds, and the polls below read hundreds of attributes.
attr() {
    local v=""
    [ -r "$1" ] && IFS= read -r v 2> /dev/null < "$1"
    printf '%s\n' "$v"
}

# watch_image PATH: remembers the image's checksum; image_intact MESSAGE then asserts it is unchanged.
watch_image() {
    WATCHED_IMAGE=$1
    WATCHED_SHA=$(sha "$1")
}
image_intact() { assert_eq "$WATCHED_SHA" "$(sha "$WATCHED_IMAGE")" "$1: image $WATCHED_IMAGE intact"; }

# ---------------------------------------------------------------- USB / block devices seen by the host
# find_usb_dev VID PID SERIAL: prints the /sys/bus/usb/devices/<dev> of the matching device.
# VID/PID as in the config (0x1d6b) or as in sysfs (1d6b), any case.
find_usb_dev() {
    local vid pid d v p s
    vid=$(norm_id "$1")
    pid=$(norm_id "$2")
    for d in /sys/bus/usb/devices/*; do
        [ -r "$d/idVendor" ] || continue
        v="" p="" s=""
        read -r v 2> /dev/null < "$d/idVendor"
        [ "$v" = "$vid" ] || continue
        read -r p 2> /dev/null < "$d/idProduct"
        [ "$p" = "$pid" ] || continue
        [ -r "$d/serial" ] && read -r s 2> /dev/null < "$d/serial"
        [ "$s" = "$3" ] || continue
        readlink -f "$d"
        return 0
    done
    return 1
}
norm_id() {
    local x=${1,,}
    x=${x#0x}
    printf '%04x' "$((16#$x))"
}

# count_usb_dev VID PID: how many devices the host has with that VID:PID
count_usb_dev() {
    local vid pid d v p n=0
    vid=$(norm_id "$1")
    pid=$(norm_id "$2")
    for d in /sys/bus/usb/devices/*; do
        [ -r "$d/idVendor" ] || continue
        v="" p=""
        read -r v 2> /dev/null < "$d/idVendor"
        read -r p 2> /dev/null < "$d/idProduct"
        [ "$v" = "$vid" ] && [ "$p" = "$pid" ] && n=$((n + 1))
    done
    echo $n
}

# blockdev_for_usb USBDEV-SYSFS-PATH: prints /dev/sdX of the disk below that USB device.
blockdev_for_usb() {
    local usb b real
    usb=$(readlink -f "$1")
    for b in /sys/block/sd*; do
        [ -e "$b" ] || continue
        real=$(readlink -f "$b")
        case $real in "$usb"/*)
            echo "/dev/${b##*/}"
            return 0
            ;;
        esac
    done
    return 1
}

# wait_until SECONDS CMD...: polls CMD every 0.2 s.
wait_until() {
    local end=$((SECONDS + $1))
    shift
    while ! "$@" > /dev/null 2>&1; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.2
    done
}

# wait_usb_dev VID PID SERIAL [TIMEOUT]: waits, prints the sysfs path.
wait_usb_dev() {
    wait_until "${4:-30}" find_usb_dev "$1" "$2" "$3" || return 1
    find_usb_dev "$1" "$2" "$3"
}

# wait_blockdev USBDEV [TIMEOUT]: waits until the disk below the USB device has its size, prints /dev/sdX.
wait_blockdev() {
    local usb=$1 dev
    _bd_ready() {
        local d
        d=$(blockdev_for_usb "$usb") || return 1
        [ -b "$d" ] && [ "$(attr "/sys/block/${d#/dev/}/size")" -gt 0 ] 2> /dev/null
    }
    wait_until "${2:-30}" _bd_ready || return 1
    blockdev_for_usb "$usb"
}

# expect_drive VID PID SERIAL IMAGE [TIMEOUT]: the host sees the drive and reads exactly IMAGE from it.
# Sets USBDEV and DISK.
expect_drive() {
    local vid=$1 pid=$2 serial=$3 image=$4 t=${5:-30}
    USBDEV="" DISK=""
    if USBDEV=$(wait_usb_dev "$vid" "$pid" "$serial" "$t"); then
        pass "host sees USB device $vid:$pid serial $serial at ${USBDEV##*/}"
    else
        fail "host does not see USB device $vid:$pid serial $serial within ${t}s"
        echo "    usb devices: $(for d in /sys/bus/usb/devices/*; do [ -r $d/idVendor ] && echo -n "${d##*/}=$(cat $d/idVendor):$(cat $d/idProduct):$(cat $d/serial 2> /dev/null) "; done)"
        return 1
    fi
    if DISK=$(wait_blockdev "$USBDEV" "$t"); then
        pass "host has disk $DISK for it"
    else
        fail "no /dev/sdX below $USBDEV within ${t}s"
        return 1
    fi
    local want got
    want=$(sha "$image")
    blockdev --flushbufs "$DISK" 2> /dev/null
    got=$(dd if="$DISK" bs=1M iflag=direct 2> /dev/null | sha256sum | cut -d' ' -f1)
    assert_eq "$want" "$got" "sha256 of $DISK equals the image $image"
}

# ---------------------------------------------------------------- configfs state
our_gadgets() {
    local g
    for g in "$GADGET_ROOT/$GADGET_PREFIX"*; do [ -d "$g" ] && echo "${g##*/}"; done
}
all_gadgets() { ls -1 "$GADGET_ROOT" 2> /dev/null; }
sd_disks() {
    local b
    for b in /sys/block/sd*; do [ -e "$b" ] && echo "${b##*/}"; done
}
no_disks() { [ -z "$(sd_disks)" ]; }
gadget_udc() { attr "$GADGET_ROOT/$GADGET_PREFIX$1/UDC"; }

assert_no_gadget() { # VMID MESSAGE
    if [ -e "$GADGET_ROOT/$GADGET_PREFIX$1" ]; then
        fail "$2: $GADGET_ROOT/$GADGET_PREFIX$1 exists: $(cd "$GADGET_ROOT/$GADGET_PREFIX$1" && find . -maxdepth 3 | tr '\n' ' ')"
    else
        pass "$2: no $GADGET_PREFIX$1 in configfs"
    fi
}
# assert_clean MESSAGE: no gadget of ours in configfs and no USB disk on the host.
assert_clean() {
    local g d
    g=$(our_gadgets)
    g=${g//$'\n'/ }
    assert_eq "" "$g" "$1: no $GADGET_PREFIX* gadget in configfs"
    wait_until 10 no_disks
    d=$(sd_disks)
    d=${d//$'\n'/ }
    assert_eq "" "$d" "$1: no sdX left on the host"
}

# teardown_gadget NAME: removes any configfs gadget in the kernel's documented order.
teardown_gadget() {
    local g="$GADGET_ROOT/$1" c f s
    [ -d "$g" ] || return 0
    [ -n "$(cat "$g/UDC" 2> /dev/null)" ] && echo "" > "$g/UDC"
    for c in "$g"/configs/*/; do
        [ -d "$c" ] || continue
        for f in "$c"*; do [ -L "$f" ] && rm -f "$f"; done
        for s in "$c"strings/*/; do [ -d "$s" ] && rmdir "$s"; done
        rmdir "$c"
    done
    for f in "$g"/os_desc/*; do [ -L "$f" ] && rm -f "$f"; done
    for f in "$g"/functions/*/; do [ -d "$f" ] && rmdir "$f"; done
    for s in "$g"/strings/*/; do [ -d "$s" ] && rmdir "$s"; done
    rmdir "$g"
}

# itest_cleanup_all: used by the runner after every scenario.
itest_cleanup_all() {
    local g rc=0
    for g in $(all_gadgets); do
        echo "cleanup: removing leftover gadget $g"
        teardown_gadget "$g" || rc=1
    done
    if losetup -a 2> /dev/null | grep -q .; then
        echo "cleanup: detaching loop devices"
        losetup -D
    fi
    # Unload the gadget side so every scenario starts from a host where nothing is loaded yet.
    local m
    for m in usb_f_mass_storage dummy_hcd libcomposite; do
        if grep -q "^$m " /proc/modules; then
            modprobe -r "$m" || {
                echo "cleanup: cannot unload $m"
                rc=1
            }
        fi
    done
    wait_until 10 no_disks || {
        echo "cleanup: disks left: $(sd_disks | tr '\n' ' ')"
        rc=1
    }
    return $rc
}

# ---------------------------------------------------------------- misc
# unload_gadget_modules: as the runner does between scenarios (for scenarios that need e.g. num=1).
unload_gadget_modules() {
    itest_cleanup_all
}

# snapshot: a listing of configfs and the loaded modules (for "changes nothing" checks).
snapshot() {
    find /sys/kernel/config 2> /dev/null | sort
    echo "-- modules"
    cut -d' ' -f1 /proc/modules | sort
    echo "-- disks"
    sd_disks
}

# pvug_bg ARGS...: use as "( pvug_bg up 101 ) &" so that $! is the java process itself.
pvug_bg() {
    # shellcheck disable=SC2086
    exec "$ITEST_JAVA" $ITEST_JAVA_OPTS -jar "$JAR" --config-dir "$CFG" "$@"
}

# ---------------------------------------------------------------- many runs in one JVM
# warm_start: starts WarmCli (src/test/java/.../itest/WarmCli.java) as a coprocess: the command line of the jar in
# one long-lived JVM, for scenarios that run the tool dozens of times (a JVM start under TCG costs seconds).
warm_start() {
    [ -r "${ITEST_DRIVER_CP:-}/io/github/pveusbgadget/itest/WarmCli.class" ] ||
        die "no WarmCli class under '${ITEST_DRIVER_CP:-}' (itest/run copies it from target/test-classes: mvn package)"
    # shellcheck disable=SC2086
    coproc WARM { exec "$ITEST_JAVA" ${ITEST_WARM_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
        -cp "$ITEST_DRIVER_CP:$JAR" io.github.pveusbgadget.itest.WarmCli 2>&1; }
    WARM_IN=${WARM[1]} WARM_OUT=${WARM[0]}
}

# warm_run EXPECTED_RC|any FAULT ARGS...: one run in the WarmCli JVM (FAULT: a PVE_USB_GADGET_FAULT value or -);
# shows its output, sets OUT and RC, asserts the exit code unless EXPECTED_RC is "any".
warm_run() {
    local want=$1 fault=$2 line t0
    shift 2
    t0=$EPOCHREALTIME
    echo "$fault --config-dir $CFG $*" >&"$WARM_IN" || die "WarmCli is gone"
    OUT="" RC=""
    while IFS= read -r -t 600 line <&"$WARM_OUT"; do
        case $line in *"WARMCLI-EXIT "*)
            OUT+="${line%%WARMCLI-EXIT *}"
            RC=${line##*WARMCLI-EXIT }
            break
            ;;
        esac
        OUT+="$line"$'\n'
    done
    OUT=${OUT%$'\n'}
    [ -n "$RC" ] || die "WarmCli did not answer 'pvug $*'"
    echo "\$ [one JVM, fault $fault] pvug $* -> exit $RC ($(elapsed_since "$t0")s)"
    [ -n "$OUT" ] && indent "$OUT"
    [ "$want" = any ] || assert_eq "$want" "$RC" "exit code of 'pvug $*' (fault $fault)"
}

# run_tool EXPECTED_RC ARGS...: like run_pvug, in the WarmCli JVM (started at the first call). For runs whose
# process does not matter; the hook phases, parallel starts, kills and injected deaths stay run_pvug processes.
run_tool() {
    local want=$1
    shift
    [ -n "${WARM_IN:-}" ] || warm_start
    warm_run "$want" - "$@"
}

warm_stop() {
    exec {WARM_IN}>&-
    wait "$WARM_PID" 2> /dev/null
}
