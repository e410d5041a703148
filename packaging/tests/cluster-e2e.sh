#!/usr/bin/env bash
# Two-node Proxmox cluster simulation: nodes alpha and beta, each with its own roots (sysfs, configfs, procfs with
# its host name and a pmxcfs mount, node-local storage), sharing one simulated pmxcfs (/etc/pve: the config dir,
# the VM configs in nodes/<node>/qemu-server, USB mappings, the cluster lock), and the recording qm/pvesm/pvesh
# stand-ins of packaging/tests/fake-pve, which refuse what the real ones refuse. Proves: a VM attached on one node
# starts on the other (offline migration, HA recovery) with the same drive identity; ids stay unique when both
# nodes init at once; check says per node what is missing; USB mappings; live migration refused; every qm set line
# passes qemu-server's checks. The hook runs the jar with --dry-run (no configfs here; the Java tests apply it).
# Needs target/pve-usb-gadget.jar (mvn -B -DskipTests package). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=e2e-lib.sh
. packaging/tests/e2e-lib.sh cluster
PVE=$T/pve/etc-pve
CONF_DIR=$PVE/pve-usb-gadget
mkdir -p "$T/shared/images" "$T/shared/cephfs" "$PVE/priv"
: > "$T/pve/storages"
storage() { echo "$*" >> "$T/pve/storages"; }
storage local dir active "$T/@NODE@/vz" 0 -

add_node() { # NAME: its roots, its host name, pmxcfs mounted, its pmxcfs directory
    mkdir -p "$T/$1/sys" "$T/$1/cfs" "$T/$1/proc/self" "$T/$1/proc/sys/kernel" "$T/$1/vz" "$T/$1/modules" \
        "$PVE/nodes/$1/qemu-server"
    echo "$1" > "$T/$1/proc/sys/kernel/hostname"
    echo "34 22 0:30 / $PVE rw,nosuid,nodev,relatime - fuse /dev/fuse rw,user_id=0,group_id=0,default_permissions,allow_other" \
        > "$T/$1/proc/self/mountinfo"
}
give_modules() { # NODE: dummy_hcd and the gadget modules become loadable there (modinfo finds them)
    touch "$T/$1/modules/dummy_hcd" "$T/$1/modules/libcomposite" "$T/$1/modules/usb_f_mass_storage"
}
members() { # NODE...: pmxcfs's .members as corosync's membership makes it (PVE::Cluster::get_nodelist reads it)
    local list="" n i=0
    for n in "$@"; do
        i=$((i + 1))
        list+=${list:+,}"
  \"$n\": { \"id\": $i, \"online\": 1, \"ip\": \"192.0.2.$i\"}"
    done
    printf '{\n"nodename": "%s",\n"version": 4,\n"cluster": { "name": "sim", "version": 2, "nodes": %d, "quorate": 1 },\n"nodelist": {%s\n  }\n}\n' \
        "$1" "$#" "$list" > "$PVE/.members"
}
add_node alpha
add_node beta
members alpha beta
give_modules alpha

# modinfo as the node's kernel answers it.
cat > "$T/bin/modinfo" << EOF
#!/bin/sh
m=\$3
if [ -e "$T/\${FAKE_PVE_NODE:?}/modules/\$m" ]; then echo "/lib/modules/sim/\$m.ko"; exit 0; fi
echo "modinfo: ERROR: Module \$m not found." >&2
exit 1
EOF
# What the shim runs on each node: the jar with that node's roots, as a dry run.
cat > "$T/bin/pve-usb-gadget-sim" << EOF
#!/bin/sh
n=\${FAKE_PVE_NODE:?}
exec java -jar "$JAR" --pmxcfs "$PVE" --procfs "$T/\$n/proc" --sysfs "$T/\$n/sys" --configfs "$T/\$n/cfs" \
    --lock-file "$T/\$n/lock" "\$@" --dry-run
EOF
chmod +x "$T/bin/modinfo" "$T/bin/pve-usb-gadget-sim"
export PVE_USB_GADGET=$T/bin/pve-usb-gadget-sim

