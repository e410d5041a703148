#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# hrtimer-convert.pl - pve-usb-gadget's own patch for the kernel's dummy_hcd.c.
#
#   hrtimer-convert.pl --detect FILE        prints "hrtimer", "timer_list" or "unknown"
#   hrtimer-convert.pl --convert IN OUT     converts a timer_list-shaped dummy_hcd.c
#                                           into one that schedules with an hrtimer
#   hrtimer-convert.pl --tune IN OUT        makes an hrtimer-shaped one's tick and per-frame
#                                           budget module parameters (tick_ns, budget_pct) and
#                                           adds the scheduler's kick (kick) and the 64-bit
#                                           DMA mask (dma64)
#
# Older dummy_hcd.c sources (before upstream's "usb: gadget: dummy_hcd: Switch to
# hrtimer transfer scheduler", Linux 6.10, backported to 6.1.y/6.6.y) drive all
# transfers from a jiffies timer_list re-armed with "jiffies + msecs_to_jiffies(1)"
# and assume HZ=1000: on an HZ=250 kernel (Proxmox) a "1 ms frame" lasts 4 ms, so
# the drive runs at a quarter of its speed or less.  This script rewrites the few
# places that touch dum_hcd->timer so that the same scheduler runs from a relative,
# soft-irq hrtimer with a 125 us period (one microframe) at high and super speed
# (1 ms at full/low speed), independent of HZ.  Everything else in the file is left
# byte for byte as it was.  See README.md ("The hrtimer patch") for the details.
#
# It is written as a set of anchored, counted rewrites rather than a unified diff so
# that it applies to every stable series' variant of the file (5.4 ... 6.9); each
# rewrite checks that it matched, and the result is checked for leftovers, so a
# source it does not understand fails loudly instead of building a broken module.
use strict;
use warnings;

sub slurp { my ($f) = @_; local $/; open(my $fh, '<', $f) or die "cannot read $f: $!\n"; my $s = <$fh>; close $fh; return $s; }
sub spew  { my ($f, $s) = @_; open(my $fh, '>', $f) or die "cannot write $f: $!\n"; print $fh $s; close $fh or die "cannot write $f: $!\n"; }

# The expression that owns the timer: "dum_hcd", "dum_hcd2" or "hcd_to_dummy_hcd(hcd)".
my $OWNER = qr/(?:\w+\s*\(\s*\w+\s*\)|\w+)/;

