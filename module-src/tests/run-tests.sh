#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests of module-src: source acquisition order, version matching, shape
# detection, the hrtimer conversion of a timer_list-shaped dummy_hcd.c, and that the
# converted source compiles against real kernel headers (when installed; skipped
# otherwise). Ends with "N passed, N failed[, N skipped]". No root needed, except
# that compiling needs /lib/modules/<kver>/build.
#
#   module-src/tests/run-tests.sh
# Env: TEST_KVER_61 / TEST_KVER_612 (kernels to compile against; default: newest
# installed 6.1.0-*-amd64 / 6.12.*+deb12-amd64 headers).
set -u
set -o pipefail

T=$(cd "$(dirname "$0")" && pwd)
M=$(dirname "$T")
CONV=$M/hrtimer-convert.pl
PREP=$M/prepare-source.sh
LEG=$T/fixtures/dummy_hcd-6.1.192-timer_list.c
W=$(mktemp -d "${TMPDIR:-/tmp}/module-src-tests.XXXXXX")
HTTP_PID=

cleanup() {
    [ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2> /dev/null
    rm -rf "$W"
}
trap cleanup EXIT

# shellcheck source=../../testlib/checks.sh
. "$(dirname "$M")/testlib/checks.sh"
has() { grep -q -- "$2" "$1"; } # file pattern
hasnot() { ! grep -q -- "$2" "$1"; }

# --------------------------------------------------------------------------- fixtures
# distinct copies of the legacy fixture, each marked with where it lives
mark() { cp "$LEG" "$1" && printf '/* origin-marker: %s */\n' "$2" >> "$1"; }
mktree() { # dir version marker
    mkdir -p "$1/drivers/usb/gadget/udc"
    local v=${2%%.*} r=${2#*.}
    printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\n' "$v" "${r%%.*}" "${r#*.}" > "$1/Makefile"
    mark "$1/drivers/usb/gadget/udc/dummy_hcd.c" "$3"
}
# fake kernel headers dir with a version.h
KD=$W/kdir
mkdir -p "$KD/include/generated/uapi/linux"
cat > "$KD/include/generated/uapi/linux/version.h" << 'EOF'
#define LINUX_VERSION_CODE 393664
#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_MAJOR 6
#define LINUX_VERSION_PATCHLEVEL 1
#define LINUX_VERSION_SUBLEVEL 192
EOF
US=$W/usrsrc # stands in for /usr/src
CACHE=$W/cache
mkdir -p "$US" "$CACHE"

# prepare-source.sh in a sandbox: OUT dir $1, rest are env assignments
prep() {
    local out=$1 tpl=(DUMMY_HCD_URL_TEMPLATE="http://127.0.0.1:9/@TAG@/dummy_hcd.c")
    shift
    if [ "${1:-}" = --no-template ]; then
        tpl=()
        shift
    fi
    rm -rf "$out"
    mkdir -p "$out"
    env -u DUMMY_HCD_SOURCE -u DUMMY_HCD_URL_TEMPLATE -u DUMMY_HCD_OFFLINE -u DUMMY_HCD_KERNEL_VERSION \
        DUMMY_HCD_CONF=/nonexistent DUMMY_HCD_LINUX_SOURCE_DIR="$US" DUMMY_HCD_CACHE="$CACHE" \
        "${tpl[@]}" "$@" \
        "$PREP" --kernelver 6.1.0-56-amd64 --kernel-dir "$KD" --out "$out" > "$out.log" 2>&1
}
origin_is() { grep -q "origin-marker: $2 \*/" "$1/dummy_hcd_main.c"; }

echo "# kernel version"
prep "$W/o" DUMMY_HCD_SOURCE="$LEG"
check_quiet "version from the headers' version.h (6.1.192)" has "$W/o.log" "is upstream 6.1.192"
sed -i '/MAJOR\|PATCHLEVEL\|SUBLEVEL/d' "$KD/include/generated/uapi/linux/version.h"
prep "$W/o" DUMMY_HCD_SOURCE="$LEG"
check_quiet "version from LINUX_VERSION_CODE when the split macros are missing" has "$W/o.log" "is upstream 6.1.192"
mv "$KD/include" "$KD/include.off"
prep "$W/o" DUMMY_HCD_SOURCE="$LEG"
check_quiet "version from the kernel release string without headers (6.1.0)" has "$W/o.log" "is upstream 6.1.0"
mv "$KD/include.off" "$KD/include"

echo "# acquisition order"
mark "$W/env.c" env-file
mktree "$W/envtree" 6.1.192 env-dir
mktree "$W/tb/linux-6.1.192" 6.1.192 env-tarball
tar -czf "$W/linux-6.1.192.tar.gz" -C "$W/tb" linux-6.1.192
mktree "$W/us/linux-source-6.1" 6.1.192 usr-src
tar -cJf "$US/linux-source-6.1.tar.xz" -C "$W/us" linux-source-6.1
mkdir -p "$CACHE/v6.1.192" && mark "$CACHE/v6.1.192/dummy_hcd.c" cache

prep "$W/o" DUMMY_HCD_SOURCE="$W/env.c"
check_quiet "1. DUMMY_HCD_SOURCE file wins over /usr/src and the cache" origin_is "$W/o" env-file
check_quiet "   ... reported as such" has "$W/o/source-info.txt" "origin=DUMMY_HCD_SOURCE file"
prep "$W/o" DUMMY_HCD_SOURCE="$W/envtree"
check_quiet "1. DUMMY_HCD_SOURCE folder (kernel tree)" origin_is "$W/o" env-dir
check_quiet "   ... version read from the tree's Makefile, exact match" has "$W/o/source-info.txt" "match=exact"
prep "$W/o" DUMMY_HCD_SOURCE="$W/linux-6.1.192.tar.gz"
check_quiet "1. DUMMY_HCD_SOURCE tarball" origin_is "$W/o" env-tarball
check_quiet "   ... version 6.1.192 from the tarball" has "$W/o/source-info.txt" "source_version=6.1.192"
mkdir -p "$W/flat" && mark "$W/flat/dummy_hcd.c" flat
prep "$W/o" DUMMY_HCD_SOURCE="$W/flat"
check_quiet "1. DUMMY_HCD_SOURCE folder holding dummy_hcd.c" origin_is "$W/o" flat
if prep "$W/o" DUMMY_HCD_SOURCE="$W/missing.c"; then fail "a missing DUMMY_HCD_SOURCE fails"; else pass "a missing DUMMY_HCD_SOURCE fails (no silent fallback)"; fi
check_quiet "   ... with a message naming DUMMY_HCD_SOURCE" has "$W/o.log" "DUMMY_HCD_SOURCE=$W/missing.c does not exist"
echo 'int main(void) { return 0; }' > "$W/notdummy.c"
if prep "$W/o" DUMMY_HCD_SOURCE="$W/notdummy.c"; then fail "a DUMMY_HCD_SOURCE that is not dummy_hcd.c fails"; else pass "a DUMMY_HCD_SOURCE that is not dummy_hcd.c fails"; fi
check_quiet "   ... saying so" has "$W/o.log" "is not the kernel's dummy_hcd.c"
printf 'DUMMY_HCD_SOURCE=%s\n' "$W/env.c" > "$W/default.conf"
prep "$W/o" DUMMY_HCD_CONF="$W/default.conf"
check_quiet "1. DUMMY_HCD_SOURCE from /etc/default/pve-usb-gadget-dummy-hcd (for automatic rebuilds)" origin_is "$W/o" env-file
prep "$W/o" DUMMY_HCD_CONF="$W/default.conf" DUMMY_HCD_SOURCE="$W/envtree"
check_quiet "   ... the environment overrides that file" origin_is "$W/o" env-dir

prep "$W/o"
check_quiet "2. /usr/src/linux-source-6.1.tar.xz when DUMMY_HCD_SOURCE is unset" origin_is "$W/o" usr-src
check_quiet "   ... exact version match reported" has "$W/o/source-info.txt" "match=exact"
rm "$US/linux-source-6.1.tar.xz"
mktree "$W/us2/linux-source-6.1" 6.1.150 usr-src-old
tar -cjf "$US/linux-source-6.1.tar.bz2" -C "$W/us2" linux-source-6.1
prep "$W/o"
check_quiet "2. a .tar.bz2 of another 6.1.x is used (same major.minor)" origin_is "$W/o" usr-src-old
check_quiet "   ... and reported as 'same major.minor'" has "$W/o/source-info.txt" "match=same major.minor (6.1.150 for 6.1.192)"
rm "$US/linux-source-6.1.tar.bz2"
mv "$W/us2/linux-source-6.1" "$US/linux-source-6.1"
prep "$W/o"
check_quiet "2. an unpacked /usr/src/linux-source-6.1/ tree" origin_is "$W/o" usr-src-old
rm -rf "$US/linux-source-6.1"
mktree "$W/us3/linux-source-6.12" 6.12.117 wrong-series
tar -cJf "$US/linux-source-6.12.tar.xz" -C "$W/us3" linux-source-6.12
prep "$W/o" DUMMY_HCD_OFFLINE=1
check_quiet "2. linux-source of another series (6.12) is not used for 6.1" origin_is "$W/o" cache
check_quiet "3. the download cache is used offline" has "$W/o/source-info.txt" "origin=cache "

# 3. download from a local web server
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WEB=$W/web
mkdir -p "$WEB/v6.1.192" "$WEB/v6.1"
mark "$WEB/v6.1.192/dummy_hcd.c" download-exact
mark "$WEB/v6.1/dummy_hcd.c" download-base
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WEB" > "$W/http.log" 2>&1 &
HTTP_PID=$!
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/" > /dev/null 2>&1 && break
    sleep 0.1
done
TPL="http://127.0.0.1:$PORT/@TAG@/dummy_hcd.c"
rm -rf "$CACHE"
prep "$W/o" DUMMY_HCD_URL_TEMPLATE="$TPL"
check_quiet "3. download of v6.1.192 through the URL template" origin_is "$W/o" download-exact
check_quiet "   ... the URL was built from the template" has "$W/o.log" "downloading http://127.0.0.1:$PORT/v6.1.192/dummy_hcd.c"
check_quiet "   ... kept in the cache" has "$CACHE/v6.1.192/dummy_hcd.c" "origin-marker: download-exact"
check_quiet "   ... with its origin" has "$CACHE/v6.1.192/origin" "/v6.1.192/dummy_hcd.c"
prep "$W/o" DUMMY_HCD_URL_TEMPLATE="http://127.0.0.1:9/@TAG@/dummy_hcd.c"
check_quiet "3. a rebuild works offline from the cache (server unreachable)" origin_is "$W/o" download-exact
printf "DUMMY_HCD_URL_TEMPLATE='%s'\n" "$TPL" > "$W/tpl.conf"
rm -rf "$CACHE" "$WEB/v6.1.192"
prep "$W/o" --no-template DUMMY_HCD_CONF="$W/tpl.conf"
check_quiet "3. URL template from the settings file; falls back to the v6.1 tag" origin_is "$W/o" download-base
check_quiet "   ... and reports 'same major.minor'" has "$W/o/source-info.txt" "match=same major.minor (6.1.0 for 6.1.192)"
rm -rf "$CACHE" "$WEB/v6.1"
echo '<html>not found</html>' > "$WEB/index.html"
if prep "$W/o" DUMMY_HCD_URL_TEMPLATE="http://127.0.0.1:$PORT/@TAG@/dummy_hcd.c"; then
    fail "nothing found anywhere fails"
else
    pass "nothing found anywhere fails"
fi
check_quiet "   ... listing what was tried" has "$W/o.log" "download http://127.0.0.1:$PORT/v6.1.192/dummy_hcd.c (failed)"
check_quiet "   ... and how to fix it" has "$W/o.log" "apt install linux-source-6.1"
echo '<html>a login page</html>' > "$WEB/index.html"
if prep "$W/o" DUMMY_HCD_URL_TEMPLATE="http://127.0.0.1:$PORT/index.html?@TAG@"; then
    fail "a download that is not dummy_hcd.c (an HTML page) is rejected"
else
    pass "a download that is not dummy_hcd.c (an HTML page) is rejected"
fi
check_quiet "   ... and not cached" test ! -e "$CACHE/v6.1.192/dummy_hcd.c"
if prep "$W/o" DUMMY_HCD_URL_TEMPLATE="$TPL" DUMMY_HCD_OFFLINE=1; then fail "DUMMY_HCD_OFFLINE=1 disables the download"; else
    check_quiet "DUMMY_HCD_OFFLINE=1 disables the download" has "$W/o.log" "download v6.1.192 (disabled)"
fi
kill "$HTTP_PID" 2> /dev/null
wait "$HTTP_PID" 2> /dev/null
HTTP_PID=

echo "# shape detection and the hrtimer patch"
REAL61=
if [ -f /usr/src/linux-source-6.1.tar.xz ]; then
    mkdir -p "$W/real"
    tar -xf /usr/src/linux-source-6.1.tar.xz -C "$W/real" --wildcards '*drivers/usb/gadget/udc/dummy_hcd.c' 2> /dev/null
    REAL61=$(find "$W/real" -name dummy_hcd.c | head -1)
fi
check_quiet "the fixture is detected as timer_list" test "$(perl "$CONV" --detect "$LEG")" = timer_list
check_quiet "a C file that is not dummy_hcd.c is 'unknown'" test "$(perl "$CONV" --detect "$W/notdummy.c")" = unknown
perl "$CONV" --convert "$LEG" "$W/conv.c"
check_quiet "the fixture converts" test -s "$W/conv.c"
check_quiet "the converted source is detected as hrtimer" test "$(perl "$CONV" --detect "$W/conv.c")" = hrtimer
check_quiet "   ... struct dummy_hcd holds a struct hrtimer" grep -Pq '^\tstruct hrtimer\s+timer;' "$W/conv.c"
check_quiet "   ... callback returns enum hrtimer_restart" has "$W/conv.c" "static enum hrtimer_restart dummy_timer(struct hrtimer \*t)"
check_quiet "   ... relative soft-irq mode" has "$W/conv.c" "HRTIMER_MODE_REL_SOFT"
check_quiet "   ... 125 us interval at high/super speed" grep -Pq 'DUMMY_TIMER_INT_NSECS\s+125000' "$W/conv.c"
check_quiet "   ... no jiffies re-arm of dum_hcd->timer left" hasnot "$W/conv.c" "mod_timer(&dum_hcd->timer"
check_quiet "   ... the root hub's own rh_timer is untouched" has "$W/conv.c" "mod_timer(&dummy_hcd_to_hcd(dum_hcd)->rh_timer"
check_quiet "   ... dummy_stop cancels the hrtimer" grep -Pzq 'static void dummy_stop\(struct usb_hcd \*hcd\)\n\{[^}]*dummy_hrtimer_cancel' "$W/conv.c"
check_quiet "   ... every return of the callback returns HRTIMER_NORESTART" \
    test "$(sed -n '/^static enum hrtimer_restart dummy_timer/,/^}/p' "$W/conv.c" | grep -c 'return;')" = 0
check_quiet "   ... the rest of the file is unchanged (diff touches < 100 lines)" \
    test "$(diff "$LEG" "$W/conv.c" | grep -c '^[<>]')" -lt 100
if perl "$CONV" --convert "$W/conv.c" "$W/conv2.c" 2> "$W/err"; then fail "converting an hrtimer source is refused"; else pass "converting an hrtimer source is refused"; fi
# the exact 5.x..6.9 form of dummy_stop (no local dum_hcd)
perl -0pe 's/static void dummy_stop\(struct usb_hcd \*hcd\)\n\{.*?\n\}/static void dummy_stop(struct usb_hcd *hcd)\n{\n\tdevice_remove_file(dummy_dev(hcd_to_dummy_hcd(hcd)), &dev_attr_urbs);\n\tdev_info(dummy_dev(hcd_to_dummy_hcd(hcd)), "stopped\\n");\n}/s' "$LEG" > "$W/v69.c"
perl "$CONV" --convert "$W/v69.c" "$W/v69conv.c"
check_quiet "variant: dummy_stop without a local dum_hcd gets the cancel before device_remove_file" \
    grep -Pzq '\{\n\tdummy_hrtimer_cancel\(hcd_to_dummy_hcd\(hcd\)\);\n\tdevice_remove_file' "$W/v69conv.c"
# a variant that deletes the timer itself
perl -0pe 's/(static void dummy_stop\(struct usb_hcd \*hcd\)\n\{\n[^\n]*\n)/$1\n\tdel_timer_sync(&dum_hcd->timer);/s' "$LEG" > "$W/del.c"
perl "$CONV" --convert "$W/del.c" "$W/delconv.c"
check_quiet "variant: del_timer_sync(&dum_hcd->timer) becomes dummy_hrtimer_cancel, no second cancel" \
    test "$(grep -c 'dummy_hrtimer_cancel(' "$W/delconv.c")" = 2 # the macro definition + the call
# pre-4.15 setup_timer form is refused clearly
sed 's/timer_setup(&dum_hcd->timer, dummy_timer, 0)/setup_timer(\&dum_hcd->timer, dummy_timer, (unsigned long) dum_hcd)/' "$LEG" > "$W/old.c"
if perl "$CONV" --convert "$W/old.c" "$W/oldconv.c" 2> "$W/err"; then fail "a setup_timer (Linux < 4.15) source is refused"; else
    check_quiet "a setup_timer (Linux < 4.15) source is refused with a reason" has "$W/err" "Linux < 4.15"
fi
# a variant the patch does not know must fail, not build something half-converted
sed 's/mod_timer(&dum_hcd->timer, jiffies + 1)/mod_timer(\&dum_hcd->timer, jiffies + usecs_to_jiffies(500))/' "$LEG" > "$W/odd.c"
if perl "$CONV" --convert "$W/odd.c" "$W/oddconv.c" 2> "$W/err"; then fail "an unknown re-arm form fails the conversion"; else
    check_quiet "an unknown re-arm form fails the conversion, naming the line" has "$W/err" "usecs_to_jiffies"
fi

prep "$W/o" DUMMY_HCD_SOURCE="$LEG"
check_quiet "prepare-source.sh converts a timer_list source" has "$W/o/source-info.txt" "shape=timer_list"
check_quiet "   ... and tags the module (pvug_shape)" has "$W/o/dummy_hcd_info.c" 'MODULE_INFO(pvug_shape, "timer_list source, converted to hrtimer'
if prep "$W/o" DUMMY_HCD_SOURCE="$W/odd.c"; then fail "prepare-source.sh fails when the conversion fails"; else
    check_quiet "prepare-source.sh fails when the conversion fails" has "$W/o.log" "hrtimer conversion failed"
fi
if [ -n "$REAL61" ]; then
    check_quiet "Debian's linux-source-6.1 dummy_hcd.c is hrtimer-shaped" test "$(perl "$CONV" --detect "$REAL61")" = hrtimer
    prep "$W/o" DUMMY_HCD_SOURCE="$REAL61"
    perl "$CONV" --tune "$REAL61" "$W/tuned61.c"
    check_quiet "an hrtimer source is built as it is except for the tick/budget parameters (--tune)" cmp "$W/tuned61.c" "$W/o/dummy_hcd_main.c"
    check_quiet "   ... which change only the tick's #define and the first start's delay, and add the budget scaling and the kick" \
        test "$(diff "$REAL61" "$W/o/dummy_hcd_main.c" | grep -c '^<')" = 2
    check_quiet "   ... the first run after a submission waits for no tick (kick)" \
        grep -q 'hrtimer_start(&dum_hcd->timer, ns_to_ktime(PVUG_ENQUEUE_DELAY_NSECS(DUMMY_TIMER_INT_NSECS)),' "$W/o/dummy_hcd_main.c"
    check_quiet "   ... and the HCD's device gets a 64-bit DMA mask before its first HCD is created (dma64)" \
        test "$(awk '/^static int dummy_hcd_probe\(/,/usb_create_hcd/' "$W/o/dummy_hcd_main.c" | grep -c 'dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64))')" = 1
    check_quiet "   ... and keep the scheduler's re-arm only while URBs are queued (idle: no timer)" \
        grep -q 'if (list_empty(&dum_hcd->urbp_list))' "$W/o/dummy_hcd_main.c"
    check_quiet "   ... and tags the module (pvug_shape)" has "$W/o/dummy_hcd_info.c" 'MODULE_INFO(pvug_shape, "hrtimer source, scheduler unchanged, tick, budget, kick and dma64 as module parameters")'
    perl "$T/make-legacy-fixture.pl" "$REAL61" "$W/regen.c"
    check_quiet "the committed fixture is make-legacy-fixture.pl of linux-source-6.1 (6.1.192)" cmp "$W/regen.c" "$LEG"
else
    skip "real linux-source-6.1 checks (no /usr/src/linux-source-6.1.tar.xz)"
fi

echo "# compile against real headers"
newest_hdr() { ls -d /lib/modules/$1/build 2> /dev/null | sed 's|/lib/modules/||; s|/build||' | sort -V | tail -1; }
K61=${TEST_KVER_61:-$(newest_hdr '6.1.0-*-amd64')}
K612=${TEST_KVER_612:-$(newest_hdr '6.12.*+deb12-amd64')}
build() { # kver source outdir -> builds dummy_hcd.ko via the Makefile (prepare-source.sh path)
    rm -rf "$3"
    mkdir -p "$3"
    cp "$M/Kbuild" "$M/Makefile" "$M/prepare-source.sh" "$M/hrtimer-convert.pl" "$M/mass-storage-patch.pl" "$M/source.conf" "$M/dkms.conf" "$3/"
    DUMMY_HCD_CONF=/nonexistent DUMMY_HCD_SOURCE=$2 DUMMY_HCD_OFFLINE=1 make -C "$3" KVER="$1" > "$3.log" 2>&1 && test -f "$3/dummy_hcd.ko"
}
if [ -n "$K61" ]; then
    # the fixture itself is a valid timer_list module for 6.1 (it is realistic)
    mkdir -p "$W/asis"
    cp "$M/Kbuild" "$W/asis/"
    cp "$LEG" "$W/asis/dummy_hcd_main.c"
    echo '#include <linux/module.h>' > "$W/asis/dummy_hcd_info.c"
    check_quiet "the timer_list fixture compiles unmodified against $K61 headers" make -C "/lib/modules/$K61/build" M="$W/asis" modules
    check_quiet "   ... and uses no hrtimer (it is really a timer_list module)" test -z "$(nm -u "$W/asis/dummy_hcd.ko" 2> /dev/null | grep hrtimer)"
    check_quiet "the converted fixture compiles against $K61 headers (make, prepare-source.sh path)" build "$K61" "$LEG" "$W/b61"
    check_quiet "   ... without compiler warnings" test -z "$(grep -i 'warning:' "$W/b61.log")"
    check_quiet "   ... vermagic $K61" test "$(modinfo -F vermagic "$W/b61/dummy_hcd.ko" | awk '{print $1}')" = "$K61"
    check_quiet "   ... imports hrtimer_start_range_ns and hrtimer_cancel" test "$(nm -u "$W/b61/dummy_hcd.ko" | grep -cw 'hrtimer_start_range_ns\|hrtimer_cancel')" = 2
    check_quiet "the 5.x/6.9 dummy_stop variant compiles against $K61 headers" build "$K61" "$W/v69.c" "$W/b61v"
    if [ -f /usr/src/linux-source-6.1.tar.xz ]; then
        ms=$W/b61/usb_f_mass_storage.ko
        check_quiet "usb_f_mass_storage is built beside it from linux-source-6.1" test -f "$ms"
        check_quiet "   ... with the num_buffers and buflen parameters" test "$(modinfo -F parm "$ms" | grep -c '^num_buffers:\|^buflen:')" = 2
        check_quiet "   ... and a version (dkms installs it over the in-tree module)" test "$(modinfo -F version "$ms")" = "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$M/dkms.conf")-pvug"
        check_quiet "   ... and the configfs attribute num_buffers compiled in" grep -q 'pve-usb-gadget: per-function num_buffers attribute always' "$W/b61/f_mass_storage.c"
        check_quiet "   ... exporting the symbols of the in-tree module (g_mass_storage, g_multi link against them)" \
            test "$(nm "$ms" | grep -c ' __ksymtab_fsg_')" -ge 20
        check_quiet "   ... source-info.txt names its origin" has "$W/b61/source-info.txt" "mass_storage=/usr/src/linux-source-6.1.tar.xz"
        check_quiet "dkms.conf lists usb_f_mass_storage where its source is to be had (linux-source-6.1)" \
            bash -c "kernelver=$K61 kernel_source_dir=/lib/modules/$K61/build dkms_tree=$W/no-dkms; DUMMY_HCD_CONF=/nonexistent; export DUMMY_HCD_CONF; . '$M/dkms.conf'; [ \"\${BUILT_MODULE_NAME[1]:-}\" = usb_f_mass_storage ]"
        check_quiet "   ... and not where it is not (no linux-source, offline, empty cache): dummy_hcd alone builds" \
            bash -c "kernelver=$K61 kernel_source_dir=/lib/modules/$K61/build dkms_tree=$W/no-dkms; export DUMMY_HCD_CONF=/nonexistent DUMMY_HCD_OFFLINE=1 DUMMY_HCD_LINUX_SOURCE_DIR=$W/none DUMMY_HCD_CACHE=$W/none; . '$M/dkms.conf'; [ -z \"\${BUILT_MODULE_NAME[1]:-}\" ]"
        rm -rf "$W/b61n" && mkdir -p "$W/b61n" && cp "$M/Kbuild" "$M/Makefile" "$M/prepare-source.sh" "$M/hrtimer-convert.pl" "$M/mass-storage-patch.pl" "$M/source.conf" "$M/dkms.conf" "$W/b61n/"
        DUMMY_HCD_CONF=/nonexistent DUMMY_HCD_SOURCE=$LEG DUMMY_HCD_OFFLINE=1 DUMMY_HCD_LINUX_SOURCE_DIR=$W/none DUMMY_HCD_CACHE=$W/none \
            make -C "$W/b61n" KVER="$K61" > "$W/b61n.log" 2>&1
        check_quiet "   ... a lone dummy_hcd.c builds dummy_hcd.ko without usb_f_mass_storage, saying so" \
            test -f "$W/b61n/dummy_hcd.ko" -a ! -f "$W/b61n/usb_f_mass_storage.ko"
        check_quiet "   ... (the message)" has "$W/b61n.log" "only dummy_hcd is built"
    fi
else
    skip "compile against 6.1 headers (no /lib/modules/6.1.0-*-amd64/build)"
fi
if [ -n "$K612" ] && [ -f /usr/src/linux-source-6.12.tar.xz ]; then
    mkdir -p "$W/real612"
    tar -xf /usr/src/linux-source-6.12.tar.xz -C "$W/real612" --wildcards '*drivers/usb/gadget/udc/dummy_hcd.c' 2> /dev/null
    R612=$(find "$W/real612" -name dummy_hcd.c | head -1)
    check_quiet "Debian's linux-source-6.12 dummy_hcd.c is hrtimer-shaped" test "$(perl "$CONV" --detect "$R612")" = hrtimer
    check_quiet "a timer_list fixture derived from 6.12" perl "$T/make-legacy-fixture.pl" "$R612" "$W/leg612.c"
    check_quiet "   ... converted, compiles against $K612 headers" build "$K612" "$W/leg612.c" "$W/b612"
    check_quiet "   ... without compiler warnings" test -z "$(grep -i 'warning:' "$W/b612.log")"
    check_quiet "   ... imports hrtimer_start_range_ns" grep -qw hrtimer_start_range_ns <<< "$(nm -u "$W/b612/dummy_hcd.ko")"
else
    skip "compile against 6.12 headers (no headers or no linux-source-6.12)"
fi
# the mass-storage patch refuses a source it does not know
if [ -f /usr/src/linux-source-6.1.tar.xz ]; then
    mkdir -p "$W/msodd/x"
    tar -xf /usr/src/linux-source-6.1.tar.xz -C "$W/msodd/x" --wildcards '*drivers/usb/gadget/function/f_mass_storage.c' '*drivers/usb/gadget/function/storage_common.h' 2> /dev/null
    find "$W/msodd/x" -name 'f_mass_storage.c' -o -name 'storage_common.h' | xargs -I{} cp {} "$W/msodd/"
    sed -i 's/CONFIG_USB_GADGET_STORAGE_NUM_BUFFERS/FSG_NUM_BUFFERS_ELSEWHERE/' "$W/msodd/f_mass_storage.c"
    if perl "$M/mass-storage-patch.pl" "$W/msodd" > /dev/null 2> "$W/msodd.err"; then fail "the mass-storage patch refuses an unknown source"; else
        check_quiet "the mass-storage patch refuses an unknown source, naming what it missed" has "$W/msodd.err" "num_buffers at instance creation"
    fi
    if PVUG_NUM_BUFFERS=1 perl "$M/mass-storage-patch.pl" "$W/msodd" > /dev/null 2>&1; then fail "the mass-storage patch refuses a default of 1 buffer"; else pass "the mass-storage patch refuses a default of 1 buffer"; fi
fi
# --tune on the converted fixture: tick and budget parameters in both shapes
perl "$CONV" --convert "$LEG" "$W/conv.c" && perl "$CONV" --tune "$W/conv.c" "$W/convtuned.c" 2> "$W/tune.err"
check_quiet "--tune makes the tick and the budget module parameters of a converted source" \
    test "$(grep -c 'module_param_cb(tick_ns\|module_param_cb(budget_pct' "$W/convtuned.c")" = 2
check_quiet "   ... and the kick: a parameter, default 1 (the first run after a submission)" grep -q 'static bool pvug_kick = 1;' "$W/convtuned.c"
check_quiet "   ... the first run after a submission at once" \
    grep -q 'dummy_hrtimer_kick(dum_hcd, PVUG_ENQUEUE_DELAY_NSECS(DUMMY_HRTIMER_INTERVAL(dum_hcd)));' "$W/convtuned.c"
check_quiet "   ... and the HCD's device a 64-bit DMA mask (dma64, default 1)" \
    test "$(grep -c 'static bool pvug_dma64 = 1;\|dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64))' "$W/convtuned.c")" = 2
PVUG_KICK=0 PVUG_DMA64=0 perl "$CONV" --tune "$W/conv.c" "$W/convtuned0.c"
check_quiet "PVUG_DMA64=0 keeps the 32-bit mask by default (dma64=0)" grep -q 'static bool pvug_dma64 = 0;' "$W/convtuned0.c"
check_quiet "PVUG_KICK=0 builds the kernel's timing by default (kick=0)" grep -q 'static bool pvug_kick = 0;' "$W/convtuned0.c"
if PVUG_KICK=2 perl "$CONV" --tune "$W/conv.c" "$W/x.c" 2> /dev/null; then fail "--tune refuses PVUG_KICK=2"; else pass "--tune refuses PVUG_KICK=2"; fi
sed '/^static int dummy_urb_enqueue(/,/^}/ s/dummy_hrtimer_kick(dum_hcd, DUMMY_HRTIMER_INTERVAL(dum_hcd))/dummy_hrtimer_kick(dum_hcd, 42)/' "$W/conv.c" > "$W/conv2.c"
if perl "$CONV" --tune "$W/conv2.c" "$W/x.c" 2> "$W/tune2.err"; then fail "--tune refuses a dummy_urb_enqueue() it does not know"; else
    check_quiet "--tune refuses a dummy_urb_enqueue() it does not know, saying what it expected" has "$W/tune2.err" "dummy_urb_enqueue(): expected one start of the timer"
fi
if perl "$CONV" --tune "$LEG" "$W/x.c" 2> /dev/null; then fail "--tune refuses a timer_list source"; else pass "--tune refuses a timer_list source"; fi

# a failing prepare-source.sh must fail the make (and so the dkms build) with its message
mkdir -p "$W/mf"
cp "$M/Kbuild" "$M/Makefile" "$M/prepare-source.sh" "$M/hrtimer-convert.pl" "$M/mass-storage-patch.pl" "$M/source.conf" "$W/mf/"
if DUMMY_HCD_CONF=/nonexistent DUMMY_HCD_SOURCE=$W/missing.c make -C "$W/mf" KVER=6.1.0-0-amd64 KDIR="$KD" > "$W/mf.log" 2>&1; then
    fail "make fails when no source can be prepared"
else
    check_quiet "make fails when no source can be prepared, with the reason in its log" has "$W/mf.log" "does not exist"
fi

echo "# dkms.conf"
(
    kernelver=6.1.0-56-amd64 kernel_source_dir=/lib/modules/6.1.0-56-amd64/build
    # shellcheck disable=SC1091
    . "$M/dkms.conf"
    [ "$BUILT_MODULE_NAME" = dummy_hcd ] && [ "$DEST_MODULE_LOCATION" = /updates/dkms ] &&
        [ -z "${AUTOINSTALL:-}" ] && [ "$PRE_BUILD" = "prepare-source.sh --kernelver 6.1.0-56-amd64 --kernel-dir /lib/modules/6.1.0-56-amd64/build" ] &&
        [[ $MAKE == *KDIR=/lib/modules/6.1.0-56-amd64/build* ]]
) && pass "dkms.conf: module, updates/dkms, no AUTOINSTALL (our kernel hooks build it), PRE_BUILD and MAKE" || fail "dkms.conf: module, updates/dkms, no AUTOINSTALL (our kernel hooks build it), PRE_BUILD and MAKE"
check_quiet "scripts are executable" test -x "$M/prepare-source.sh" -a -x "$M/hrtimer-convert.pl" -a -x "$M/ci-build.sh"

echo
finish
