#!/usr/bin/env bash
# CI for the .deb: lintian, the package's contents and scripts, then a clean Debian 12 (bookworm) chroot made with
# debootstrap: apt-get install ./pve-usb-gadget_*.deb, --version, dry-runs (attach with recording qm/pvesm
# stand-ins), remove, purge, and nothing left behind. Builds the .deb first when target/ has none.
# The chroot tarball and the .debs apt downloads are cached in /var/cache/pve-usb-gadget-ci.
# Ends with "N passed, N failed"; exits non-zero on a failure. Needs root.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$PWD
export DEBIAN_FRONTEND=noninteractive
CACHE=${PVE_USB_GADGET_CI_CACHE:-/var/cache/pve-usb-gadget-ci}
passed=0
failed=0
pass() { echo "PASS  $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); }
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
step() { echo "== $* ($(date -u +%H:%M:%S))"; }

# ---- build --------------------------------------------------------------------------------------------------------
VERSION=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
DEB=$ROOT_DIR/target/pve-usb-gadget_${VERSION}_all.deb
if [ ! -f "$DEB" ] || [ -n "${PVE_USB_GADGET_CI_REBUILD:-}" ]; then
    step "mvn -B -q -DskipTests package"
    mvn -B -q -DskipTests package || { fail "mvn package"; finish; }
fi
check "target/pve-usb-gadget_${VERSION}_all.deb was built" [ -f "$DEB" ]
[ -f "$DEB" ] || finish

need=()
command -v lintian > /dev/null || need+=(lintian)
command -v debootstrap > /dev/null || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
    step "apt-get install ${need[*]}"
    apt-get install -y -q "${need[@]}" > /tmp/pve-usb-gadget-ci-apt.log 2>&1 \
        || { apt-get update -q > /dev/null 2>&1; apt-get install -y -q "${need[@]}" >> /tmp/pve-usb-gadget-ci-apt.log 2>&1; }
fi

# ---- lintian and the package's contents ---------------------------------------------------------------------------
step "lintian"
lintian --pedantic --info "$DEB" > /tmp/pve-usb-gadget-lintian.txt 2>&1
grep -v 'running with root privileges' /tmp/pve-usb-gadget-lintian.txt
check "lintian reports no errors" bash -c "! grep -q '^E: ' /tmp/pve-usb-gadget-lintian.txt"
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
check "conffiles: /etc/modprobe.d/pve-usb-gadget.conf and /etc/pve-usb-gadget/" \
    bash -c "grep -qx /etc/modprobe.d/pve-usb-gadget.conf '$CTL/conffiles' && grep -q '^/etc/pve-usb-gadget/' '$CTL/conffiles'"
check "maintainer scripts are valid sh" bash -c "sh -n '$CTL/postinst' && sh -n '$CTL/prerm' && sh -n '$CTL/postrm'"
check "postinst and prerm use the DKMS name and version of dkms.conf" \
    bash -c "grep -qx 'DKMS_NAME=$DKMS_NAME' '$CTL/postinst' && grep -qx 'DKMS_VERSION=$DKMS_VERSION' '$CTL/prerm'"
rm -rf "$CTL"

# ---- a clean Debian 12 ---------------------------------------------------------------------------------------------
mirror() {
    local uri
    uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
    echo "${uri:-http://deb.debian.org/debian}"
}
MIRROR=$(mirror)
TARBALL=$CACHE/bookworm-minbase.tar.gz
mkdir -p "$CACHE/archives/partial"
if [ ! -s "$TARBALL" ]; then
    step "debootstrap --variant=minbase bookworm from $MIRROR (cached in $TARBALL)"
    rm -rf "$CACHE/stage"
    if debootstrap --variant=minbase bookworm "$CACHE/stage" "$MIRROR" > /tmp/pve-usb-gadget-debootstrap.log 2>&1; then
        tar -C "$CACHE/stage" -czf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
    else
        tail -5 /tmp/pve-usb-gadget-debootstrap.log
    fi
    rm -rf "$CACHE/stage"
fi
check "a Debian 12 chroot (debootstrap)" [ -s "$TARBALL" ]
[ -s "$TARBALL" ] || finish

C=$(mktemp -d /var/tmp/pve-usb-gadget-chroot.XXXXXX)
cleanup() {
    for m in var/cache/apt/archives dev/pts dev proc; do
        umount -l "$C/$m" 2> /dev/null || true
    done
    rm -rf --one-file-system "$C"
}
trap cleanup EXIT
step "chroot in $C"
tar -C "$C" -xzf "$TARBALL"
mount -t proc proc "$C/proc"
mount --bind /dev "$C/dev"
mount --bind /dev/pts "$C/dev/pts" 2> /dev/null || true
mount --bind "$CACHE/archives" "$C/var/cache/apt/archives"
cp /etc/resolv.conf "$C/etc/resolv.conf" 2> /dev/null || true
printf '#!/bin/sh\nexit 101\n' > "$C/usr/sbin/policy-rc.d"
chmod 755 "$C/usr/sbin/policy-rc.d"
echo "deb $MIRROR bookworm main" > "$C/etc/apt/sources.list"
in_chroot() { chroot "$C" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"; }
fs_list() { # every path of the chroot but the volatile ones, sorted
    (cd "$C" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/cache/apt \
        -o -path ./var/lib/apt -o -path ./var/log -o -path ./var/lib/dpkg -o -path ./var/cache/debconf \
        -o -path ./var/cache/ldconfig -o -path ./root \) -prune -o -print | sort)
}

step "apt-get install ./$(basename "$DEB") (without recommends: no kernel headers)"
in_chroot apt-get update -q > /tmp/pve-usb-gadget-ci-chroot.log 2>&1
cp "$DEB" "$C/tmp/"
in_chroot apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" > /tmp/pve-usb-gadget-ci-install.log 2>&1
rc=$?
tail -25 /tmp/pve-usb-gadget-ci-install.log
check "apt-get install ./pve-usb-gadget_${VERSION}_all.deb succeeds (dependencies from Debian 12)" [ "$rc" = 0 ]
check "the package is installed" bash -c "chroot '$C' dpkg-query -W -f '\${Status}' pve-usb-gadget | grep -qx 'install ok installed'"
check "a Java 17+ runtime and dkms came as dependencies" \
    bash -c "chroot '$C' dpkg-query -W dkms > /dev/null && chroot '$C' sh -c 'ls /usr/lib/jvm/*/bin/java' > /dev/null"
check "postinst said which headers package to install" \
    grep -q 'pve-usb-gadget:   apt install linux-headers-\|pve-usb-gadget:   apt install proxmox-headers-' /tmp/pve-usb-gadget-ci-install.log
check "the DKMS tree is registered (dkms status: added)" \
    bash -c "in_chroot() { chroot '$C' \"\$@\"; }; in_chroot dkms status -m '$DKMS_NAME' -v '$DKMS_VERSION' | grep -q '$DKMS_NAME/$DKMS_VERSION'"
check "/var/lib/dkms/$DKMS_NAME/$DKMS_VERSION/source points at $DKMS_DIR" \
    [ "$(readlink "$C/var/lib/dkms/$DKMS_NAME/$DKMS_VERSION/source")" = "$DKMS_DIR" ]
check "postinst made the class-data-sharing archive" [ -s "$C/var/cache/pve-usb-gadget/pve-usb-gadget.jsa" ]

step "the tool in the chroot"
out=$(in_chroot pve-usb-gadget --version 2>&1)
echo "$out"
check "pve-usb-gadget --version prints pve-usb-gadget $VERSION" [ "$out" = "pve-usb-gadget $VERSION" ]
in_chroot pve-usb-gadget init 100 --image /var/lib/vz/images/100/flash.img --dry-run > "$C/tmp/init.sh" 2>&1
rc=$?
check "init --dry-run exits 0, prints a script and writes nothing" \
    bash -c "[ $rc = 0 ] && head -1 '$C/tmp/init.sh' | grep -qx '#!/bin/sh' && grep -q 'cat > /etc/pve-usb-gadget/100.conf' '$C/tmp/init.sh' && [ ! -e '$C/etc/pve-usb-gadget/100.conf' ]"
mkdir -p "$C/opt/fake-pve/bin" "$C/opt/fake-pve/state/vm" "$C/var/lib/vz"
cp packaging/tests/fake-pve/qm packaging/tests/fake-pve/pvesm "$C/opt/fake-pve/bin/"
echo "local dir active /var/lib/vz" > "$C/opt/fake-pve/state/storages"
printf 'boot: order=scsi0;net0\nmemory: 2048\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\nscsi0: local-lvm:vm-100-disk-0,size=8G\n' \
    > "$C/opt/fake-pve/state/vm/100.conf"
out=$(chroot "$C" /usr/bin/env -i PATH=/opt/fake-pve/bin:/usr/sbin:/usr/bin:/sbin:/bin FAKE_PVE_STATE=/opt/fake-pve/state \
    pve-usb-gadget attach 100 --image /var/lib/vz/images/100/flash.img --dry-run 2>&1)
rc=$?
check "attach --dry-run (recording qm/pvesm stand-ins) prints the qm set and changes nothing" \
    bash -c "[ $rc = 0 ] && grep -q \"^qm set 100 --hookscript local:snippets/pve-usb-gadget-hook --usb0 host=1d6b:4000,usb3=1 --boot 'order=usb0;scsi0;net0'\" <<< \"\$1\" && ! grep -q '^qm set' '$C/opt/fake-pve/state/calls' && [ ! -e '$C/var/lib/vz/snippets/pve-usb-gadget-hook' ]" _ "$out"
check "the shim answers post-start" in_chroot /usr/share/pve-usb-gadget/pve-usb-gadget-hook 100 post-start
in_chroot /usr/share/pve-usb-gadget/pve-usb-gadget-hook 100 pre-migrate > /dev/null 2>&1
rc=$?
check "the shim hands other phases to the tool (exit 2 for an unknown one)" [ "$rc" = 2 ]
rm -rf "$C/opt/fake-pve" "$C/var/lib/vz" "$C/tmp/init.sh"

step "apt-get remove"
in_chroot apt-get remove -y -q pve-usb-gadget > /tmp/pve-usb-gadget-ci-remove.log 2>&1
rc=$?
tail -8 /tmp/pve-usb-gadget-ci-remove.log
check "apt-get remove succeeds" [ "$rc" = 0 ]
check "remove: /usr/share/pve-usb-gadget, /usr/bin/pve-usb-gadget, udev files and $DKMS_DIR are gone" \
    bash -c "[ ! -e '$C/usr/share/pve-usb-gadget' ] && [ ! -e '$C/usr/bin/pve-usb-gadget' ] && [ ! -e '$C/usr/lib/udev/rules.d/60-pve-usb-gadget.rules' ] && [ ! -e '$C/usr/lib/pve-usb-gadget' ] && [ ! -e '$C$DKMS_DIR' ]"
check "remove: the DKMS module is unregistered" \
    bash -c "[ -z \"\$(chroot '$C' dkms status -m '$DKMS_NAME' 2>/dev/null)\" ] && [ ! -e '$C/var/lib/dkms/$DKMS_NAME' ]"
check "remove: the class-data-sharing archive is gone" [ ! -e "$C/var/cache/pve-usb-gadget" ]
check "remove: the conffiles stay until purge" \
    bash -c "[ -f '$C/etc/modprobe.d/pve-usb-gadget.conf' ] && chroot '$C' dpkg-query -W -f '\${Status}' pve-usb-gadget | grep -qx 'deinstall ok config-files'"

step "apt-get purge"
in_chroot apt-get purge -y -q pve-usb-gadget > /tmp/pve-usb-gadget-ci-purge.log 2>&1
rc=$?
check "apt-get purge succeeds" [ "$rc" = 0 ]
check "purge: dpkg knows nothing of the package (dpkg -L fails)" bash -c "! chroot '$C' dpkg -L pve-usb-gadget > /dev/null 2>&1"
check "purge: /etc/pve-usb-gadget and /etc/modprobe.d/pve-usb-gadget.conf are gone" \
    bash -c "[ ! -e '$C/etc/pve-usb-gadget' ] && [ ! -e '$C/etc/modprobe.d/pve-usb-gadget.conf' ]"
left=$(cd "$C" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/cache/apt -o -path ./var/log \) -prune \
    -o \( -name '*pve-usb-gadget*' -o -name "$DKMS_NAME*" \) -print)
