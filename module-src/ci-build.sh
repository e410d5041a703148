#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ci-build.sh - CI proof that the DKMS tree builds dummy_hcd.ko with an hrtimer
# scheduler for real Debian kernels, from their linux-source packages and from a
# timer_list-shaped source given through DUMMY_HCD_SOURCE.
#
#   module-src/ci-build.sh            (as root; apt-get installs what is missing)
#
# For each kernel (newest linux-headers-6.1.0-NN-amd64 and linux-headers-6.12.*+deb12-amd64,
# or CI_KERNELS="kver kver"):
#   dkms add/build/install, checks vermagic == kver, modinfo pvug_scheduler == hrtimer,
#   the module imports hrtimer_start_range_ns, and depmod resolves dummy_hcd to
#   updates/dkms (wins over the in-tree module); then the same with DUMMY_HCD_SOURCE
#   pointing at a timer_list-shaped dummy_hcd.c (converted by our patch).
# Copies the modules to module-src/out/<kver>/dummy_hcd.ko and
# module-src/out/<kver>/legacy/dummy_hcd.ko, writes module-src/out/itest.env
# (ITEST_DUMMY_HCD_KO_6_1=..., ITEST_DUMMY_HCD_KO_6_12=...), removes the module from
# DKMS again, runs tests/run-tests.sh (unless CI_SKIP_UNIT_TESTS=1) and ends with
# "N passed, N failed". Exit status 0 only if nothing failed.
set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
N=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$HERE/dkms.conf")
V=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$HERE/dkms.conf")
T0=$(date +%s)
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
nok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check() { # description, command...
	local d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
log() { echo "== [$(( $(date +%s) - T0 ))s] $*"; }

[ "$(id -u)" = 0 ] || { echo "ci-build.sh: must run as root (apt-get, dkms)" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive

# ------------------------------------------------------------------ packages
newest() { apt-cache search --names-only "$1" 2>/dev/null | awk '{print $1}' | grep -E "$2" | sort -V | tail -1; }
if [ -z "${CI_KERNELS:-}" ]; then
	h61=$(newest '^linux-headers-6\.1\.0-[0-9]+-amd64$' '^linux-headers-6\.1\.0-[0-9]+-amd64$')
	h612=$(newest '^linux-headers-6\.12\..*\+deb12-amd64$' '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$')
	if [ -z "$h61" ] || [ -z "$h612" ]; then
		log "apt-get update (no headers found in the package lists)"
		apt-get update -qq >/dev/null 2>&1
		h61=$(newest '^linux-headers-6\.1\.0-[0-9]+-amd64$' '^linux-headers-6\.1\.0-[0-9]+-amd64$')
		h612=$(newest '^linux-headers-6\.12\..*\+deb12-amd64$' '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$')
	fi
	CI_KERNELS="${h61#linux-headers-} ${h612#linux-headers-}"
fi
read -r -a KERNELS <<<"$CI_KERNELS"
pkgs=(dkms perl curl python3 xz-utils make gcc libc6-dev kmod binutils)
for k in "${KERNELS[@]}"; do
	mm=$(echo "$k" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	pkgs+=("linux-headers-$k" "linux-source-$mm")
done
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt-get install ${missing[*]}"
	if ! apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/tmp/ci-build-apt.log 2>&1; then
		apt-get update -qq >/dev/null 2>&1
		apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/tmp/ci-build-apt.log 2>&1
	fi
	check "apt-get install ${missing[*]}" test $? = 0 || tail -20 /tmp/ci-build-apt.log
fi
log "kernels: ${KERNELS[*]}"

# ------------------------------------------------------------------ dkms
rm -rf "$OUT"
mkdir -p "$OUT"
cleanup() {
	dkms remove "$N/$V" --all >/dev/null 2>&1
	rm -rf "/usr/src/$N-$V"
}
cleanup
trap cleanup EXIT
mkdir -p "/usr/src/$N-$V"
cp -a "$HERE/dkms.conf" "$HERE/Kbuild" "$HERE/Makefile" "$HERE/prepare-source.sh" \
	"$HERE/hrtimer-convert.pl" "$HERE/source.conf" "/usr/src/$N-$V/"
check "dkms add $N/$V" dkms add -m "$N" -v "$V"

# the built module of the last dkms build, uncompressed, to $2
grab() { # kver dest-dir
	local m d=$2
	m=$(ls "/var/lib/dkms/$N/$V/$1/$(uname -m)/module/"dummy_hcd.ko* 2>/dev/null | head -1)
	[ -n "$m" ] || return 1
	mkdir -p "$d"
	case "$m" in
	*.xz) xz -dc "$m" >"$d/dummy_hcd.ko" ;;
	*.zst) zstd -qdc "$m" >"$d/dummy_hcd.ko" ;;
	*.gz) gzip -dc "$m" >"$d/dummy_hcd.ko" ;;
	*) cp "$m" "$d/dummy_hcd.ko" ;;
	esac
	cp "/var/lib/dkms/$N/$V/$1/$(uname -m)/log/make.log" "$d/make.log" 2>/dev/null
	sed -n 's/^source-info: //p' "$d/make.log" >"$d/source-info.txt"
	return 0
}
verify() { # kver ko expected-shape-word
	local k=$1 ko=$2 want=$3 vm
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null | awk '{print $1}')
	check "$k: vermagic '$vm' matches the kernel" test "$vm" = "$k"
	check "$k: modinfo pvug_scheduler = hrtimer" test "$(modinfo -F pvug_scheduler "$ko")" = hrtimer
	check "$k: pvug_shape says '$want'" grep -q "$want" <<<"$(modinfo -F pvug_shape "$ko")"
	check "$k: module calls hrtimer_start_range_ns" grep -qw hrtimer_start_range_ns <<<"$(nm -u "$ko")"
	check "$k: module has the num/is_super_speed parameters" \
		test "$(modinfo -F parm "$ko" | grep -c '^num:\|^is_super_speed:')" = 2
}

