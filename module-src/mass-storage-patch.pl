#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# mass-storage-patch.pl - pve-usb-gadget's patch for the kernel's usb_f_mass_storage sources.
#
#   mass-storage-patch.pl DIR     patches DIR/f_mass_storage.c and DIR/storage_common.h in place
#
# The kernel's mass-storage function keeps CONFIG_USB_GADGET_STORAGE_NUM_BUFFERS (2 in Debian's,
# Ubuntu's and Proxmox's configs) buffers of FSG_BUFLEN (16 KiB) in flight, both fixed at compile
# time; the configfs attribute "num_buffers" exists only with CONFIG_USB_GADGET_DEBUG_FILES, which
# those kernels do not set (true of 6.1, 6.12 and 7.3 alike). With two 16 KiB buffers the gadget
# waits for the host after every 32 KiB, which bounds an emulated drive on dummy_hcd far below what
# its bus model moves. This patch makes both module parameters (read at load time, used when a
# function instance is created):
#
#   num_buffers   pipeline buffers per function (2-255) [PVUG_NUM_BUFFERS below]
#   buflen        bytes per buffer (16384-1048576, a multiple of 4096) [PVUG_BUFLEN below]
#
# and compiles in the per-function configfs attribute "num_buffers" (upstream's code, otherwise
# only in debug builds). Nothing else changes: the SCSI command handling, FUA and SYNCHRONIZE CACHE
# are the kernel's own. Anchored, counted rewrites as in hrtimer-convert.pl: a source that does not
# look as expected fails the build with the reason instead of building something half-patched.
use strict;
use warnings;

# The defaults, measured with bench/run (BENCHMARKS.md, "usb_f_mass_storage buffering").
my $NUM_BUFFERS = $ENV{PVUG_NUM_BUFFERS} // 16;
my $BUFLEN      = $ENV{PVUG_BUFLEN}      // 65536;

sub slurp { my ($f) = @_; local $/; open(my $fh, '<', $f) or die "cannot read $f: $!\n"; my $s = <$fh>; close $fh; return $s; }
sub spew  { my ($f, $s) = @_; open(my $fh, '>', $f) or die "cannot write $f: $!\n"; print $fh $s; close $fh or die "cannot write $f: $!\n"; }

my $dir = shift @ARGV or die "usage: mass-storage-patch.pl DIR\n";
die "num_buffers default $NUM_BUFFERS out of range 2-255\n" unless $NUM_BUFFERS =~ /^\d+$/ && $NUM_BUFFERS >= 2 && $NUM_BUFFERS <= 255;
die "buflen default $BUFLEN not a multiple of 4096 in 16384-1048576\n"
  unless $BUFLEN =~ /^\d+$/ && $BUFLEN >= 16384 && $BUFLEN <= 1048576 && $BUFLEN % 4096 == 0;

my @errors;
sub rewrite { # name, \$text, regex, replacement-sub, expected count
	my ($name, $ref, $re, $with, $want) = @_;
	my $n = () = $$ref =~ /$re/g;
	if ($n != $want) { push @errors, "$name: expected $want match(es), found $n"; return; }
	$$ref =~ s/$re/$with->()/ge;
}

# ---------------------------------------------------------------- storage_common.h
my $h = slurp("$dir/storage_common.h");
rewrite('FSG_BUFLEN', \$h, qr/^#define\s+FSG_BUFLEN\s+\(\(u32\)16384\)[^\n]*$/m, sub {
	"/* pve-usb-gadget: the buffer length is the module parameter \"buflen\" (was 16384) */\n" .
	"extern unsigned int pvug_fsg_buflen;\n#define FSG_BUFLEN\t((u32)pvug_fsg_buflen)"
}, 1);

# ---------------------------------------------------------------- f_mass_storage.c
my $c = slurp("$dir/f_mass_storage.c");
# FSG_BUFLEN must only be used at run time (buffers, request lengths, max burst), never where
# C wants a constant: a static array size or initializer would not compile with a variable, and a
# preprocessor test would silently mean something else.
push @errors, 'FSG_BUFLEN in a preprocessor line' if $c =~ /^#\s*if[^\n]*FSG_BUFLEN/m;
rewrite('num_buffers at instance creation', \$c,
	qr/fsg_common_set_num_buffers\(opts->common,\s*CONFIG_USB_GADGET_STORAGE_NUM_BUFFERS\)/,
	sub { 'fsg_common_set_num_buffers(opts->common, pvug_num_buffers)' }, 1);
rewrite('configfs num_buffers attribute', \$c, qr/^#ifdef CONFIG_USB_GADGET_DEBUG_FILES$/m,
	sub { '#if 1 /* pve-usb-gadget: per-function num_buffers attribute always (was CONFIG_USB_GADGET_DEBUG_FILES) */' }, 2);
my $params = <<"EOF";

/*
 * pve-usb-gadget: pipeline depth and buffer length as module parameters (were
 * CONFIG_USB_GADGET_STORAGE_NUM_BUFFERS and 16384 at compile time). Read when a function
 * instance is created; the buffers of an existing instance keep their length.
 */
static unsigned int pvug_num_buffers = $NUM_BUFFERS;
unsigned int pvug_fsg_buflen = $BUFLEN;

static int pvug_set_num_buffers(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int rc = kstrtouint(val, 0, &n);

	if (rc)
		return rc;
	if (n < 2 || n > 255)
		return -EINVAL;
	*(unsigned int *)kp->arg = n;
	return 0;
}

static int pvug_set_buflen(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int rc = kstrtouint(val, 0, &n);

	if (rc)
		return rc;
	if (n < 16384 || n > 1048576 || n % 4096)
		return -EINVAL;
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops pvug_num_buffers_ops = {
	.set = pvug_set_num_buffers,
	.get = param_get_uint,
};
static const struct kernel_param_ops pvug_buflen_ops = {
	.set = pvug_set_buflen,
	.get = param_get_uint,
};
module_param_cb(num_buffers, &pvug_num_buffers_ops, &pvug_num_buffers, 0444);
MODULE_PARM_DESC(num_buffers, "pipeline buffers per function, 2-255 (pve-usb-gadget; default $NUM_BUFFERS)");
module_param_cb(buflen, &pvug_buflen_ops, &pvug_fsg_buflen, 0444);
MODULE_PARM_DESC(buflen, "bytes per buffer, 16384-1048576, multiple of 4096 (pve-usb-gadget; default $BUFLEN)");
EOF
rewrite('module parameters after the includes', \$c, qr/^(#include "configfs\.h"\n)/m, sub { $1 . $params }, 1);
if (@errors) {
	print STDERR "mass-storage-patch.pl: $_\n" for @errors;
	die "mass-storage-patch.pl: this f_mass_storage.c/storage_common.h is not the shape the patch knows; not built\n";
}
spew("$dir/storage_common.h", $h);
spew("$dir/f_mass_storage.c", $c);
print "mass-storage-patch.pl: num_buffers=$NUM_BUFFERS buflen=$BUFLEN as module parameters, configfs num_buffers compiled in\n";
