#!/usr/bin/env bash
# End-to-end test of attach / detach / check with the built jar and recording qm/pvesm stand-ins on PATH
# (packaging/tests/fake-pve), plus the udev helper and the launcher. Needs target/pve-usb-gadget.jar
# (mvn -B -DskipTests package). Ends with "N passed, N failed"; exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=e2e-lib.sh
. packaging/tests/e2e-lib.sh e2e
mkdir -p "$T/pve/vm" "$T/vz" "$T/etc" "$T/sys" "$T/cfs" "$T/images"
echo "local dir active $T/vz" > "$T/pve/storages"
echo "nfs-off nfs inactive $T/nfs" >> "$T/pve/storages"
HOOK=local:snippets/pve-usb-gadget-hook
SHIM=$T/vz/snippets/pve-usb-gadget-hook

pug() { java -jar "$JAR" --config-dir "$T/etc" --sysfs "$T/sys" --configfs "$T/cfs" "$@"; }
run() { # run ARGS...: output in $T/out, exit code in $rc
    pug "$@" > "$T/out" 2>&1
    rc=$?
}
calls() { cat "$T/pve/calls" 2> /dev/null; }
sets() { grep -c '^qm set' "$T/pve/calls" 2> /dev/null || true; }
last_set() { grep '^qm set' "$T/pve/calls" | tail -1; }
has() { grep -qF -- "$1" "$2"; }
vm() { # vm VMID: writes a VM's config from stdin
    cat > "$T/pve/vm/$1.conf"
}
mode() { stat -c %a "$1"; }

fresh_vm() {
    vm "$1" << 'CONF'
boot: order=scsi0;ide2;net0
cores: 2
ide2: local:iso/unRAIDServer-6.12.iso,media=cdrom,size=512M
memory: 4096
meta: creation-qemu=8.1.5,ctime=1716200000
name: unraid
net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1
numa: 0
ostype: l26
scsi0: local-lvm:vm-100-disk-0,iothread=1,size=32G
scsihw: virtio-scsi-single
smbios1: uuid=6f1b2c3d-0000-4000-8000-1234567890ab
sockets: 1
vmgenid: 0e1f2a3b-0000-4000-8000-abcdefabcdef
CONF
}

echo "== a fresh VM: no hookscript, no USB devices, boot order=scsi0;ide2;net0"
fresh_vm 100
cp "$T/pve/vm/100.conf" "$T/100.orig"
truncate -s 64M "$T/images/100.img"
run attach 100 --image "$T/images/100.img"
check "attach 100 exits 0" [ "$rc" = 0 ]
check "attach 100 ran one qm set with hookscript, usb0 and usb0 first in the boot order" \
    [ "$(last_set)" = "qm set 100 --hookscript $HOOK --usb0 host=1d6b:4000,usb3=1 --boot order=usb0;scsi0;ide2;net0" ]
check "attach 100 asked pvesm for snippets storages and the path" \
    bash -c "grep -qx 'pvesm status --content snippets' '$T/pve/calls' && grep -qx 'pvesm path $HOOK' '$T/pve/calls'"
check "the shim is in the snippets storage, executable, identical to hookscripts/" \
    bash -c "[ -x '$SHIM' ] && [ \"\$(stat -c %a '$SHIM')\" = 755 ] && cmp -s '$SHIM' hookscripts/pve-usb-gadget-hook"
check "100.conf was written with mode 600 and the image" \
    bash -c "[ \"\$(stat -c %a '$T/etc/100.conf')\" = 600 ] && grep -qx 'image = $T/images/100.img' '$T/etc/100.conf'"
check "VM 100's config now has hookscript, usb0 and the boot order" \
    bash -c "grep -qx 'hookscript: $HOOK' '$T/pve/vm/100.conf' && grep -qx 'usb0: host=1d6b:4000,usb3=1' '$T/pve/vm/100.conf' && grep -qx 'boot: order=usb0;scsi0;ide2;net0' '$T/pve/vm/100.conf'"
cp "$T/etc/100.conf" "$T/100.conf.first"
run attach 100 --image "$T/images/100.img"
check "attach 100 again exits 0 without another qm set and keeps the identity" \
    bash -c "[ $rc = 0 ] && [ \"\$(grep -c '^qm set' '$T/pve/calls')\" = 1 ] && cmp -s '$T/etc/100.conf' '$T/100.conf.first'"
run check 100
check "check 100 reports usb0, boot order and hookscript as ok" \
    bash -c "grep -q '^ok    VM 100: usb0 passes 1d6b:4000 through' '$T/out' && grep -q '^ok    VM 100: boot order usb0;scsi0;ide2;net0' '$T/out' && grep -q '^ok    VM 100: hookscript $HOOK' '$T/out'"