sub detect {
	my ($s) = @_;
	return 'unknown' unless $s =~ /\bstruct\s+dummy_hcd\s*\{/;
	my $hr = ($s =~ /\bstruct\s+hrtimer\s+timer\s*;/) && ($s =~ /\bhrtimer_start\s*\(/);
	my $tl = ($s =~ /\bstruct\s+timer_list\s+timer\s*;/) &&
	         ($s =~ /\b(?:timer_setup|setup_timer)\s*\(\s*&\s*$OWNER->timer\b/);
	return 'hrtimer' if $hr && !$tl;
	return 'timer_list' if $tl && !$hr;
	return 'unknown';
}

# Index of the '}' matching the '{' at $open, skipping strings, chars and comments.
sub match_brace {
	my ($s, $open) = @_;
	my $depth = 0;
	my $n = length $s;
	for (my $i = $open; $i < $n; $i++) {
		my $c = substr($s, $i, 1);
		if ($c eq '/' && substr($s, $i + 1, 1) eq '*') {
			my $e = index($s, '*/', $i + 2); die "unterminated comment\n" if $e < 0; $i = $e + 1; next;
		}
		if ($c eq '/' && substr($s, $i + 1, 1) eq '/') {
			my $e = index($s, "\n", $i); $i = $e < 0 ? $n : $e; next;
		}
		if ($c eq '"' || $c eq "'") {
			for ($i++; $i < $n; $i++) {
				my $d = substr($s, $i, 1);
				if ($d eq '\\') { $i++; next; }
				last if $d eq $c;
			}
			next;
		}
		if ($c eq '{') { $depth++; }
		elsif ($c eq '}') { $depth--; return $i if $depth == 0; }
	}
	die "unbalanced braces\n";
}

# Returns (start of body '{', index of closing '}') of the function whose header matches $re.
sub function_body {
	my ($s, $re) = @_;
	return () unless $s =~ /$re/g;
	my $open = index($s, '{', pos($s));
	return ($open, match_brace($s, $open));
}

my $COMPAT = <<'EOF';

/* ---- pve-usb-gadget: hrtimer transfer scheduler (converted from timer_list) ---- */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/version.h>
#ifndef DUMMY_TIMER_INT_NSECS
#define DUMMY_TIMER_INT_NSECS	125000	/* 1 microframe */
#endif
#define DUMMY_TIMER_FRAME_NSECS	1000000	/* 1 frame */
/* one microframe at high and super speed, one frame at full and low speed */
#define DUMMY_HRTIMER_INTERVAL(dh)					\
	((dh)->dum->gadget.speed >= USB_SPEED_HIGH ?			\
	 DUMMY_TIMER_INT_NSECS : DUMMY_TIMER_FRAME_NSECS)
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define dummy_hrtimer_setup(dh, fn) do {				\
	hrtimer_setup(&(dh)->timer, (fn), CLOCK_MONOTONIC,		\
		      HRTIMER_MODE_REL_SOFT);				\
	(dh)->timer_armed = 0;						\
} while (0)
#else
#define dummy_hrtimer_setup(dh, fn) do {				\
	hrtimer_init(&(dh)->timer, CLOCK_MONOTONIC,			\
		     HRTIMER_MODE_REL_SOFT);				\
	(dh)->timer.function = (fn);					\
	(dh)->timer_armed = 0;						\
} while (0)
#endif
/*
 * timer_pending() was false while the callback ran; hrtimer_active() is not, so a
 * flag (cleared by the callback under dum->lock) tells whether a run is queued.
 */
#define dummy_hrtimer_kick(dh, nsecs) do {				\
	if (!(dh)->timer_armed) {					\
		(dh)->timer_armed = 1;					\
		hrtimer_start(&(dh)->timer, ns_to_ktime(nsecs),		\
			      HRTIMER_MODE_REL_SOFT);			\
	}								\
} while (0)
#define dummy_hrtimer_cancel(dh) ({					\
	int __ret = hrtimer_cancel(&(dh)->timer);			\
	(dh)->timer_armed = 0;						\
	__ret;								\
})
/* ---- end pve-usb-gadget ---- */
EOF

