#!/usr/bin/perl
# nested-vm.pl T0 SERIAL-SOCKET QMP-SOCKET LOG TIMES [STOP-REGEX]: the two sockets of a VM started as qemu-server starts it
# (nested-vm.sh). Writes what the VM prints on serial0 to LOG, and after every chunk read one line "SECONDS OFFSET"
# to TIMES (seconds since T0, the epoch time QEMU was started; OFFSET the bytes of LOG so far), so that the time any
# text appeared is known. On QMP it does what Proxmox's qmeventd does for a guest that powers off under
# `-no-shutdown`: on the SHUTDOWN event it sends `quit` (and writes "SECONDS OFFSET SHUTDOWN REASON" to TIMES). With
# STOP-REGEX it also sends `quit` as soon as the serial output, without terminal escapes, matches it (a benchmark that
# needs only the firmware's part of a boot). Ends when QEMU closes both.
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time sleep);

my ($t0, $serial_path, $qmp_path, $log_path, $times_path, $stop) = @ARGV;
die "usage: nested-vm.pl T0 SERIAL-SOCKET QMP-SOCKET LOG TIMES [STOP-REGEX]\n" unless defined $times_path;

sub connect_unix {
    my ($path) = @_;
    for (1 .. 1200) { # QEMU creates its sockets before the guest runs: 60 s is plenty
        my $s = IO::Socket::UNIX->new(Peer => $path, Type => SOCK_STREAM);
        return $s if $s;
        sleep 0.05;
    }
    die "nested-vm.pl: cannot connect to $path\n";
}

my $serial = connect_unix($serial_path);
my $qmp = connect_unix($qmp_path);
open(my $log, '>', $log_path) or die "nested-vm.pl: $log_path: $!\n";
open(my $times, '>', $times_path) or die "nested-vm.pl: $times_path: $!\n";
$log->autoflush(1);
$times->autoflush(1);
syswrite($qmp, qq({"execute":"qmp_capabilities"}\n));

my $sel = IO::Select->new($serial, $qmp);
my ($offset, $qbuf, $text) = (0, '', '');
while ($sel->count) {
    for my $fh ($sel->can_read(5)) {
        my $n = sysread($fh, my $buf, 65536);
        if (!$n) {
            $sel->remove($fh);
            next;
        }
        if ($fh == $serial) {
            print $log $buf;
            $offset += $n;
            printf $times "%.3f %d\n", time - $t0, $offset;
            if (defined $stop && $stop ne '') {
                $text .= $buf;
                (my $plain = $text) =~ s/\e(?:\[[0-9;?=]*[A-Za-z]|[()][0-9A-Za-z]|[^\[()])//g; # terminal escapes
                $plain =~ s/\e[^A-Za-z]*\z//; # one cut off by the chunk's end
                if ($plain =~ /$stop/) {
                    printf $times "%.3f %d STOP\n", time - $t0, $offset;
                    syswrite($qmp, qq({"execute":"quit"}\n));
                    $stop = undef;
                }
            }
        } else {
            $qbuf .= $buf;
            while ($qbuf =~ s/^([^\n]*)\n//) {
                my $msg = $1;
                if ($msg =~ /"event"\s*:\s*"SHUTDOWN"/) {
                    # the reason: guest-shutdown (it powered off), guest-reset (it reset, a reboot under -no-reboot
                    # or a crash), guest-panic...
                    my ($why) = $msg =~ /"reason"\s*:\s*"([^"]*)"/;
                    printf $times "%.3f %d SHUTDOWN %s\n", time - $t0, $offset, $why // 'unknown';
                    syswrite($qmp, qq({"execute":"quit"}\n));
                }
            }
        }
    }
}