on() { # NODE ARGS...: the jar on NODE; output in $T/out, exit code in $rc
    local n=$1
    shift
    FAKE_PVE_NODE=$n java -jar "$JAR" --pmxcfs "$PVE" --procfs "$T/$n/proc" --sysfs "$T/$n/sys" \
        --configfs "$T/$n/cfs" --lock-file "$T/$n/lock" "$@" > "$T/out" 2>&1
    rc=$?
}
qm_on() { # NODE ARGS...: the qm stand-in on NODE; output in $T/out, exit code in $rc
    local n=$1
    shift
    FAKE_PVE_NODE=$n qm "$@" > "$T/out" 2>&1
    rc=$?
}
has() { grep -qF -- "$1" "$T/out"; }
out_is() { [ "$rc" = "$1" ] && has "$2"; }
vm_conf() { echo "$PVE/nodes/$1/qemu-server/$2.conf"; }
value() { sed -n "s/^$2 = //p" "$CONF_DIR/$1.conf"; }
# The identity the last pre-start dry run in hooks.log built: idVendor idProduct serialnumber.
built_identity() {
    awk '/ pre-start exit / { id = "" } $1 == "printf" && $NF ~ /\/(idVendor|idProduct|serialnumber)$/ { id = id $3 " " }
        END { print id }' "$T/pve/hooks.log"
}
new_vm() { # NODE VMID
    cat > "$(vm_conf "$1" "$2")" << 'CONF'
boot: order=scsi0;net0
memory: 4096
name: unraid
net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0
ostype: l26
scsi0: local-lvm:vm-100-disk-0,size=32G
CONF
}

echo "== attach on alpha, with the node-local snippets storage 'local'"
new_vm alpha 100
truncate -s 64M "$T/shared/images/100.img"
on alpha attach 100 --image "$T/shared/images/100.img"
check "attach 100 on alpha exits 0 and writes the config on the cluster file system" \
    bash -c "[ $rc = 0 ] && [ -f '$CONF_DIR/100.conf' ]"
check "attach says beta needs the shim in the per-node storage, with the command" \
    has "storage local is per node (not shared): before VM 100 starts on beta, run there: install -D -m 755 /usr/share/pve-usb-gadget/pve-usb-gadget-hook"
check "attach suggests a USB mapping for the two-node cluster" has "attach 100 --mapping wires it through a cluster USB mapping"
check "VM 100's config on alpha has usb0 host=, the boot order and the hookscript" \
    bash -c "grep -qx 'usb0: host=1d6b:4000,usb3=1' '$(vm_conf alpha 100)' && grep -qx 'boot: order=usb0;scsi0;net0' '$(vm_conf alpha 100)' && grep -qx 'hookscript: local:snippets/pve-usb-gadget-hook' '$(vm_conf alpha 100)'"
ID_A="0x1d6b 0x$(value 100 product_id | sed 's/^0x//') $(value 100 serial)"
on alpha guid 100
GUID_A=$(cat "$T/out")

echo "== check on alpha: beta has never reported"
on alpha check 100
check "check 100 on alpha exits 1" [ "$rc" = 1 ]
check "it wrote alpha's report to the cluster file system" \
    bash -c "has() { grep -qF -- \"\$1\" '$T/out'; }; has 'ok    node alpha: report for the other nodes written to $PVE/nodes/alpha/pve-usb-gadget.json' && [ -s '$PVE/nodes/alpha/pve-usb-gadget.json' ]"
check "it says beta has no report (package not installed / check never ran there)" \
    has "FAIL  node beta: VM 100: no report from pve-usb-gadget there"

echo "== beta installs the package but lacks dummy_hcd and the shim"
on beta check
check "check on beta skips VM 100's Proxmox config (it is on alpha) and says alpha can start it" \
    bash -c "grep -qF 'skip  VM 100: on node alpha' '$T/out' && grep -qF 'ok    node alpha: can start VM 100' '$T/out'"
on alpha check 100
check "check on alpha now names what beta lacks: dummy_hcd and the hookscript" \
    bash -c "[ $rc = 1 ] && grep -q '^FAIL  node beta: cannot start VM 100 .*kernel module dummy_hcd: .*no executable hookscript local:snippets/pve-usb-gadget-hook' '$T/out'"

echo "== offline migration to beta (host=: a local device)"
qm_on beta start 100
check "qm start 100 on beta fails: the VM is on alpha" out_is 2 "Configuration file 'nodes/beta/qemu-server/100.conf' does not exist"
qm_on alpha migrate 100 beta
check "qm migrate 100 beta refuses without --force (usb0 host= is a local device), as QemuMigrate does" \
    out_is 255 "can't migrate VM which uses local devices: usb0"
