#!/usr/bin/perl
# usbmon-commands.pl TRACE: where the time of a bulk-only mass-storage device's commands goes, from a usbmon text trace
# (bench/firmware-load --trace keeps one per boot). Each SCSI command is three URBs (CBW, data, CSW); for each kind, the
# time the host took (URB submitted to completed: usbfs, dummy_hcd, the gadget) and the time before it that the VM
# took (the previous URB's completion to this one's submission: the firmware and QEMU's xHCI and usb-host), as sums
# and medians; and the commands' opcodes, data lengths and statuses (a failing or shrinking read shows there).
use strict;
use warnings;

my $trace = shift or die "usage: usbmon-commands.pl USBMON-TRACE\n";
open(my $in, '<', $trace) or die "usbmon-commands.pl: $trace: $!\n";
my (%host, %vm, %n, %lens, %ops, %status, $pending, $last_done);
while (<$in>) {
    my ($tag, $ts, $type, $addr, $st, @rest) = split;
    next unless defined $addr && $addr =~ /^(B[io]):/;
    my $dir = $1;
    if ($type eq 'S') {
        my $kind = $dir eq 'Bi' ? (($rest[0] // '') eq '13' ? 'csw' : 'data-in') : 'data-out';
        if ($dir eq 'Bo' && ($rest[1] // '') eq '=' && ($rest[2] // '') =~ /^55534243/) {
            $kind = 'cbw';
            my $hex = join('', @rest[2 .. $#rest]);
            if (length($hex) >= 32) {
                my $cbw = pack('H*', substr($hex, 0, 32));
                $lens{unpack('V', substr($cbw, 8, 4))}++;
                $ops{sprintf('0x%02x', ord(substr($cbw, 15, 1)))}++;
            }
        }
        $pending = [$kind, $ts, defined $last_done ? $ts - $last_done : 0];
    } elsif ($type eq 'C' && $pending) {
        my ($kind, $start, $gap) = @$pending;
        $status{"CSW status " . substr($rest[-1], -2)}++ if $kind eq 'csw' && ($rest[1] // '') eq '=';
        $status{"URB status $st"}++ if $st ne '0';
        push @{$host{$kind}}, $ts - $start;
        push @{$vm{$kind}}, $gap;
        $n{$kind}++;
        $last_done = $ts;
        undef $pending;
    }
}
sub sum { my $s = 0; $s += $_ for @_; $s }
sub median { my @s = sort { $a <=> $b } @_; @s ? $s[$#s / 2] : 0 }
sub top { # the six commonest keys of a count hash, with their counts
    my ($h) = @_;
    my @keys = sort { $h->{$b} <=> $h->{$a} } keys %$h;
    splice(@keys, 6) if @keys > 6;
    return join(', ', map {"$_: $h->{$_}"} @keys);
}
printf "commands: %d; opcodes %s\n", $n{cbw} // 0, top(\%ops);
printf "data lengths: %s\n", top(\%lens);
printf "statuses: %s\n", join(', ', map {"$_: $status{$_}"} sort keys %status);
my ($th, $tv) = (0, 0);
for my $k (qw(cbw data-in data-out csw)) {
    next unless $n{$k};
    my ($h, $v) = (sum(@{$host{$k}}), sum(@{$vm{$k}}));
    ($th, $tv) = ($th + $h, $tv + $v);
    printf "%-8s %5d URBs: host %7.2f s (median %6.2f ms), VM before it %7.2f s (median %6.2f ms)\n", $k, $n{$k},
        $h / 1e6, median(@{$host{$k}}) / 1e3, $v / 1e6, median(@{$vm{$k}}) / 1e3;
}
printf "in all: host %.2f s, VM %.2f s (the VM's share includes the time before its first command)\n", $th / 1e6, $tv / 1e6;