check "purge: no file named after the package or its DKMS module is left${left:+ ($left)}" [ -z "$left" ]

step "install + purge again: the file system is as before"
fs_list > /tmp/pve-usb-gadget-ci-before.txt
in_chroot dpkg -i "/tmp/$(basename "$DEB")" > /tmp/pve-usb-gadget-ci-install2.log 2>&1
rc=$?
check "dpkg -i (dependencies present now) succeeds" [ "$rc" = 0 ]
in_chroot pve-usb-gadget init 101 --image /var/lib/vz/images/101.img > /dev/null 2>&1
check "a config written by the tool (init 101) exists before purge" [ -f "$C/etc/pve-usb-gadget/101.conf" ]
in_chroot dpkg --purge pve-usb-gadget > /tmp/pve-usb-gadget-ci-purge2.log 2>&1
fs_list > /tmp/pve-usb-gadget-ci-after.txt
diff /tmp/pve-usb-gadget-ci-before.txt /tmp/pve-usb-gadget-ci-after.txt
check "after install and purge the chroot has exactly the files it had before" \
    cmp -s /tmp/pve-usb-gadget-ci-before.txt /tmp/pve-usb-gadget-ci-after.txt

step "apt-get install ./$(basename "$DEB") with recommends: kernel headers, DKMS builds dummy_hcd"
FIXTURE=$(ls module-src/tests/fixtures/dummy_hcd-*.c 2> /dev/null | head -1)
if [ -n "$FIXTURE" ]; then
    # No network for the kernel source here: prepare-source.sh takes a dummy_hcd.c from its settings file.
    cp "$FIXTURE" "$C/opt/dummy_hcd.c"
    printf 'DUMMY_HCD_SOURCE=/opt/dummy_hcd.c\nDUMMY_HCD_OFFLINE=1\n' > "$C/etc/default/$DKMS_NAME"
