# The original write-up's configuration, the baseline of the benchmarks (BENCHMARKS.md, `writeup`): the kernel's own
# dummy_hcd with its defaults (one high-speed UDC) and `modprobe g_mass_storage file=IMG removable=1`. Sourced inside a
# guest, as root, with configfs mounted.
#
#   writeup_up IMG     loads the kernel's own dummy_hcd.ko (not an updates/ one, no modprobe.d options), then writeup_gms_up
#                      and sets WRITEUP_KO
#   writeup_down       writeup_gms_down, then unloads dummy_hcd
#   writeup_gms_up IMG the gadget alone, on whatever UDC is loaded (bench/lib/guest-bench.sh loads its own dummy_hcd):
#                      sets WRITEUP_GADGET (g_mass_storage, or gms-configfs where the kernel does not build g_mass_storage,
#                      e.g. Debian's 6.1: the same gadget made in configfs)
#   writeup_gms_down   removes that gadget
#   WRITEUP_VID, WRITEUP_PID   what the host then sees (g_mass_storage's NetChip 0525:a4a5)

WRITEUP_VID=0525 WRITEUP_PID=a4a5
WRITEUP_GM=/sys/kernel/config/usb_gadget/writeup-gms

writeup_up() { # IMG
    local ko
    ko=$(find "/lib/modules/$(uname -r)/kernel" -name 'dummy_hcd.ko*' | head -n 1)
    [ -n "$ko" ] || {
        echo "writeup: the kernel has no dummy_hcd.ko of its own" >&2
        return 1
    }
    modprobe -a usbcore udc_core || return 1
    insmod "$ko" || return 1
    WRITEUP_KO=$ko
    writeup_gms_up "$1"
}

writeup_down() {
    writeup_gms_down
    sleep 0.5
    rmmod usb_f_mass_storage libcomposite 2> /dev/null
    rmmod dummy_hcd 2> /dev/null || {
        sleep 2
        rmmod dummy_hcd
    }
}

writeup_gms_up() { # IMG
    local img=$1 g=$WRITEUP_GM
    if modinfo g_mass_storage > /dev/null 2>&1; then
        WRITEUP_GADGET=g_mass_storage
        modprobe g_mass_storage file="$img" removable=1
        return
    fi
    # what "modprobe g_mass_storage file=IMG removable=1" builds: NetChip's file-backed storage gadget, one config,
    # one removable LUN, every other attribute at its default (no max_speed: the UDC's speed decides)
    WRITEUP_GADGET=gms-configfs
    modprobe -a libcomposite usb_f_mass_storage || return 1
    mkdir -p $g/strings/0x409 $g/configs/c.1/strings/0x409 $g/functions/mass_storage.0 || return 1
    echo 0x$WRITEUP_VID > $g/idVendor
    echo 0x$WRITEUP_PID > $g/idProduct
    echo 0x0200 > $g/bcdUSB
    echo "Linux File-Backed Storage" > $g/strings/0x409/product
    echo 2 > $g/configs/c.1/MaxPower
    echo 1 > $g/functions/mass_storage.0/lun.0/removable
    echo "$img" > $g/functions/mass_storage.0/lun.0/file
    ln -s $g/functions/mass_storage.0 $g/configs/c.1/
    ls /sys/class/udc | head -n 1 > $g/UDC
}

writeup_gms_down() {
    local g=$WRITEUP_GM
    case ${WRITEUP_GADGET:-} in
        g_mass_storage) rmmod g_mass_storage ;;
        gms-configfs)
            echo "" > $g/UDC 2> /dev/null
            rm -f $g/configs/c.1/mass_storage.0
            rmdir $g/configs/c.1/strings/0x409 $g/configs/c.1 $g/functions/mass_storage.0 $g/strings/0x409 $g 2> /dev/null
            ;;
    esac
    WRITEUP_GADGET=
}