run detach 100
check "detach 100 deletes usb0 and the hookscript and restores the boot order" \
    [ "$(last_set)" = "qm set 100 --boot order=scsi0;ide2;net0 --delete usb0,hookscript" ]
check "after detach VM 100's config is as before attach" \
    bash -c "diff <(sort '$T/pve/vm/100.conf') <(sort '$T/100.orig')"
check "detach keeps 100.conf" [ -f "$T/etc/100.conf" ]
run check 100
check "check 100 after detach reports the missing usbN and exits non-zero" \
    bash -c "[ $rc != 0 ] && grep -q '^FAIL  VM 100: no usbN entry for 1d6b:4000' '$T/out'"

echo "== a VM with another hookscript, a USB device on usb0 and a legacy boot order"
vm 101 << 'CONF'
boot: cdn
bootdisk: scsi0
hookscript: local:snippets/backup-hook.pl
ide2: none,media=cdrom
memory: 2048
net0: virtio=BC:24:11:00:00:01,bridge=vmbr0
ostype: l26
scsi0: local-lvm:vm-101-disk-0,size=8G
usb0: host=046d:c52b
CONF
cp "$T/pve/vm/101.conf" "$T/101.orig"
before=$(sets)
run attach 101 --image "$T/images/101.img"
check "attach 101 refuses (exit 1) to replace the other hookscript" [ "$rc" = 1 ]
check "the refusal says how to chain our hook or to use --force" \
    bash -c "grep -q 'already has hookscript local:snippets/backup-hook.pl' '$T/out' && grep -q '/usr/share/pve-usb-gadget/pve-usb-gadget-hook' '$T/out' && grep -q -- '--force' '$T/out' && grep -q -- '--keep-hookscript' '$T/out'"
check "the refusal changed nothing (no qm set, no 101.conf, VM config unchanged)" \
    bash -c "[ \"$(sets)\" = '$before' ] && [ ! -e '$T/etc/101.conf' ] && cmp -s '$T/pve/vm/101.conf' '$T/101.orig'"
run attach 101 --image "$T/images/101.img" --keep-hookscript
check "attach 101 --keep-hookscript uses the free usb1 and converts the legacy boot order" \
    [ "$(last_set)" = "qm set 101 --usb1 host=1d6b:4001,usb3=1 --boot order=usb1;scsi0;ide2;net0" ]
check "the other hookscript and usb0 stay" \
    bash -c "grep -qx 'hookscript: local:snippets/backup-hook.pl' '$T/pve/vm/101.conf' && grep -qx 'usb0: host=046d:c52b' '$T/pve/vm/101.conf'"
run attach 101 --force
check "attach 101 --force (config kept, no --image) replaces the hookscript only" \
    [ "$(last_set)" = "qm set 101 --hookscript $HOOK" ]

echo "== an occupied --usb-slot"
fresh_vm 102
echo "usb0: host=0781:5583,usb3=1" >> "$T/pve/vm/102.conf"
before=$(sets)
run attach 102 --image "$T/images/102.img" --usb-slot 0
check "attach 102 --usb-slot 0 refuses (exit 1): usb0 holds another device" \
    bash -c "[ $rc = 1 ] && grep -q \"usb0 is already 'host=0781:5583,usb3=1'\" '$T/out' && [ \"$(sets)\" = '$before' ]"
run attach 102 --image "$T/images/102.img" --usb-slot 0 --force
check "attach 102 --usb-slot 0 --force takes usb0 over" \
    [ "$(last_set)" = "qm set 102 --hookscript $HOOK --usb0 host=1d6b:4002,usb3=1 --boot order=usb0;scsi0;ide2;net0" ]

echo "== --dry-run"
fresh_vm 103
cp "$T/pve/vm/103.conf" "$T/103.orig"
before=$(sets)
rm -f "$SHIM"
run attach 103 --image "$T/images/103.img" --dry-run
cp "$T/out" "$T/103.sh"
check "attach --dry-run exits 0 and changes nothing" \
    bash -c "[ $rc = 0 ] && [ \"$(sets)\" = '$before' ] && [ ! -e '$T/etc/103.conf' ] && [ ! -e '$SHIM' ] && cmp -s '$T/pve/vm/103.conf' '$T/103.orig'"
check "the dry-run script shows the qm set" \
    has "qm set 103 --hookscript $HOOK --usb0 host=1d6b:4003,usb3=1 --boot 'order=usb0;scsi0;ide2;net0'" "$T/103.sh"
check "the dry-run script runs" sh "$T/103.sh"
run attach 103
check "after running the dry-run script, attach finds VM 103 attached" \
    bash -c "[ $rc = 0 ] && [ \"$(sets)\" = '$((before + 1))' ] && [ -x '$SHIM' ] && grep -q 'keeping $T/etc/103.conf' '$T/out'"