qm_on alpha migrate 100 beta --force
check "qm migrate 100 beta --force moves the config to beta" \
    bash -c "[ $rc = 0 ] && [ -f '$(vm_conf beta 100)' ] && [ ! -e '$(vm_conf alpha 100)' ]"
qm_on beta start 100
check "start on beta fails while beta lacks the shim, with Proxmox's message" \
    out_is 255 "hookscript error for 100 on pre-start: script 'local:snippets/pve-usb-gadget-hook' does not exist"
shim_b=$(FAKE_PVE_NODE=beta pvesm path local:snippets/pve-usb-gadget-hook)
install -D -m 755 hookscripts/pve-usb-gadget-hook "$shim_b"
give_modules beta
qm_on beta start 100
check "start on beta runs pre-start and the VM runs there" \
    bash -c "[ $rc = 0 ] && [ \"\$(cat '$T/pve/running/100')\" = beta ] && grep -qx 'beta 100 pre-start exit 0' '$T/pve/hooks.log'"
check "pre-start on beta builds the drive alpha's config gave it (VID, PID, serial: $ID_A)" \
    [ "$(built_identity)" = "$ID_A " ]
on beta guid 100
check "guid 100 on beta is alpha's ($GUID_A)" [ "$(cat "$T/out")" = "$GUID_A" ]
on beta check
on alpha check 100
check "after beta's check, alpha's check says beta can start VM 100" \
    bash -c "[ $rc = 0 ] && grep -qF 'ok    node beta: can start VM 100' '$T/out'"

echo "== live migration is refused"
qm_on beta migrate 100 alpha --online
check "qm migrate --online refuses (local device usb0), the VM stays on beta" \
    bash -c "[ $rc = 255 ] && grep -qF \"can't migrate VM which uses local devices: usb0\" '$T/out' && [ -f '$(vm_conf beta 100)' ]"
FAKE_PVE_NODE=alpha PVE_MIGRATED_FROM=beta "$T/alpha/vz/snippets/pve-usb-gadget-hook" 100 pre-start > "$T/out" 2>&1
rc=$?
check "our pre-start refuses too, should Proxmox let it through (PVE_MIGRATED_FROM=beta): exit 1, one clear line" \
    bash -c "[ $rc = 1 ] && grep -q 'VM 100 is being live-migrated here from node beta' '$T/out' && [ \$(wc -l < '$T/out') = 1 ]"

echo "== HA recovery: beta dies, the HA manager moves the config to alpha and starts it"
mv "$(vm_conf beta 100)" "$(vm_conf alpha 100)" # PVE::HA::Env::PVE2::steal_service renames it
rm -f "$T/pve/running/100"                      # the fenced node runs nothing
qm_on alpha start 100
check "the recovered VM starts on alpha with the same identity" \
    bash -c "[ $rc = 0 ] && [ \"\$(cat '$T/pve/running/100')\" = alpha ]"
check "the identity built on alpha is the original ($ID_A)" [ "$(built_identity)" = "$ID_A " ]
qm_on alpha stop 100
check "qm stop runs post-stop" bash -c "[ $rc = 0 ] && grep -qx 'alpha 100 post-stop exit 0' '$T/pve/hooks.log'"

echo "== a cluster USB mapping"
on alpha attach 100 --mapping
check "attach 100 --mapping creates pve-usb-gadget-100 with an entry for every node and wires usb0 to it" \
    bash -c "[ $rc = 0 ] && grep -qx 'pvesh create /cluster/mapping/usb --id pve-usb-gadget-100 --map node=alpha,id=1d6b:4000 --map node=beta,id=1d6b:4000 --description pve-usb-gadget: the USB drive of VM 100' '$T/pve/calls' && grep -qx 'usb0: mapping=pve-usb-gadget-100,usb3=1' '$(vm_conf alpha 100)'"
check "the mapping keeps the boot order on usb0" grep -qx 'boot: order=usb0;scsi0;net0' "$(vm_conf alpha 100)"
on alpha check 100
check "check 100 finds the drive through the mapping, on every node" \
    bash -c "[ $rc = 0 ] && grep -qF 'ok    VM 100: usb0 passes 1d6b:4000 through' '$T/out' && grep -qF 'ok    VM 100: USB mapping pve-usb-gadget-100 gives every node 1d6b:4000' '$T/out'"
qm_on alpha migrate 100 beta
check "with the mapping, qm migrate needs no --force" bash -c "[ $rc = 0 ] && [ -f '$(vm_conf beta 100)' ]"
qm_on beta start 100
check "the mapped VM starts on beta with the same identity" \
    bash -c "[ $rc = 0 ] && [ '$(built_identity)' = '$ID_A ' ]"