sub convert {
	my ($s) = @_;
	my $shape = detect($s);
	die "not a timer_list-shaped dummy_hcd.c (detected: $shape)\n" unless $shape eq 'timer_list';
	die "this dummy_hcd.c uses setup_timer() (Linux < 4.15); the hrtimer patch needs timer_setup() (4.15+)\n"
		if $s =~ /\bsetup_timer\s*\(\s*&\s*$OWNER->timer\b/;
	my $n;

	# 1. compat block after the last #include of the file's head
	my $last = -1;
	while ($s =~ /^#\s*include\b[^\n]*\n/mg) { $last = pos($s); }
	die "no #include lines found\n" if $last < 0;
	substr($s, $last, 0) = $COMPAT;

	# 2. the timer member of struct dummy_hcd, plus the "queued" flag
	$n = ($s =~ s/\bstruct(\s+)timer_list(\s+)timer\s*;/struct$1hrtimer$2\ttimer;\n\tunsigned int\t\t\ttimer_armed;\t\/* hrtimer queued, not yet run *\//g);
	die "expected one 'struct timer_list timer;' member, found $n\n" unless $n == 1;

	# 3. the callback
	my $hdr = qr/\bstatic\s+void\s+dummy_timer\s*\(\s*struct\s+timer_list\s*\*\s*(\w+)\s*\)\s*(?=\{)/;
	$s =~ /$hdr/ or die "cannot find 'static void dummy_timer(struct timer_list *t)'\n";
	my $p = $1;
	$s =~ s/$hdr/static enum hrtimer_restart dummy_timer(struct hrtimer *$p)\n/;
	my ($open, $close) = function_body($s, qr/\bstatic\s+enum\s+hrtimer_restart\s+dummy_timer\s*\(/);
	my $body = substr($s, $open, $close - $open + 1);
	$n = ($body =~ s/\b(?:from_timer|timer_container_of)\s*\(\s*\w+\s*,\s*\Q$p\E\s*,\s*timer\s*\)/container_of($p, struct dummy_hcd, timer)/g);
	die "dummy_timer: expected one from_timer(dum_hcd, $p, timer), found $n\n" unless $n == 1;
	$body =~ s/\breturn\s*;/return HRTIMER_NORESTART;/g;
	$n = ($body =~ s/(\bspin_lock_irqsave\s*\(\s*&\s*dum->lock\s*,\s*flags\s*\)\s*;)/$1\n\tdum_hcd->timer_armed = 0;/);
	die "dummy_timer: cannot find spin_lock_irqsave(&dum->lock, flags)\n" unless $n == 1;
	$body =~ s/[ \t]*\/\*\s*FIXME if HZ != 1000[^*]*\*\/[ \t]*\n/\t\/* pve-usb-gadget: run by an hrtimer, independent of HZ *\/\n/;
	$body =~ s/\s*\}\z/\n\n\treturn HRTIMER_NORESTART;\n}/;
	substr($s, $open, $close - $open + 1) = $body;

	# 4. every other use of the timer
	my $c = 0;
	$c += ($s =~ s/\bmod_timer\s*\(\s*&\s*($OWNER)->timer\s*,\s*jiffies\s*\)/dummy_hrtimer_kick($1, 0)/g);
	$c += ($s =~ s/\bmod_timer\s*\(\s*&\s*($OWNER)->timer\s*,\s*jiffies\s*\+\s*(?:msecs_to_jiffies\s*\(\s*\d+\s*\)|\d+|HZ\s*\/\s*1000)\s*\)/dummy_hrtimer_kick($1, DUMMY_HRTIMER_INTERVAL($1))/g);
	die "no mod_timer(&dum_hcd->timer, ...) call found\n" unless $c;
	$s =~ s/\btimer_pending\s*\(\s*&\s*($OWNER)->timer\s*\)/$1->timer_armed/g;
	$s =~ s/\b(?:del_timer_sync|del_timer|timer_delete_sync|timer_delete|timer_shutdown_sync|timer_shutdown)\s*\(\s*&\s*($OWNER)->timer\s*\)/dummy_hrtimer_cancel($1)/g;
	$n = ($s =~ s/\btimer_setup\s*\(\s*&\s*($OWNER)->timer\s*,\s*dummy_timer\s*,\s*0\s*\)/dummy_hrtimer_setup($1, dummy_timer)/g);
	die "no timer_setup(&dum_hcd->timer, dummy_timer, 0) found\n" unless $n;
	# dequeue: kick the scheduler whenever an unlink succeeded, as upstream does since
	# "USB: gadget: dummy-hcd: Fix "task hung" problem" (the kick is a no-op if queued)
	$s =~ s/\bif\s*\(\s*!rc\s*&&\s*(\w+)->rh_state\s*!=\s*DUMMY_RH_RUNNING\s*&&\s*!list_empty\s*\(\s*&\s*\1->urbp_list\s*\)\s*\)(\s*)dummy_hrtimer_kick\(\1, 0\)/if (!rc)$2dummy_hrtimer_kick($1, 0)/;

	# 5. dummy_stop() must cancel the timer (older sources did not, the hrtimer ones do)
	my ($so, $sc) = function_body($s, qr/\bstatic\s+void\s+dummy_stop\s*\(\s*struct\s+usb_hcd\s*\*\s*\w+\s*\)\s*(?=\{)/);
	if (defined $so) {
		my $sb = substr($s, $so, $sc - $so + 1);
		$s =~ /\bstatic\s+void\s+dummy_stop\s*\(\s*struct\s+usb_hcd\s*\*\s*(\w+)\s*\)/;
		my $h = $1;
		if ($sb !~ /dummy_hrtimer_cancel|hrtimer_cancel/) {
			my $ins = "\tdummy_hrtimer_cancel(hcd_to_dummy_hcd($h));\n";
			unless ($sb =~ s/^(\s*device_remove_file\b)/$ins$1/m) {
				$sb =~ s/\s*\}\z/\n$ins}/;
			}
			substr($s, $so, $sc - $so + 1) = $sb;
		}
	} else {
		warn "hrtimer-convert: warning: dummy_stop() not found, timer not cancelled on stop\n";
	}

	# 6. leftovers mean a variant this script does not understand
	my @left;
	my $ln = 0;
	for my $line (split /\n/, $s) {
		$ln++;
		push @left, "$ln: $line" if $line =~ /\b(?:mod_timer|timer_pending|del_timer\w*|timer_delete\w*|timer_shutdown\w*|timer_setup|from_timer|add_timer)\s*\(\s*&?\s*$OWNER->timer\b/
		                       || $line =~ /\bstruct\s+timer_list\s+timer\s*;/;
	}
	die "hrtimer-convert: uses of the timer_list left after conversion:\n" . join("\n", @left) . "\n" if @left;
	die "hrtimer-convert: converted source does not look like an hrtimer source\n" unless detect($s) eq 'hrtimer';
	return $s;
}

# --tune: the transfer tick and the per-frame budget become module parameters, for an hrtimer-shaped
# source (the kernel's own, or one converted above). Defaults are the kernel's (125 us, 100 %) unless
# bench/run measured better ones (BENCHMARKS.md, "dummy_hcd tick and budget").
# It also adds "kick": the kernel's scheduler makes a URB submitted to an idle bus wait one whole tick;
# kick=1 runs it at once instead. The re-arm while URBs stay queued is unchanged, so an idle bus still
# has no timer at all. (Running it at once when the gadget queues a request was measured slower and is
# not built: BENCHMARKS.md, "Speed levers" (e).)
my $TICK_NS    = $ENV{PVUG_TICK_NS}    // 125000;
my $BUDGET_PCT = $ENV{PVUG_BUDGET_PCT} // 100;
my $KICK       = $ENV{PVUG_KICK}       // 1;
die "PVUG_KICK must be 0 or 1\n" unless $KICK =~ /^[01]$/;
# And "dma64": dummy_hcd does no DMA (the CPU copies every byte), but its platform device keeps the
# default 32-bit DMA mask, so on a host with memory above 4 GiB usb-storage caps every command at
# swiotlb's largest mapping (256 KiB) instead of its 1 MiB for super speed. dma64=1 gives the device a
# 64-bit mask at probe time; nothing is ever mapped through it (the HCD has no HCD_DMA flag).
my $DMA64      = $ENV{PVUG_DMA64}      // 1;
die "PVUG_DMA64 must be 0 or 1\n" unless $DMA64 =~ /^[01]$/;
my $TUNE = <<"EOF";
/* ---- pve-usb-gadget: transfer tick, per-frame budget, kick and DMA mask as module parameters ---- */
#include <linux/moduleparam.h>
#include <linux/math64.h>
#include <linux/dma-mapping.h>
static unsigned int pvug_tick_ns = $TICK_NS;
static unsigned int pvug_budget_pct = $BUDGET_PCT;
static int pvug_set_range(const char *val, const struct kernel_param *kp, unsigned int lo, unsigned int hi)
{
	unsigned int n;
	int rc = kstrtouint(val, 0, &n);

	if (rc)
		return rc;
	if (n < lo || n > hi)
		return -EINVAL;
	*(unsigned int *)kp->arg = n;
	return 0;
}
static int pvug_set_tick(const char *val, const struct kernel_param *kp)
{
	return pvug_set_range(val, kp, 10000, 1000000);
}
static int pvug_set_budget(const char *val, const struct kernel_param *kp)
{
	return pvug_set_range(val, kp, 10, 10000);
}
static const struct kernel_param_ops pvug_tick_ops = { .set = pvug_set_tick, .get = param_get_uint };
static const struct kernel_param_ops pvug_budget_ops = { .set = pvug_set_budget, .get = param_get_uint };
module_param_cb(tick_ns, &pvug_tick_ops, &pvug_tick_ns, 0644);
MODULE_PARM_DESC(tick_ns, "transfer scheduler period at high/super speed in ns, 10000-1000000 (pve-usb-gadget; default $TICK_NS)");
module_param_cb(budget_pct, &pvug_budget_ops, &pvug_budget_pct, 0644);
MODULE_PARM_DESC(budget_pct, "bytes moved per period, percent of the speed's frame budget, 10-10000 (pve-usb-gadget; default $BUDGET_PCT)");
#define DUMMY_TIMER_INT_NSECS	((u64)READ_ONCE(pvug_tick_ns))
static bool pvug_kick = $KICK;
module_param_named(kick, pvug_kick, bool, 0644);
MODULE_PARM_DESC(kick, "run the transfer scheduler at once, not a tick later, when the host submits to an idle bus (pve-usb-gadget; default $KICK)");
static bool pvug_dma64 = $DMA64;
module_param_named(dma64, pvug_dma64, bool, 0444);
MODULE_PARM_DESC(dma64, "give the controller a 64-bit DMA mask (it maps nothing), so that the host's usb-storage sends commands of up to 1 MiB instead of swiotlb's 256 KiB (pve-usb-gadget; default $DMA64)");
/* delay of the first run after a URB is submitted to an idle bus */
#define PVUG_ENQUEUE_DELAY_NSECS(tick)	(READ_ONCE(pvug_kick) ? 0 : (tick))
/* ---- end pve-usb-gadget ---- */
EOF

sub tune {
	my ($s) = @_;
	die "not an hrtimer-shaped dummy_hcd.c (detected: " . detect($s) . ")\n" unless detect($s) eq 'hrtimer';
	my $n = ($s =~ s/^#define[ \t]+DUMMY_TIMER_INT_NSECS[ \t]+125000\b[^\n]*\n/$TUNE/mg);
	die "expected one '#define DUMMY_TIMER_INT_NSECS 125000', found $n\n" unless $n == 1;
	$n = ($s =~ s{^([ \t]*)(/\*\s*look at each urb queued by the host side driver\s*\*/)}
		{$1/* pve-usb-gadget: budget_pct of the frame budget */\n$1total = (int)div_u64((u64)total * READ_ONCE(pvug_budget_pct), 100);\n\n$1$2}mg);
	die "expected one '/* look at each urb queued by the host side driver */' in dummy_timer(), found $n\n" unless $n == 1;

	# kick: the first run after a URB is submitted, in dummy_urb_enqueue(): the kernel's own
	# source starts its hrtimer with the tick, a converted one with its speed's interval
	my ($eo, $ec) = function_body($s, qr/\bstatic\s+int\s+dummy_urb_enqueue\s*\(/);
	die "cannot find dummy_urb_enqueue()\n" unless defined $eo;
	my $body = substr($s, $eo, $ec - $eo + 1);
	$n = ($body =~ s/\bns_to_ktime\s*\(\s*DUMMY_TIMER_INT_NSECS\s*\)/ns_to_ktime(PVUG_ENQUEUE_DELAY_NSECS(DUMMY_TIMER_INT_NSECS))/g)
	   + ($body =~ s/\bdummy_hrtimer_kick\s*\(\s*(\w+)\s*,\s*(DUMMY_HRTIMER_INTERVAL\s*\(\s*\1\s*\))\s*\)/dummy_hrtimer_kick($1, PVUG_ENQUEUE_DELAY_NSECS($2))/g);
	die "dummy_urb_enqueue(): expected one start of the timer with the tick, found $n\n" unless $n == 1;
	substr($s, $eo, $ec - $eo + 1) = $body;

	# dma64: the HCD's platform device, in dummy_hcd_probe(), before the first usb_create_hcd()
	my ($po, $pc) = function_body($s, qr/\bstatic\s+int\s+dummy_hcd_probe\s*\(\s*struct\s+platform_device\s*\*\s*pdev\s*\)/);
	die "cannot find dummy_hcd_probe(struct platform_device *pdev)\n" unless defined $po;
	$body = substr($s, $po, $pc - $po + 1);
	$n = ($body =~ s/^([ \t]*)(dum\s*=\s*\*\s*\(\s*\(\s*void\s*\*\s*\*\s*\)\s*dev_get_platdata\s*\(\s*&\s*pdev->dev\s*\)\s*\)\s*;\n)/$1$2$1if (READ_ONCE(pvug_dma64) && dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64)))\n$1\tdev_warn(&pdev->dev, "pve-usb-gadget: no 64-bit DMA mask, commands stay at the mapping limit\\n");\n/mg);
	die "dummy_hcd_probe(): expected one 'dum = *((void **)dev_get_platdata(&pdev->dev));', found $n\n" unless $n == 1;
	substr($s, $po, $pc - $po + 1) = $body;
	return $s;
}

my $mode = shift @ARGV // '';
if ($mode eq '--detect' && @ARGV == 1) {
	print detect(slurp($ARGV[0])), "\n";
	exit 0;
} elsif ($mode eq '--tune' && @ARGV == 2) {
	my $out = eval { tune(slurp($ARGV[0])) };
	if (!defined $out) { print STDERR "hrtimer-convert: $ARGV[0]: --tune: $@"; exit 1; }
	spew($ARGV[1], $out);
	exit 0;
} elsif ($mode eq '--convert' && @ARGV == 2) {
	my $out = eval { convert(slurp($ARGV[0])) };
	if (!defined $out) { print STDERR "hrtimer-convert: $ARGV[0]: $@"; exit 1; }
	spew($ARGV[1], $out);
	exit 0;
}
print STDERR "usage: $0 --detect FILE | --convert IN OUT | --tune IN OUT\n";
exit 2;