echo "== errors"
run attach 999 --image "$T/images/999.img"
check "attach of an unknown VM exits 1 and writes nothing" \
    bash -c "[ $rc = 1 ] && grep -q 'does not exist' '$T/out' && [ ! -e '$T/etc/999.conf' ]"
run attach 103 --image "$T/images/103.img" --snippets nfs-off
check "--snippets with an inactive storage exits 1 naming it" \
    bash -c "[ $rc = 1 ] && grep -q \"storage 'nfs-off' is not an active storage\" '$T/out'"
: > "$T/pve/storages"
fresh_vm 104
run attach 104 --image "$T/images/104.img"
check "no snippets storage: exit 1, says how to enable one" \
    bash -c "[ $rc = 1 ] && grep -q \"no active storage offers content 'snippets'\" '$T/out'"
run attach 104
check "attach without --image and without a config is exit 2" [ "$rc" = 2 ]

echo "== the udev helper"
dev=/devices/platform/dummy_hcd.0/usb3/3-1
mkdir -p "$T/sys$dev/3-1:1.0/host0/target0:0:0/0:0:0:0/block/sda/sda1"
echo 1d6b > "$T/sys$dev/idVendor"
echo 4000 > "$T/sys$dev/idProduct"
serial=$(sed -n 's/^serial = //p' "$T/etc/100.conf")
echo "$serial" > "$T/sys$dev/serial"
vmid() { PVE_USB_GADGET_SYSFS=$T/sys PVE_USB_GADGET_CONFIG_DIR=$T/etc sh packaging/udev/udev-vmid "$@"; }
check "udev-vmid maps the disk to VM 100" [ "$(vmid "$dev/3-1:1.0/host0/target0:0:0/0:0:0:0/block/sda")" = 100 ]
check "udev-vmid maps a partition to VM 100" [ "$(vmid "$dev/3-1:1.0/host0/target0:0:0/0:0:0:0/block/sda/sda1")" = 100 ]
echo OTHER > "$T/sys$dev/serial"
check "udev-vmid fails for an unknown serial" bash -c "! PVE_USB_GADGET_SYSFS='$T/sys' PVE_USB_GADGET_CONFIG_DIR='$T/etc' sh packaging/udev/udev-vmid '$dev/3-1:1.0/host0/target0:0:0/0:0:0:0/block/sda'"
check "udev-vmid refuses a path with .." bash -c "! PVE_USB_GADGET_SYSFS='$T/sys' sh packaging/udev/udev-vmid '$dev/../../x'"
check "the udev rules match only dummy_hcd block devices and name them by vmid" \
    bash -c "grep -q 'DEVPATH!=\"\\*/dummy_hcd.\\*\", GOTO=' packaging/udev/60-pve-usb-gadget.rules && grep -q 'SYMLINK+=\"disk/by-pve-usb-gadget/%c\"' packaging/udev/60-pve-usb-gadget.rules"

echo "== the launcher and the hookscript shim"
check "the launcher runs the jar (--version)" \
    bash -c "PVE_USB_GADGET_JAR='$JAR' PVE_USB_GADGET_CDS='$T/none.jsa' sh packaging/bin/pve-usb-gadget --version | grep -q '^pve-usb-gadget '"
check "the launcher skips a bad PVE_USB_GADGET_JAVA/JAVA_HOME and finds Java 17+" \
    bash -c "PVE_USB_GADGET_JAVA=/nonexistent JAVA_HOME=/nonexistent PVE_USB_GADGET_JAR='$JAR' PVE_USB_GADGET_CDS='$T/none.jsa' sh packaging/bin/pve-usb-gadget --version | grep -q '^pve-usb-gadget '"
PVE_USB_GADGET_CDS_CREATE=$T/a.jsa PVE_USB_GADGET_JAR=$JAR sh packaging/bin/pve-usb-gadget --help > /dev/null 2>&1
check "the launcher writes a class-data-sharing archive on request" [ -s "$T/a.jsa" ]
check "the launcher uses it silently" \
    bash -c "[ \"\$(PVE_USB_GADGET_JAR='$JAR' PVE_USB_GADGET_CDS='$T/a.jsa' sh packaging/bin/pve-usb-gadget --version 2>&1)\" = \"\$(java -jar '$JAR' --version)\" ]"
check "the shim answers post-start without Java" \
    bash -c "PVE_USB_GADGET=/bin/false sh hookscripts/pve-usb-gadget-hook 100 post-start"
check "the shim hands pre-start to the tool" \
    bash -c "PVE_USB_GADGET='echo' sh hookscripts/pve-usb-gadget-hook 100 pre-start | grep -qx 'hook 100 pre-start'"

finish
