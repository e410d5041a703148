#!/usr/bin/env bash
# CI for the .deb: lintian, the package's contents and scripts, then clean Debian 12 (bookworm) and Debian 13 (trixie,
# with trixie-backports) chroots made with debootstrap: apt-get install ./pve-usb-gadget_*.deb, --version, dry-runs
# (attach with recording qm/pvesm stand-ins), remove, purge, nothing left behind; then kernel headers with no
# dummy_hcd source to be had, a second kernel's headers, the fixes (apt never exits non-zero, dpkg --audit stays
# empty). Builds the .deb first when target/ has none. CI_CHECK_SUITES="bookworm trixie" picks the chroots.
# The chroot tarballs and the .debs apt downloads are cached in /var/cache/pve-usb-gadget-ci.
# Ends with "N passed, N failed"; exits non-zero on a failure. Needs root.
set -uo pipefail
# One compound command, read whole before it runs: editing the script during a (long) run cannot break that run.
{
    cd "$(dirname "$0")/.."
    ROOT_DIR=$PWD
    export DEBIAN_FRONTEND=noninteractive
    CACHE=${PVE_USB_GADGET_CI_CACHE:-/var/cache/pve-usb-gadget-ci}
    # shellcheck source=../testlib/checks.sh
    . testlib/checks.sh
    # shellcheck source=../testlib/debian.sh
    . testlib/debian.sh
    step() { echo "== $* ($(date -u +%H:%M:%S))"; }

    # ---- build --------------------------------------------------------------------------------------------------------
    VERSION=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
    DEB=$ROOT_DIR/target/pve-usb-gadget_${VERSION}_all.deb
    if [ ! -f "$DEB" ] || [ -n "${PVE_USB_GADGET_CI_REBUILD:-}" ]; then
        step "mvn -B -q -DskipTests package"
        mvn -B -q -DskipTests package || {
            fail "mvn package"
            finish
        }
    fi
    check "target/pve-usb-gadget_${VERSION}_all.deb was built" [ -f "$DEB" ]
    [ -f "$DEB" ] || finish

    need=()
    command -v lintian > /dev/null || need+=(lintian)
    command -v debootstrap > /dev/null || need+=(debootstrap)
    if [ "${#need[@]}" -gt 0 ]; then
        step "apt-get install ${need[*]}"
        apt-get install -y -q -o DPkg::Lock::Timeout=600 "${need[@]}" > /tmp/pve-usb-gadget-ci-apt.log 2>&1 ||
            {
                apt-get update -q > /dev/null 2>&1
                apt-get install -y -q -o DPkg::Lock::Timeout=600 "${need[@]}" >> /tmp/pve-usb-gadget-ci-apt.log 2>&1
            }
    fi
    check "lintian and debootstrap are installed" bash -c "command -v lintian > /dev/null && command -v debootstrap > /dev/null" ||
        tail -5 /tmp/pve-usb-gadget-ci-apt.log

    # ---- lintian and the package's contents ---------------------------------------------------------------------------
    step "lintian"
    lintian --pedantic --info "$DEB" > /tmp/pve-usb-gadget-lintian.txt 2>&1
    grep -v 'running with root privileges' /tmp/pve-usb-gadget-lintian.txt
    check "lintian ran and reports no errors" bash -c "command -v lintian > /dev/null && ! grep -q '^E: ' /tmp/pve-usb-gadget-lintian.txt"
    if grep -q '^W: ' /tmp/pve-usb-gadget-lintian.txt; then
        echo "NOTE  lintian has warnings (not a failure): see above"
    fi

    step "contents and control"
    CONTENTS=$(dpkg-deb -c "$DEB" | awk '{ print $1, $2, $6 }')
    DKMS_NAME=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' module-src/dkms.conf)
    DKMS_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' module-src/dkms.conf)
    DKMS_DIR=/usr/src/$DKMS_NAME-$DKMS_VERSION
    has_file() { # has_file MODE PATH
        grep -qx -- "$1 root/root .$2" <<< "$CONTENTS"
    }
    check "jar in /usr/share/pve-usb-gadget" has_file -rw-r--r-- /usr/share/pve-usb-gadget/pve-usb-gadget.jar
    check "launcher /usr/bin/pve-usb-gadget (0755)" has_file -rwxr-xr-x /usr/bin/pve-usb-gadget
    check "hookscript shim (0755)" has_file -rwxr-xr-x /usr/share/pve-usb-gadget/pve-usb-gadget-hook
    check "modprobe.d file" has_file -rw-r--r-- /etc/modprobe.d/pve-usb-gadget.conf
    check "/etc/pve-usb-gadget/" grep -q ' \./etc/pve-usb-gadget/$' <<< "$CONTENTS"
    check "udev rules" has_file -rw-r--r-- /usr/lib/udev/rules.d/60-pve-usb-gadget.rules
    check "udev helper (0755)" has_file -rwxr-xr-x /usr/lib/pve-usb-gadget/udev-vmid
    check "DKMS tree $DKMS_DIR (name and version of module-src/dkms.conf)" has_file -rw-r--r-- "$DKMS_DIR/dkms.conf"
    missing=
    for f in $(git ls-files module-src | sed 's:^module-src/::' | grep -vE '^(tests/|ci-build\.sh$|README\.md$|\.gitignore$)'); do
        grep -q " \.$DKMS_DIR/$f\$" <<< "$CONTENTS" || missing="$missing $f"
    done
    check "every DKMS source file of module-src is packaged${missing:+ (missing:$missing)}" [ -z "$missing" ]
    check "the DKMS scripts are executable" \
        bash -c "grep -q '^-rwxr-xr-x root/root .$DKMS_DIR/prepare-source.sh' <<< \"\$1\"" _ "$CONTENTS"
    CONTROL=$(dpkg-deb -f "$DEB")
    check "Depends on a Java 17+ runtime and dkms" \
        bash -c "grep -q '^Depends:.*java17-runtime-headless' <<< \"\$1\" && grep -q '^Depends:.*dkms' <<< \"\$1\"" _ "$CONTROL"
    check "Recommends proxmox-default-headers | linux-headers-amd64" \
        grep -q '^Recommends: proxmox-default-headers | linux-headers-amd64' <<< "$CONTROL"
    CTL=$(mktemp -d)
    dpkg-deb -e "$DEB" "$CTL"
    check "conffiles: /etc/modprobe.d/pve-usb-gadget.conf, /etc/pve-usb-gadget/ and the kernel hooks" \
        bash -c "grep -qx /etc/modprobe.d/pve-usb-gadget.conf '$CTL/conffiles' && grep -q '^/etc/pve-usb-gadget/' '$CTL/conffiles' && grep -qx /etc/kernel/postinst.d/pve-usb-gadget '$CTL/conffiles' && grep -qx /etc/kernel/header_postinst.d/pve-usb-gadget '$CTL/conffiles'"
    check "kernel hooks (0755) and the DKMS kernel hook with the DKMS name and version filled in" \
        bash -c "grep -q '^-rwxr-xr-x root/root ./etc/kernel/postinst.d/pve-usb-gadget\$' <<< \"\$1\" && grep -q '^-rwxr-xr-x root/root ./etc/kernel/header_postinst.d/pve-usb-gadget\$' <<< \"\$1\" && dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/lib/pve-usb-gadget/dkms-kernel-hook | grep -qx 'NAME=$DKMS_NAME'" _ "$CONTENTS"
    check "maintainer scripts are valid sh" bash -c "sh -n '$CTL/postinst' && sh -n '$CTL/prerm' && sh -n '$CTL/postrm'"
    check "postinst and prerm use the DKMS name and version of dkms.conf" \
        bash -c "grep -qx 'DKMS_NAME=$DKMS_NAME' '$CTL/postinst' && grep -qx 'DKMS_VERSION=$DKMS_VERSION' '$CTL/prerm'"
    rm -rf "$CTL"

    # ---- clean Debian 12 (Proxmox VE 8) and Debian 13 (Proxmox VE 9) -----------------------------------------------------
    MIRROR=$(debian_mirror)
    DEB_NAME=$(basename "$DEB")
    C=
    cleanup() { [ -z "$C" ] || debian_chroot_close "$C"; }
    trap cleanup EXIT

    # What every apt run in the chroot must leave: exit 0 and nothing half-installed or unconfigured.
    apt_clean_exit() { # WHAT RC
        check "$1: apt exits 0" [ "$2" = 0 ]
        local audit
        audit=$(chroot "$C" dpkg --audit 2>&1)
        check "$1: dpkg --audit is empty${audit:+ ($(echo "$audit" | head -3 | tr '\n' ' '))}" [ -z "$audit" ]
    }
    in_chroot() { debian_chroot_run "$C" "$@"; }
    fs_list() { # every path of the chroot but the volatile ones, sorted
        (cd "$C" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/cache/apt \
            -o -path ./var/lib/apt -o -path ./var/log -o -path ./var/lib/dpkg -o -path ./var/cache/debconf \
            -o -path ./var/cache/ldconfig -o -path ./root \) -prune -o -print | sort)
    }
    dkms_state() { chroot "$C" dkms status -m "$DKMS_NAME" 2> /dev/null; }
    built_for() { # KVER: our module is installed for that kernel
        grep -q ", $1, .*: installed" <<< "$(dkms_state)" && ls "$C/lib/modules/$1/updates/dkms/"dummy_hcd.ko* > /dev/null 2>&1
    }
    not() { ! "$@"; }
    # Lines of our "could not be built" warning for KVER in LOG.
    warnings_for() { grep -c "pve-usb-gadget: warning: dummy_hcd could not be built for kernel $1," "$2"; }

    # distro_checks SUITE JAVA_FEATURE SUITES...: the package in a clean chroot of SUITE (apt sources SUITES...).
    distro_checks() {
        local suite=$1 java_feature=$2 tarball out rc log h1 h2 src
        shift 2
        local tag="[$suite]"
        step "$tag a clean chroot (debootstrap --variant=minbase $suite from $MIRROR, cached)"
        tarball=$(debian_minbase_tarball "$suite")
        check "$tag debootstrap $suite" [ -n "$tarball" ]
        [ -n "$tarball" ] || return
        C=$(mktemp -d "/var/tmp/pve-usb-gadget-chroot-$suite.XXXXXX")
        debian_chroot_open "$C" "$tarball" "$@" || {
            fail "$tag chroot in $C"
            return
        }
        # the .debs apt downloads, kept for the next run (a folder of its own: apt locks it)
        mkdir -p "$CACHE/ci-check-archives-$suite/partial"
        mount --bind "$CACHE/ci-check-archives-$suite" "$C/var/cache/apt/archives"
        log=/tmp/pve-usb-gadget-ci-$suite
        in_chroot apt-get update -q > "$log-update.log" 2>&1
        cp "$DEB" "$C/tmp/"

        step "$tag apt-get install ./$DEB_NAME (without recommends: no kernel headers)"
        in_chroot apt-get install -y -q --no-install-recommends "/tmp/$DEB_NAME" > "$log-install.log" 2>&1
        rc=$?
        tail -25 "$log-install.log"
        apt_clean_exit "$tag install without recommends" "$rc"
        check "$tag the package is installed" bash -c "chroot '$C' dpkg-query -W -f '\${Status}' pve-usb-gadget | grep -qx 'install ok installed'"
        out=$(in_chroot sh -c 'for j in /usr/lib/jvm/*/release; do sed -n "s/^JAVA_VERSION=\"\([0-9]*\).*/\1/p" "$j"; done' | sort -n | tail -1)
        check "$tag Java $java_feature (the distribution's default runtime) and dkms came as dependencies (Java: $out)" \
            bash -c "[ '$out' = '$java_feature' ] && chroot '$C' dpkg-query -W dkms > /dev/null"
        check "$tag postinst said which headers package to install" \
            grep -q 'pve-usb-gadget: no headers for kernel .*: apt install \(linux\|proxmox\)-headers-' "$log-install.log"
        check "$tag the DKMS tree is registered (dkms status: added)" bash -c "chroot '$C' dkms status -m '$DKMS_NAME' -v '$DKMS_VERSION' | grep -q '$DKMS_NAME/$DKMS_VERSION'"
        check "$tag /var/lib/dkms/$DKMS_NAME/$DKMS_VERSION/source points at $DKMS_DIR" \
            [ "$(readlink "$C/var/lib/dkms/$DKMS_NAME/$DKMS_VERSION/source")" = "$DKMS_DIR" ]
        check "$tag the DKMS tree has no AUTOINSTALL (dkms autoinstall must never fail apt because of us)" \
            bash -c "! grep -q '^AUTOINSTALL=' '$C$DKMS_DIR/dkms.conf'"
        check "$tag kernel hooks installed (postinst.d, header_postinst.d)" \
            bash -c "[ -x '$C/etc/kernel/postinst.d/pve-usb-gadget' ] && [ -x '$C/etc/kernel/header_postinst.d/pve-usb-gadget' ] && [ -x '$C/usr/lib/pve-usb-gadget/dkms-kernel-hook' ]"
        check "$tag postinst made the class-data-sharing archive" [ -s "$C/var/cache/pve-usb-gadget/pve-usb-gadget.jsa" ]

        step "$tag the tool in the chroot"
        out=$(in_chroot pve-usb-gadget --version 2>&1)
        echo "$out"
        check "$tag pve-usb-gadget --version prints pve-usb-gadget $VERSION" [ "$out" = "pve-usb-gadget $VERSION" ]
        in_chroot pve-usb-gadget init 100 --image /var/lib/vz/images/100/flash.img --dry-run > "$C/tmp/init.sh" 2>&1
        rc=$?
        check "$tag init --dry-run exits 0, prints a script and writes nothing" \
            bash -c "[ $rc = 0 ] && head -1 '$C/tmp/init.sh' | grep -qx '#!/bin/sh' && grep -q 'cat > /etc/pve-usb-gadget/100.conf' '$C/tmp/init.sh' && [ ! -e '$C/etc/pve-usb-gadget/100.conf' ]"
        mkdir -p "$C/opt/fake-pve/bin" "$C/opt/fake-pve/state/vm" "$C/var/lib/vz"
        cp packaging/tests/fake-pve/qm packaging/tests/fake-pve/pvesm "$C/opt/fake-pve/bin/"
        echo "local dir active /var/lib/vz" > "$C/opt/fake-pve/state/storages"
        printf 'boot: order=scsi0;net0\nmemory: 2048\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\nscsi0: local-lvm:vm-100-disk-0,size=8G\n' \
            > "$C/opt/fake-pve/state/vm/100.conf"
        out=$(chroot "$C" /usr/bin/env -i PATH=/opt/fake-pve/bin:/usr/sbin:/usr/bin:/sbin:/bin FAKE_PVE_STATE=/opt/fake-pve/state \
            pve-usb-gadget attach 100 --image /var/lib/vz/images/100/flash.img --dry-run 2>&1)
        rc=$?
        check "$tag attach --dry-run (recording qm/pvesm stand-ins) prints the qm set and changes nothing" \
            bash -c "[ $rc = 0 ] && grep -q \"^qm set 100 --hookscript local:snippets/pve-usb-gadget-hook --usb0 host=1d6b:4000,usb3=1 --boot 'order=usb0;scsi0;net0'\" <<< \"\$1\" && ! grep -q '^qm set' '$C/opt/fake-pve/state/calls' && [ ! -e '$C/var/lib/vz/snippets/pve-usb-gadget-hook' ]" _ "$out"
        check "$tag the shim answers post-start" in_chroot /usr/share/pve-usb-gadget/pve-usb-gadget-hook 100 post-start
        in_chroot /usr/share/pve-usb-gadget/pve-usb-gadget-hook 100 pre-migrate > /dev/null 2>&1
        rc=$?
        check "$tag the shim hands other phases to the tool (exit 2 for an unknown one)" [ "$rc" = 2 ]
        rm -rf "$C/opt/fake-pve" "$C/var/lib/vz" "$C/tmp/init.sh"

        step "$tag apt-get remove, purge"
        in_chroot apt-get remove -y -q pve-usb-gadget > "$log-remove.log" 2>&1
        rc=$?
        tail -8 "$log-remove.log"
        apt_clean_exit "$tag remove" "$rc"
        check "$tag remove: /usr/share/pve-usb-gadget, /usr/bin/pve-usb-gadget, udev files and $DKMS_DIR are gone" \
            bash -c "[ ! -e '$C/usr/share/pve-usb-gadget' ] && [ ! -e '$C/usr/bin/pve-usb-gadget' ] && [ ! -e '$C/usr/lib/udev/rules.d/60-pve-usb-gadget.rules' ] && [ ! -e '$C/usr/lib/pve-usb-gadget' ] && [ ! -e '$C$DKMS_DIR' ]"
        check "$tag remove: the DKMS module is unregistered" \
            bash -c "[ -z \"\$(chroot '$C' dkms status -m '$DKMS_NAME' 2>/dev/null)\" ] && [ ! -e '$C/var/lib/dkms/$DKMS_NAME' ]"
        check "$tag remove: the class-data-sharing archive is gone" [ ! -e "$C/var/cache/pve-usb-gadget" ]
        check "$tag remove: the conffiles stay until purge" \
            bash -c "[ -f '$C/etc/modprobe.d/pve-usb-gadget.conf' ] && chroot '$C' dpkg-query -W -f '\${Status}' pve-usb-gadget | grep -qx 'deinstall ok config-files'"
        in_chroot apt-get purge -y -q pve-usb-gadget > "$log-purge.log" 2>&1
        rc=$?
        apt_clean_exit "$tag purge" "$rc"
        check "$tag purge: dpkg knows nothing of the package (dpkg -L fails)" bash -c "! chroot '$C' dpkg -L pve-usb-gadget > /dev/null 2>&1"
        check "$tag purge: /etc/pve-usb-gadget, /etc/modprobe.d/pve-usb-gadget.conf and the kernel hooks are gone" \
            bash -c "[ ! -e '$C/etc/pve-usb-gadget' ] && [ ! -e '$C/etc/modprobe.d/pve-usb-gadget.conf' ] && [ ! -e '$C/etc/kernel/postinst.d/pve-usb-gadget' ] && [ ! -e '$C/etc/kernel/header_postinst.d/pve-usb-gadget' ]"
        left=$(cd "$C" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/cache/apt -o -path ./var/log \) -prune \
            -o \( -name '*pve-usb-gadget*' -o -name "$DKMS_NAME*" \) -print)
        check "$tag purge: no file named after the package or its DKMS module is left${left:+ ($left)}" [ -z "$left" ]

        step "$tag install + purge again: the file system is as before"
        fs_list > "$log-before.txt"
        in_chroot dpkg -i "/tmp/$DEB_NAME" > "$log-install2.log" 2>&1
        rc=$?
        check "$tag dpkg -i (dependencies present now) succeeds" [ "$rc" = 0 ]
        in_chroot pve-usb-gadget init 101 --image /var/lib/vz/images/101.img > /dev/null 2>&1
        check "$tag a config written by the tool (init 101) exists before purge" [ -f "$C/etc/pve-usb-gadget/101.conf" ]
        in_chroot dpkg --purge pve-usb-gadget > "$log-purge2.log" 2>&1
        fs_list > "$log-after.txt"
        diff "$log-before.txt" "$log-after.txt"
        check "$tag after install and purge the chroot has exactly the files it had before" cmp -s "$log-before.txt" "$log-after.txt"

        # ---- apt never fails because of us --------------------------------------------------------------------------
        # No kernel source anywhere (no linux-source, downloads off): the state of an offline host, or a Proxmox kernel.
        step "$tag apt-get install ./$DEB_NAME with recommends (kernel headers), no dummy_hcd source to be had"
        printf 'DUMMY_HCD_OFFLINE=1\n' > "$C/etc/default/$DKMS_NAME"
        in_chroot apt-get install -y -q "/tmp/$DEB_NAME" > "$log-install3.log" 2>&1
        rc=$?
        grep -E '^pve-usb-gadget:|dkms|DKMS|rror' "$log-install3.log" | tail -20
        apt_clean_exit "$tag install with headers and no source" "$rc"
        h1=$(chroot "$C" sh -c 'ls -d /lib/modules/*/build/include' 2> /dev/null | sed 's:^/lib/modules/::; s:/build/include$::' | head -1)
        check "$tag headers of kernel '$h1' came as a recommendation" [ -n "$h1" ]
        check "$tag the failed build is said once, naming kernel $h1" [ "$(warnings_for "$h1" "$log-install3.log")" = 1 ]
        check "$tag ... with the reason (no dummy_hcd.c source) and the command that fixes it" \
            bash -c "grep -q 'pve-usb-gadget:   why: no dummy_hcd.c source found for kernel $h1' '$log-install3.log' && grep -q 'pve-usb-gadget:   fix: apt install linux-source-' '$log-install3.log'"
        check "$tag dummy_hcd is not installed for $h1 (nothing half-built left installed)" not built_for "$h1"
        in_chroot dkms autoinstall -k "$h1" > "$log-autoinstall.log" 2>&1
        rc=$?
        check "$tag dkms autoinstall -k $h1 (what dkms's own kernel hooks run) exits 0" [ "$rc" = 0 ]

        # A later kernel's headers: what every Proxmox kernel upgrade looks like.
        h2=$(in_chroot apt-cache search --names-only '^linux-headers-[0-9]' 2> /dev/null | cut -d' ' -f1 |
            grep -E '^linux-headers-[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?(\+deb[0-9]+|\+bpo)?-amd64$' |
            grep -vx "linux-headers-$h1" | sort -V | tail -1)
        h2=${h2#linux-headers-}
        step "$tag a second kernel's headers (linux-headers-$h2), still no source"
        check "$tag a newer headers package is on offer ($h2)" [ -n "$h2" ]
        if [ -n "$h2" ]; then
            in_chroot apt-get install -y -q --no-install-recommends "linux-headers-$h2" > "$log-headers2.log" 2>&1
            rc=$?
            grep -E '^pve-usb-gadget:|run-parts|rror' "$log-headers2.log" | tail -12
            apt_clean_exit "$tag install linux-headers-$h2" "$rc"
            check "$tag the failed build for $h2 is said once" [ "$(warnings_for "$h2" "$log-headers2.log")" = 1 ]
            in_chroot apt-get install -y -q --no-install-recommends file > "$log-later.log" 2>&1
            rc=$?
            apt_clean_exit "$tag a later, unrelated apt-get install" "$rc"
            out=$(in_chroot pve-usb-gadget module status --kernel "$h2" 2>&1)
            echo "$out"
            check "$tag module status names $h2's missing dummy_hcd and what to do" \
                bash -c "grep -q '^  dummy_hcd:  missing' <<< \"\$1\" && grep -q '^  to do: ' <<< \"\$1\"" _ "$out"
        fi
        if [ "$suite" = trixie ] && [ -n "$h2" ]; then
            # The offline admin's fix for the newest kernel: a kernel tarball brought by hand (here the Debian package's
            # own, unpacked outside apt), then the command the warning names.
            local mm2 tb
            mm2=$(echo "$h2" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
            step "$tag a linux-$mm2 tarball brought by hand, then: pve-usb-gadget module build --kernel $h2 --source it"
            in_chroot sh -c "mkdir -p /root/src && cd /root/src && apt-get download -q linux-source-$mm2 && dpkg -x linux-source-${mm2}_*.deb ." \
                > "$log-source2.log" 2>&1
            tb=$(cd "$C" && ls root/src/usr/src/linux-source-"$mm2".tar.* 2> /dev/null | head -1)
            check "$tag a linux-$mm2 source tarball to bring (${tb:-none})" [ -n "$tb" ]
            if [ -n "$tb" ]; then
                in_chroot pve-usb-gadget module build --kernel "$h2" --source "/$tb" > "$log-module-build.log" 2>&1
                rc=$?
                tail -5 "$log-module-build.log"
                check "$tag module build --kernel $h2 --source /$tb exits 0" [ "$rc" = 0 ]
                check "$tag dummy_hcd is built and installed for $h2 (Linux $mm2, dkms $(chroot "$C" dpkg-query -W -f '${Version}' dkms))" built_for "$h2"
                out=$(in_chroot pve-usb-gadget module status --kernel "$h2" 2>&1)
                check "$tag module status says where $h2's dummy_hcd was built from" \
                    grep -q "^  built from: .*linux-source-$mm2" <<< "$out"
                rm -rf "$C/root/src"
            fi
        fi

        # The fix the warning names: a source, then the build happens (here by the kernel hook, at a headers reinstall).
        case "$suite" in
            bookworm)
                # No network for kernel.org here: the 6.1 timer_list fixture stands in for a file the admin brings.
                src=$(ls module-src/tests/fixtures/dummy_hcd-6.1.*.c 2> /dev/null | head -1)
                [ -n "$src" ] && cp "$src" "$C/opt/dummy_hcd.c"
                printf 'DUMMY_HCD_SOURCE=/opt/dummy_hcd.c\nDUMMY_HCD_OFFLINE=1\n' > "$C/etc/default/$DKMS_NAME"
                ;;
            *)
                # The distribution's own kernel source, as the warning says.
                src=linux-source-$(echo "$h1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
                in_chroot apt-get install -y -q --no-install-recommends "$src" > "$log-source.log" 2>&1
                apt_clean_exit "$tag install $src" "$?"
                ;;
        esac
        step "$tag the source is there ($src): reinstalling linux-headers-$h1 builds dummy_hcd"
        in_chroot apt-get install -y -q --reinstall --no-install-recommends "linux-headers-$h1" > "$log-reinstall.log" 2>&1
        rc=$?
        grep -E '^pve-usb-gadget:|rror' "$log-reinstall.log" | tail -8
        apt_clean_exit "$tag reinstall linux-headers-$h1" "$rc"
        check "$tag dummy_hcd is built and installed for $h1 by the kernel hook" built_for "$h1"
        chroot "$C" dkms status -m "$DKMS_NAME"

        in_chroot apt-get purge -y -q pve-usb-gadget > "$log-purge3.log" 2>&1
        rc=$?
        apt_clean_exit "$tag purge after a DKMS build" "$rc"
        check "$tag purge removes the module from every kernel" \
            bash -c "! ls '$C'/lib/modules/*/updates/dkms/dummy_hcd.ko* > /dev/null 2>&1 && [ -z \"\$(chroot '$C' dkms status -m '$DKMS_NAME' 2>/dev/null)\" ]"
        debian_chroot_close "$C"
        C=
    }

    # CI_CHECK_SUITES: which of them (both by default)
    for suite in ${CI_CHECK_SUITES:-bookworm trixie}; do
        case $suite in
            bookworm) distro_checks bookworm 17 bookworm ;;
            trixie) distro_checks trixie 21 trixie trixie-backports ;;
            *) fail "unknown suite '$suite' in CI_CHECK_SUITES (bookworm, trixie)" ;;
        esac
    done

    finish
}