for k in "${KERNELS[@]}"; do
	mm=$(echo "$k" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	log "dkms build -k $k (source: /usr/src/linux-source-$mm.tar.*)"
	s=$(date +%s)
	if (unset DUMMY_HCD_SOURCE; DUMMY_HCD_OFFLINE=1 dkms build -m "$N" -v "$V" -k "$k") >"$OUT/dkms-build-$k.log" 2>&1; then
		ok "$k: dkms build ($(( $(date +%s) - s ))s)"
	else
		nok "$k: dkms build"; tail -30 "$OUT/dkms-build-$k.log"; continue
	fi
	grep '^prepare-source.sh:' "$OUT/dkms-build-$k.log"
	check "$k: module copied to out/$k/dummy_hcd.ko" grab "$k" "$OUT/$k"
	verify "$k" "$OUT/$k/dummy_hcd.ko" "hrtimer source"
	check "$k: source matched the kernel version" grep -q '^match=exact\|^match=same major.minor' "$OUT/$k/source-info.txt"
	if dkms install -m "$N" -v "$V" -k "$k" >"$OUT/dkms-install-$k.log" 2>&1; then
		ok "$k: dkms install"
	else
		nok "$k: dkms install"; tail -20 "$OUT/dkms-install-$k.log"
	fi
	where=$(modinfo -k "$k" -n dummy_hcd 2>/dev/null)
	check "$k: depmod resolves dummy_hcd to our module ($where)" grep -q '/updates/dkms/dummy_hcd.ko' <<<"$where"

	# legacy path: a timer_list-shaped source given through DUMMY_HCD_SOURCE
	fx=$HERE/tests/fixtures/dummy_hcd-$(sed -n 's/^kernel_version=//p' "$OUT/$k/source-info.txt")-timer_list.c
	if [ ! -f "$fx" ]; then
		fx=$OUT/$k/dummy_hcd-timer_list.c
		# derive one from the kernel's own (hrtimer) source, see tests/make-legacy-fixture.pl
		tmp=$(mktemp -d)
		tar -xf "/usr/src/linux-source-$mm.tar.xz" -C "$tmp" --wildcards '*drivers/usb/gadget/udc/dummy_hcd.c' 2>/dev/null
		perl "$HERE/tests/make-legacy-fixture.pl" "$(find "$tmp" -name dummy_hcd.c | head -1)" "$fx"
		rm -rf "$tmp"
	fi
	check "$k: timer_list fixture $(basename "$fx") is timer_list-shaped" \
		test "$(perl "$HERE/hrtimer-convert.pl" --detect "$fx")" = timer_list
	log "dkms build -k $k with DUMMY_HCD_SOURCE=$fx"
	dkms remove "$N/$V" -k "$k" >/dev/null 2>&1
	s=$(date +%s)
	if DUMMY_HCD_SOURCE=$fx DUMMY_HCD_OFFLINE=1 dkms build -m "$N" -v "$V" -k "$k" >"$OUT/dkms-build-legacy-$k.log" 2>&1; then
		ok "$k: dkms build of the timer_list source ($(( $(date +%s) - s ))s)"
	else
		nok "$k: dkms build of the timer_list source"; tail -30 "$OUT/dkms-build-legacy-$k.log"; continue
	fi
	grep '^prepare-source.sh:' "$OUT/dkms-build-legacy-$k.log"
	check "$k: legacy module copied to out/$k/legacy/dummy_hcd.ko" grab "$k" "$OUT/$k/legacy"
	verify "$k" "$OUT/$k/legacy/dummy_hcd.ko" "converted to hrtimer"
	check "$k: legacy module sets up an hrtimer (hrtimer_init/hrtimer_setup)" \
		grep -qwE 'hrtimer_init|hrtimer_setup' <<<"$(nm -u "$OUT/$k/legacy/dummy_hcd.ko")"
done

{
	for k in "${KERNELS[@]}"; do
		mm=$(echo "$k" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
		[ -f "$OUT/$k/dummy_hcd.ko" ] || continue
		echo "ITEST_DUMMY_HCD_KO_${mm//./_}=$OUT/$k/dummy_hcd.ko"
		[ -f "$OUT/$k/legacy/dummy_hcd.ko" ] && echo "ITEST_DUMMY_HCD_KO_${mm//./_}_LEGACY=$OUT/$k/legacy/dummy_hcd.ko"
	done
} >"$OUT/itest.env"
log "wrote $OUT/itest.env:"
cat "$OUT/itest.env"
cleanup
trap - EXIT
check "dkms tree removed again (in-tree module resolves again)" test -z "$(dkms status "$N" 2>/dev/null)"

# ------------------------------------------------------------------ unit tests
if [ "${CI_SKIP_UNIT_TESTS:-0}" != 1 ]; then
	log "tests/run-tests.sh"
	"$HERE/tests/run-tests.sh" | tee "$OUT/run-tests.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/run-tests.log" | tail -1)
	if [ -n "$line" ]; then
		PASS=$((PASS + $(echo "$line" | awk '{print $1}')))
		FAIL=$((FAIL + $(echo "$line" | awk '{print $3}')))
	else
		nok "tests/run-tests.sh printed no summary"
	fi
fi

log "done in $(( $(date +%s) - T0 ))s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