fi
in_chroot apt-get install -y -q "/tmp/$(basename "$DEB")" > /tmp/pve-usb-gadget-ci-install3.log 2>&1
rc=$?
grep -E '^pve-usb-gadget:|dkms|DKMS|Building|Installing|Error' /tmp/pve-usb-gadget-ci-install3.log | tail -20
check "apt-get install with recommends succeeds" [ "$rc" = 0 ]
check "linux-headers-amd64 came as a recommendation" bash -c "chroot '$C' dpkg-query -W linux-headers-amd64 > /dev/null 2>&1"
status=$(chroot "$C" dkms status -m "$DKMS_NAME" 2> /dev/null)
echo "dkms status: $status"
if [ -n "$FIXTURE" ]; then
    check "postinst built and installed dummy_hcd with DKMS for the installed kernel headers" \
        bash -c "grep -q 'installed' <<< \"\$1\" && ls '$C'/lib/modules/*/updates/dkms/dummy_hcd.ko > /dev/null 2>&1" _ "$status"
fi
in_chroot apt-get purge -y -q pve-usb-gadget > /tmp/pve-usb-gadget-ci-purge3.log 2>&1
rc=$?
check "purge after a DKMS build succeeds and removes the module from every kernel" \
    bash -c "[ $rc = 0 ] && ! ls '$C'/lib/modules/*/updates/dkms/dummy_hcd.ko > /dev/null 2>&1 && [ -z \"\$(chroot '$C' dkms status -m '$DKMS_NAME' 2>/dev/null)\" ]"

finish
