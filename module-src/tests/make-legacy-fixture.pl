#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# make-legacy-fixture.pl IN OUT
#
# IN: a dummy_hcd.c, or a kernel tarball (linux-source-X.Y.tar.xz) to take drivers/usb/gadget/udc/dummy_hcd.c from.
#
# Test helper: derives a timer_list-shaped dummy_hcd.c (the shape of Linux <= 6.9,
# before upstream's "usb: gadget: dummy_hcd: Switch to hrtimer transfer scheduler"
# and its follow-ups) from a current hrtimer-shaped one, by undoing those commits:
#   - struct hrtimer timer            -> struct timer_list timer, no timer_pending flag
#   - hrtimer_init()+.function or hrtimer_setup() (6.13+) -> timer_setup(&dum_hcd->timer, dummy_timer, 0)
#   - hrtimer_start(.., 125 us)       -> mod_timer(&dum_hcd->timer, jiffies + 1)  (enqueue)
#                                        mod_timer(.., jiffies + msecs_to_jiffies(1)) (callback)
#   - hrtimer_start(.., 0)            -> mod_timer(&dum_hcd->timer, jiffies)
#   - enum hrtimer_restart callback   -> void dummy_timer(struct timer_list *t)
#   - hrtimer_cancel() in dummy_stop  -> nothing (6.9 did not cancel)
# The real legacy files are what the patch is meant for; this fixture is how it is
# tested here, where no pre-6.10 source is available (see README.md).
use strict;
use warnings;

die "usage: $0 IN OUT\n" unless @ARGV == 2;
my ($in, $out) = @ARGV;
my $s = do {
	local $/;
	my $fh;
	if ($in =~ /\.(?:tar(?:\.\w+)?|tgz|txz)$/) {
		open($fh, '-|', 'tar', '-xOf', $in, '--wildcards', '*drivers/usb/gadget/udc/dummy_hcd.c') or die "$in: $!\n";
	} else {
		open($fh, '<', $in) or die "$in: $!\n";
	}
	<$fh>;
};
die "make-legacy-fixture: no dummy_hcd.c in $in\n" unless defined $s && length $s;

sub must { my ($n, $what) = @_; die "make-legacy-fixture: '$what' matched $n times\n" unless $n; }

must(scalar($s =~ s/#include <linux\/hrtimer\.h>/#include <linux\/timer.h>/), 'include');
must(scalar($s =~ s/^#define DUMMY_TIMER_INT_NSECS\s[^\n]*\n//m), 'define');
must(scalar($s =~ s/\bstruct hrtimer(\s+)timer;/struct timer_list$1timer;/), 'member');
must(scalar($s =~ s/^\s*unsigned\s+timer_pending:1;\n//m), 'flag');

# enqueue
must(scalar($s =~ s/\tif \(!dum_hcd->timer_pending\) \{\n\t\tdum_hcd->timer_pending = 1;\n\t\thrtimer_start\(&dum_hcd->timer, ns_to_ktime\(DUMMY_TIMER_INT_NSECS\),\n\t+HRTIMER_MODE_REL_SOFT\);\n\t\}\n/\tif (!timer_pending(&dum_hcd->timer))\n\t\tmod_timer(&dum_hcd->timer, jiffies + 1);\n/), 'enqueue');
# dequeue
must(scalar($s =~ s/\tif \(rc == 0 && !dum_hcd->timer_pending\) \{\n\t\tdum_hcd->timer_pending = 1;\n\t\thrtimer_start\(&dum_hcd->timer, ns_to_ktime\(0\), HRTIMER_MODE_REL_SOFT\);\n\t\}\n/\tif (!rc && dum_hcd->rh_state != DUMMY_RH_RUNNING &&\n\t\t\t!list_empty(&dum_hcd->urbp_list))\n\t\tmod_timer(&dum_hcd->timer, jiffies);\n/), 'dequeue');
# callback
must(scalar($s =~ s/static enum hrtimer_restart dummy_timer\(struct hrtimer \*t\)/static void dummy_timer(struct timer_list *t)/), 'callback');
must(scalar($s =~ s/(\t\}\n)(\n\t\/\* look at each urb queued by the host side driver \*\/\n\tspin_lock_irqsave\(&dum->lock, flags\);\n)\tdum_hcd->timer_pending = 0;\n/$1\n\t\/* FIXME if HZ != 1000 this will probably misbehave ... *\/\n$2/), 'callback lock');
must(scalar($s =~ s/\t\treturn HRTIMER_NORESTART;\n/\t\treturn;\n/g), 'callback return');
must(scalar($s =~ s/\t\} else if \(!dum_hcd->timer_pending &&\n\t+dum_hcd->rh_state == DUMMY_RH_RUNNING\) \{\n\t\t\/\* want a 1 msec delay here \*\/\n\t\tdum_hcd->timer_pending = 1;\n\t\thrtimer_start\(&dum_hcd->timer, ns_to_ktime\(DUMMY_TIMER_INT_NSECS\),\n\t+HRTIMER_MODE_REL_SOFT\);\n\t\}\n\n\tspin_unlock_irqrestore\(&dum->lock, flags\);\n\n\treturn HRTIMER_NORESTART;\n\}/\t} else if (dum_hcd->rh_state == DUMMY_RH_RUNNING) {\n\t\t\/* want a 1 msec delay here *\/\n\t\tmod_timer(&dum_hcd->timer, jiffies + msecs_to_jiffies(1));\n\t}\n\n\tspin_unlock_irqrestore(&dum->lock, flags);\n}/), 'callback rearm');
# bus resume
must(scalar($s =~ s/\t\tif \(!list_empty\(&dum_hcd->urbp_list\)\) \{\n\t\t\tdum_hcd->timer_pending = 1;\n\t\t\thrtimer_start\(&dum_hcd->timer, ns_to_ktime\(0\), HRTIMER_MODE_REL_SOFT\);\n\t\t\}\n/\t\tif (!list_empty(&dum_hcd->urbp_list))\n\t\t\tmod_timer(&dum_hcd->timer, jiffies);\n/), 'resume');
# init (primary and super-speed hcd)
# (hrtimer_init()+.function up to 6.12, hrtimer_setup() since 6.13)
my $n = ($s =~ s/\thrtimer_init\(&dum_hcd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT\);\n\tdum_hcd->timer\.function = dummy_timer;\n/\ttimer_setup(&dum_hcd->timer, dummy_timer, 0);\n/g)
	|| ($s =~ s/\thrtimer_setup\(&dum_hcd->timer, dummy_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT\);\n/\ttimer_setup(&dum_hcd->timer, dummy_timer, 0);\n/g);
die "make-legacy-fixture: init matched $n times, expected 2\n" unless $n == 2;
# stop
must(scalar($s =~ s/\thrtimer_cancel\(&dum_hcd->timer\);\n\tdum_hcd->timer_pending = 0;\n//), 'stop');

die "make-legacy-fixture: hrtimer left in output:\n" . join("\n", grep { /hrtimer|timer_pending =|HRTIMER/ } split /\n/, $s) . "\n"
	if $s =~ /hrtimer|HRTIMER|->timer_pending/;
open(my $fh, '>', $out) or die "$out: $!\n";
print $fh $s;
close $fh;