qm_on beta migrate 100 alpha --online
check "a live migration with the mapped drive is refused, as QemuMigrate refuses mapped USB" \
    out_is 255 "can't live migrate running VM which uses following mapped devices: usb0:pve-usb-gadget-100"
qm_on beta stop 100
add_node gamma
members alpha beta gamma
on beta check 100
check "a third node: check says the mapping does not give gamma the drive" \
    bash -c "[ $rc = 1 ] && grep -qF 'FAIL  VM 100: USB mapping pve-usb-gadget-100 does not give gamma the drive 1d6b:4000' '$T/out'"
on beta attach 100
check "attach 100 again keeps the mapping and adds gamma's entry" \
    bash -c "[ $rc = 0 ] && grep -qx 'pvesh set /cluster/mapping/usb/pve-usb-gadget-100 --map node=alpha,id=1d6b:4000 --map node=beta,id=1d6b:4000 --map node=gamma,id=1d6b:4000' '$T/pve/calls' && grep -qx 'usb0: mapping=pve-usb-gadget-100,usb3=1' '$(vm_conf beta 100)'"
qm_on beta migrate 100 gamma
check "now qm migrate to gamma passes the mapping check" bash -c "[ $rc = 0 ] && [ -f '$(vm_conf gamma 100)' ]"
qm_on gamma migrate 100 alpha
members alpha beta # gamma leaves the cluster; its directory stays, as after 'pvecm delnode'
on alpha check 100
check "a node that left the cluster (.members) is not asked for, though its directory stays" \
    bash -c "[ -d '$PVE/nodes/gamma' ] && ! grep -q 'node gamma' '$T/out'"

echo "== a shared snippets storage is preferred on a cluster"
storage cephfs cephfs active "$T/shared/cephfs" 1 -
storage nfs-alpha nfs active "$T/shared/nfs-alpha" 1 alpha
new_vm alpha 101
truncate -s 64M "$T/shared/images/101.img"
on alpha attach 101 --image "$T/shared/images/101.img"
cp "$T/out" "$T/attach101"
check "attach 101 puts the hookscript on the shared cephfs, without a per-node note" \
    bash -c "[ $rc = 0 ] && grep -qx 'hookscript: cephfs:snippets/pve-usb-gadget-hook' '$(vm_conf alpha 101)' && ! grep -q 'per node' '$T/out'"
on beta check
on alpha check 101
check "beta can start VM 101 without a copy of its own" grep -qF 'ok    node beta: can start VM 101' "$T/out"
new_vm alpha 102
on alpha attach 102 --image "$T/shared/images/102.img" --snippets nfs-alpha
check "--snippets with a storage only alpha has: attach says beta cannot start the VM" \
    bash -c "[ $rc = 0 ] && grep -qF 'storage nfs-alpha is not enabled on beta: VM 102 cannot start there' '$T/out'"

new_vm alpha 103
calls_before=$(wc -l < "$T/pve/calls")
on alpha attach 103 --image "$T/shared/images/103.img" --mapping --dry-run
cp "$T/out" "$T/103.sh"
check "attach --mapping --dry-run changes nothing and prints the pvesh create, quoted for a shell" \
    bash -c "[ $rc = 0 ] && ! grep -q '^pvesh create' <(tail -n +$((calls_before + 1)) '$T/pve/calls') && grep -q \"^pvesh create /cluster/mapping/usb --id pve-usb-gadget-103 --map node=alpha,id=1d6b:40.. --map node=beta,id=1d6b:40.. --description 'pve-usb-gadget: the USB drive of VM 103'\$\" '$T/103.sh'"
FAKE_PVE_NODE=alpha sh "$T/103.sh" > "$T/out" 2>&1
rc=$?
check "the dry-run script runs (qm and pvesh accept every line) and wires VM 103 through its mapping" \
    bash -c "[ $rc = 0 ] && grep -qx 'usb0: mapping=pve-usb-gadget-103,usb3=1' '$(vm_conf alpha 103)' && grep -qx 'pve-usb-gadget-103' '$PVE/mapping/usb.cfg'"

on alpha detach 103
check "detach 103 unwires the mapped drive and says the cluster-wide mapping stays" \
    bash -c "[ $rc = 0 ] && ! grep -q '^usb0:' '$(vm_conf alpha 103)' && grep -qx 'boot: order=scsi0;net0' '$(vm_conf alpha 103)' && grep -qF 'USB mapping pve-usb-gadget-103 stays' '$T/out'"

