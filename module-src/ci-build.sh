#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ci-build.sh - CI proof that the DKMS tree builds dummy_hcd.ko with an hrtimer
# scheduler for real Debian kernels, from their linux-source packages and from a
# timer_list-shaped source given through DUMMY_HCD_SOURCE.
#
#   module-src/ci-build.sh            (as root; apt-get installs what is missing)
#
# Kernels: the newest linux-headers-6.1.0-NN-amd64 and linux-headers-6.12.*+deb12-amd64 of
# this machine (Debian 12; or CI_KERNELS="kver kver"), built here, and the newest kernel of
# trixie-backports (7.x; CI_TRIXIE_KERNEL=kver, or CI_TRIXIE=0 to leave it out), built in a
# Debian 13 chroot (its headers need trixie's gcc-14): debootstrap --variant=minbase trixie,
# cached in /var/cache/pve-usb-gadget-ci/trixie-minbase.tar.gz (testlib/debian.sh), with dkms,
# build-essential, linux-headers-K and linux-source-X.Y from trixie and trixie-backports of the
# mirror this machine uses. This machine's own apt sources are never changed.
# For each kernel:
#   dkms add/build/install, checks vermagic == kver, modinfo pvug_scheduler == hrtimer,
#   the module imports hrtimer_start_range_ns, and depmod resolves dummy_hcd to
#   updates/dkms (wins over the in-tree module); then the same with DUMMY_HCD_SOURCE
#   pointing at a timer_list-shaped dummy_hcd.c (converted by our patch).
# Copies the modules to module-src/out/<kver>/dummy_hcd.ko and
# module-src/out/<kver>/legacy/dummy_hcd.ko, writes module-src/out/itest.env
# (ITEST_DUMMY_HCD_KO_6_1=..., ITEST_KVER_6_1=<kver>, ... ITEST_DUMMY_HCD_KO_7_3=..., the key
# from the kernel's X.Y), removes the module from DKMS again, runs tests/run-tests.sh
# (unless CI_SKIP_UNIT_TESTS=1) and ends with "N passed, N failed". Exit status 0 only if
# nothing failed.
set -u
set -o pipefail
# One compound command, read whole before it runs: editing the script during a run cannot break that run.
{

    HERE=$(cd "$(dirname "$0")" && pwd)
    OUT=$HERE/out
    N=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$HERE/dkms.conf")
    V=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$HERE/dkms.conf")
    T0=$(date +%s)
    REPO=$(dirname "$HERE")
    # shellcheck source=../testlib/checks.sh
    . "$REPO/testlib/checks.sh"
    # shellcheck source=../testlib/debian.sh
    . "$REPO/testlib/debian.sh"
    log() { echo "== [$(($(date +%s) - T0))s] $*"; }

    [ "$(id -u)" = 0 ] || {
        echo "ci-build.sh: must run as root (apt-get, dkms)" >&2
        exit 2
    }
    export DEBIAN_FRONTEND=noninteractive
    series() { echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'; } # kver -> X.Y

    # ------------------------------------------------------------------ packages (this machine)
    if [ -z "${CI_KERNELS+set}" ]; then # (CI_KERNELS= builds none of this machine's kernels)
        h61=$(debian_newest - '^linux-headers-6\.1\.0-[0-9]+-amd64$')
        h612=$(debian_newest - '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$')
        if [ -z "$h61" ] || [ -z "$h612" ]; then
            log "apt-get update (no headers found in the package lists)"
            apt-get update -qq > /dev/null 2>&1
            h61=$(debian_newest - '^linux-headers-6\.1\.0-[0-9]+-amd64$')
            h612=$(debian_newest - '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$')
        fi
        CI_KERNELS="${h61#linux-headers-} ${h612#linux-headers-}"
    fi
    read -r -a KERNELS <<< "$CI_KERNELS" || true
    pkgs=(dkms perl curl python3 xz-utils make gcc libc6-dev kmod binutils)
    for k in "${KERNELS[@]}"; do
        pkgs+=("linux-headers-$k" "linux-source-$(series "$k")")
    done
    check "the packages the builds need are installed (${pkgs[*]})" debian_need "${pkgs[@]}"
    log "kernels of this machine: ${KERNELS[*]}"

    # ------------------------------------------------------------------ dkms
    # ROOT: "" builds on this machine, a directory builds in that chroot (paths below are seen from inside it).
    ROOT=
    in_root() { # [VAR=value...] COMMAND...: in ROOT, with a clean environment there
        if [ -n "$ROOT" ]; then debian_chroot_run "$ROOT" "$@"; else env -u DUMMY_HCD_SOURCE "$@"; fi
    }
    rm -rf "$OUT"
    mkdir -p "$OUT"
    dkms_tree_remove() {
        in_root dkms remove "$N/$V" --all > /dev/null 2>&1
        rm -rf "$ROOT/usr/src/$N-$V"
    }
    dkms_tree_add() {
        dkms_tree_remove
        mkdir -p "$ROOT/usr/src/$N-$V"
        cp -a "$HERE/dkms.conf" "$HERE/Kbuild" "$HERE/Makefile" "$HERE/prepare-source.sh" \
            "$HERE/hrtimer-convert.pl" "$HERE/mass-storage-patch.pl" "$HERE/source.conf" "$ROOT/usr/src/$N-$V/"
        check "${ROOT:+trixie chroot: }dkms add $N/$V" in_root dkms add -m "$N" -v "$V"
    }

    # the built module of the last dkms build, uncompressed, to $2
    grab() { # kver dest-dir
        local m d=$2
        m=$(ls "$ROOT/var/lib/dkms/$N/$V/$1/$(uname -m)/module/"dummy_hcd.ko* 2> /dev/null | head -1)
        [ -n "$m" ] || return 1
        mkdir -p "$d"
        case "$m" in
            *.xz) xz -dc "$m" > "$d/dummy_hcd.ko" ;;
            *.zst) zstd -qdc "$m" > "$d/dummy_hcd.ko" ;;
            *.gz) gzip -dc "$m" > "$d/dummy_hcd.ko" ;;
            *) cp "$m" "$d/dummy_hcd.ko" ;;
        esac
        echo "${m##*/}" > "$d/dkms-module-name.txt"
        rm -f "$d/usb_f_mass_storage.ko"
        m=$(ls "$ROOT/var/lib/dkms/$N/$V/$1/$(uname -m)/module/"usb_f_mass_storage.ko* 2> /dev/null | head -1)
        case "$m" in
            "") ;;
            *.xz) xz -dc "$m" > "$d/usb_f_mass_storage.ko" ;;
            *.zst) zstd -qdc "$m" > "$d/usb_f_mass_storage.ko" ;;
            *.gz) gzip -dc "$m" > "$d/usb_f_mass_storage.ko" ;;
            *) cp "$m" "$d/usb_f_mass_storage.ko" ;;
        esac
        cp "$ROOT/var/lib/dkms/$N/$V/$1/$(uname -m)/log/make.log" "$d/make.log" 2> /dev/null
        sed -n 's/^source-info: //p' "$d/make.log" > "$d/source-info.txt"
        return 0
    }
    verify() { # kver ko expected-shape-word
        local k=$1 ko=$2 want=$3 vm
        vm=$(modinfo -F vermagic "$ko" 2> /dev/null | awk '{print $1}')
        check "$k: vermagic '$vm' matches the kernel" test "$vm" = "$k"
        check "$k: modinfo pvug_scheduler = hrtimer" test "$(modinfo -F pvug_scheduler "$ko")" = hrtimer
        check "$k: pvug_shape says '$want'" grep -q "$want" <<< "$(modinfo -F pvug_shape "$ko")"
        check "$k: module calls hrtimer_start_range_ns" grep -qw hrtimer_start_range_ns <<< "$(nm -u "$ko")"
        check "$k: module has the num/is_super_speed parameters" \
            test "$(modinfo -F parm "$ko" | grep -c '^num:\|^is_super_speed:')" = 2
    }

    build_kernel() { # kver: dkms build/install of the kernel's own source, then of a timer_list-shaped one
        local k=$1 mm s where fx
        mm=$(series "$k")
        log "dkms build -k $k${ROOT:+ in the trixie chroot} (source: /usr/src/linux-source-$mm.tar.*)"
        s=$(date +%s)
        if in_root DUMMY_HCD_OFFLINE=1 dkms build -m "$N" -v "$V" -k "$k" > "$OUT/dkms-build-$k.log" 2>&1; then
            pass "$k: dkms build ($(($(date +%s) - s))s)"
        else
            fail "$k: dkms build"
            tail -30 "$OUT/dkms-build-$k.log"
            return
        fi
        grep '^prepare-source.sh:' "$OUT/dkms-build-$k.log"
        check "$k: module copied to out/$k/dummy_hcd.ko" grab "$k" "$OUT/$k"
        log "$k: dkms made $(cat "$OUT/$k/dkms-module-name.txt" 2> /dev/null)"
        verify "$k" "$OUT/$k/dummy_hcd.ko" "hrtimer source"
        check "$k: source matched the kernel version" grep -q '^match=exact\|^match=same major.minor' "$OUT/$k/source-info.txt"
        if in_root dkms install -m "$N" -v "$V" -k "$k" > "$OUT/dkms-install-$k.log" 2>&1; then
            pass "$k: dkms install"
        else
            fail "$k: dkms install"
            tail -20 "$OUT/dkms-install-$k.log"
        fi
        where=$(in_root modinfo -k "$k" -n dummy_hcd 2> /dev/null)
        check "$k: depmod resolves dummy_hcd to our module ($where)" grep -q '/updates/dkms/dummy_hcd.ko' <<< "$where"
        # usb_f_mass_storage with deeper buffering, from the same linux-source
        local ms=$OUT/$k/usb_f_mass_storage.ko
        check "$k: usb_f_mass_storage built too (out/$k/usb_f_mass_storage.ko)" test -f "$ms"
        check "$k: usb_f_mass_storage vermagic matches the kernel" test "$(modinfo -F vermagic "$ms" 2> /dev/null | awk '{print $1}')" = "$k"
        check "$k: usb_f_mass_storage has the num_buffers/buflen parameters" \
            test "$(modinfo -F parm "$ms" 2> /dev/null | grep -c '^num_buffers:\|^buflen:')" = 2
        check "$k: usb_f_mass_storage has a version (dkms installs it over the in-tree one)" test -n "$(modinfo -F version "$ms" 2> /dev/null)"
        where=$(in_root modinfo -k "$k" -n usb_f_mass_storage 2> /dev/null)
        check "$k: depmod resolves usb_f_mass_storage to our module ($where)" grep -q '/updates/dkms/usb_f_mass_storage.ko' <<< "$where"

        # legacy path: a timer_list-shaped source given through DUMMY_HCD_SOURCE
        fx=$HERE/tests/fixtures/dummy_hcd-$(sed -n 's/^kernel_version=//p' "$OUT/$k/source-info.txt")-timer_list.c
        if [ ! -f "$fx" ]; then
            fx=$OUT/$k/dummy_hcd-timer_list.c
            # derived from the kernel's own (hrtimer) source
            perl "$HERE/tests/make-legacy-fixture.pl" "$ROOT/usr/src/linux-source-$mm.tar.xz" "$fx"
        fi
        check "$k: timer_list fixture $(basename "$fx") is timer_list-shaped" \
            test "$(perl "$HERE/hrtimer-convert.pl" --detect "$fx")" = timer_list
        if [ -n "$ROOT" ]; then # the chroot sees its own /tmp only
            cp "$fx" "$ROOT/tmp/${fx##*/}"
            fx=/tmp/${fx##*/}
        fi
        log "dkms build -k $k with DUMMY_HCD_SOURCE=$fx"
        in_root dkms remove "$N/$V" -k "$k" > /dev/null 2>&1
        s=$(date +%s)
        if in_root DUMMY_HCD_SOURCE="$fx" DUMMY_HCD_OFFLINE=1 dkms build -m "$N" -v "$V" -k "$k" > "$OUT/dkms-build-legacy-$k.log" 2>&1; then
            pass "$k: dkms build of the timer_list source ($(($(date +%s) - s))s)"
        else
            fail "$k: dkms build of the timer_list source"
            tail -30 "$OUT/dkms-build-legacy-$k.log"
            return
        fi
        grep '^prepare-source.sh:' "$OUT/dkms-build-legacy-$k.log"
        check "$k: legacy module copied to out/$k/legacy/dummy_hcd.ko" grab "$k" "$OUT/$k/legacy"
        verify "$k" "$OUT/$k/legacy/dummy_hcd.ko" "converted to hrtimer"
        check "$k: legacy module sets up an hrtimer (hrtimer_init/hrtimer_setup)" \
            grep -qwE 'hrtimer_init|hrtimer_setup' <<< "$(nm -u "$OUT/$k/legacy/dummy_hcd.ko")"
    }

    built=()
    trap 'ROOT= dkms_tree_remove; [ -n "${TRIXIE:-}" ] && debian_chroot_close "$TRIXIE"' EXIT
    dkms_tree_add
    for k in "${KERNELS[@]}"; do
        build_kernel "$k"
        built+=("$k")
    done
    dkms_tree_remove
    check "dkms tree removed again (in-tree module resolves again)" test -z "$(dkms status "$N" 2> /dev/null)"

    # ------------------------------------------------------------------ 7.x in a trixie chroot
    if [ "${CI_TRIXIE:-1}" = 1 ]; then
        t=$(date +%s)
        APT_TRIXIE=$DEBIAN_CHROOT_CACHE/apt-trixie
        ARCHIVES=$DEBIAN_CHROOT_CACHE/archives-trixie
        kt=${CI_TRIXIE_KERNEL:-}
        if [ -z "$kt" ]; then
            log "package lists of trixie and trixie-backports from $(debian_mirror) (a separate apt state in $APT_TRIXIE)"
            if debian_apt_state "$APT_TRIXIE" trixie trixie-backports; then
                kt=$(debian_newest "$APT_TRIXIE" '^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb13-amd64$')
                kt=${kt#linux-headers-}
            fi
        fi
        check "the newest kernel of trixie-backports: ${kt:-none found}" test -n "$kt"
        tarball=
        [ -z "$kt" ] || tarball=$(debian_minbase_tarball trixie)
        check "a Debian 13 minbase chroot (debootstrap, cached in $DEBIAN_CHROOT_CACHE)" test -n "$tarball"
        if [ -n "$kt" ] && [ -n "$tarball" ]; then
            TRIXIE=$(mktemp -d /var/tmp/pve-usb-gadget-trixie.XXXXXX)
            mkdir -p "$ARCHIVES/partial"
            if debian_chroot_open "$TRIXIE" "$tarball" trixie trixie-backports &&
                mount --bind "$ARCHIVES" "$TRIXIE/var/cache/apt/archives"; then
                # linux-modules-K: the kernel's own module tree (it has a dummy_hcd.ko.xz) that ours must win over
                tpkgs=(dkms build-essential kmod xz-utils perl "linux-headers-$kt" "linux-modules-$kt" "linux-source-$(series "$kt")")
                log "trixie chroot $TRIXIE: apt-get install ${tpkgs[*]}"
                in_root_ok=0
                ROOT=$TRIXIE
                if in_root apt-get -q update > "$OUT/trixie-apt.log" 2>&1 &&
                    in_root apt-get install -y -q --no-install-recommends "${tpkgs[@]}" >> "$OUT/trixie-apt.log" 2>&1; then
                    in_root_ok=1
                fi
                check "trixie chroot: apt-get install ${tpkgs[*]} ($(($(date +%s) - t))s so far)" \
                    test "$in_root_ok" = 1 || tail -n 20 "$OUT/trixie-apt.log"
                if [ "$in_root_ok" = 1 ]; then
                    log "trixie chroot: $(in_root gcc --version | head -1), $(in_root dkms --version)"
                    dkms_tree_add
                    build_kernel "$kt"
                    built+=("$kt")
                    dkms_tree_remove
                fi
                ROOT=
            else
                fail "trixie chroot: could not set it up in $TRIXIE"
            fi
            debian_chroot_close "$TRIXIE"
            TRIXIE=
        fi
        log "7.x in the trixie chroot took $(($(date +%s) - t))s"
    fi

    {
        for k in "${built[@]}"; do
            mm=$(series "$k")
            [ -f "$OUT/$k/dummy_hcd.ko" ] || continue
            echo "ITEST_KVER_${mm//./_}=$k"
            echo "ITEST_DUMMY_HCD_KO_${mm//./_}=$OUT/$k/dummy_hcd.ko"
            [ -f "$OUT/$k/legacy/dummy_hcd.ko" ] && echo "ITEST_DUMMY_HCD_KO_${mm//./_}_LEGACY=$OUT/$k/legacy/dummy_hcd.ko"
            [ -f "$OUT/$k/usb_f_mass_storage.ko" ] && echo "ITEST_MASS_STORAGE_KO_${mm//./_}=$OUT/$k/usb_f_mass_storage.ko"
        done
    } > "$OUT/itest.env"
    log "wrote $OUT/itest.env:"
    cat "$OUT/itest.env"
    trap - EXIT

    # ------------------------------------------------------------------ unit tests
    if [ "${CI_SKIP_UNIT_TESTS:-0}" != 1 ]; then
        log "tests/run-tests.sh"
        "$HERE/tests/run-tests.sh" | tee "$OUT/run-tests.log"
        checks_add "$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/run-tests.log" | tail -1)"
    fi

    log "done in $(($(date +%s) - T0))s"
    finish
}