echo "== ids stay unique when both nodes init at once (under the pmxcfs lock)"
for i in 0 1 2 3; do
    n=alpha
    [ $((i % 2)) = 1 ] && n=beta
    FAKE_PVE_NODE=$n java -jar "$JAR" --pmxcfs "$PVE" --procfs "$T/$n/proc" --sysfs "$T/$n/sys" \
        --configfs "$T/$n/cfs" --lock-file "$T/$n/lock" init "20$i" --image "$T/shared/images/20$i.img" \
        > "$T/init.$i" 2>&1 &
done
inits=0
for job in $(jobs -p); do wait "$job" && inits=$((inits + 1)); done
again=0
for i in 0 1 2 3; do
    if ! grep -q '^wrote ' "$T/init.$i"; then
        grep -q 'meanwhile another config took .*; run the command again' "$T/init.$i" && again=$((again + 1))
        n=alpha
        [ $((i % 2)) = 1 ] && n=beta
        on "$n" init "20$i" --image "$T/shared/images/20$i.img"
        [ "$rc" = 0 ] && inits=$((inits + 1))
    fi
done
check "four concurrent inits on two nodes: each wrote its config, or found under the lock that another took its id and said to run it again (it then did; $again had to)" \
    [ "$inits" = 4 ]
# shellcheck disable=SC2012 # plain file names
configs=$(ls "$CONF_DIR"/*.conf | wc -l)
pids=$(for c in "$CONF_DIR"/*.conf; do sed -n 's/^product_id = //p' "$c"; done | sort)
serials=$(for c in "$CONF_DIR"/*.conf; do sed -n 's/^serial = //p' "$c"; done | sort)
check "every one of the $configs configs has its own product id ($(echo $pids))" \
    [ "$(echo "$pids" | sort -u | wc -l)" = "$configs" ]
check "and its own serial" [ "$(echo "$serials" | sort -u | wc -l)" = "$configs" ]
check "the cluster lock is released" [ ! -e "$PVE/priv/lock/pve-usb-gadget-ids" ]
mkdir -p "$PVE/priv/lock/pve-usb-gadget-ids"
on beta init 210 --image "$T/shared/images/210.img"
check "while another node holds the lock, init gives up (exit 1) naming it and writes nothing" \
    bash -c "[ $rc = 1 ] && grep -q 'held the cluster lock $PVE/priv/lock/pve-usb-gadget-ids' '$T/out' && [ ! -e '$CONF_DIR/210.conf' ]"
rmdir "$PVE/priv/lock/pve-usb-gadget-ids"

echo "== qm set refuses what qemu-server refuses"
refused() { # WHAT ARGS...: qm set on alpha exits 255 and leaves VM 101 as it was
    local what=$1
    shift
    cp "$(vm_conf alpha 101)" "$T/101.before"
    qm_on alpha set 101 "$@"
    check "qm set refuses $what" bash -c "[ $rc = 255 ] && cmp -s '$(vm_conf alpha 101)' '$T/101.before'"
}
refused "a usb3 that is not a boolean" --usb1 host=1d6b:4001,usb3=maybe
refused "a usbN key that pve-qm-usb lacks" --usb1 host=1d6b:4001,speed=5
refused "a host that is neither VID:PID, bus-port nor spice" --usb1 host=1d6b-40011
refused "a mapping id that is no configid" --usb1 mapping=9bad
refused "usb14 (qemu-server has usb0..usb13)" --usb14 host=1d6b:4001
refused "an invalid boot device" --boot 'order=usb0;floppy0'
refused "a boot order naming a missing device" --boot 'order=usb5;scsi0'
refused "a hookscript outside snippets" --hookscript local:iso/pve-usb-gadget-hook
refused "a hookscript that does not exist on this node" --hookscript local:snippets/none
qm_on alpha set 101 --usb1 host=1d6b:4001,usb3=on --boot 'order=usb0;usb1'
check "qm set accepts what qemu-server accepts (usb3=on, a valid order)" [ "$rc" = 0 ]
line=$(sed -n 's/^ran //p' "$T/attach101")
check "the qm set line attach printed pastes into a shell and passes qm's checks: $line" \
    bash -c '[[ $1 == "qm set 101 "* ]] && FAKE_PVE_NODE=alpha eval "$1"' _ "$line"

finish
