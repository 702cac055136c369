#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# guestperf.sh [-r ROUNDS] [-t SECS] [-s SETUPS] [-k] BUILDDIR
# Guest-level TCP throughput (issue 21): two QEMU TCG guests (256M RAM,
# one vCPU each), iperf3 from guest 0 (198.18.0.10) to guest 1
# (198.18.0.11), SECS seconds (default 10), on each of these setups in
# turn, in every round (default 3), the order alternating from round to
# round:
#   a  both guests on vhost-user ports of BUILDDIR's switch/patchbay
#      (-netdev vhost-user, memfd share=on, vectors=0)
#   b  both on a Linux bridge, each through QEMU's own TAP backend with
#      virtio-net offloads (-netdev tap,vhost=off,vnet_hdr=on)
#   c  both on Debian's vde_switch (-netdev vde)
#   d  guest 0 on a vhost-user port, guest 1 on a VDE port (-netdev vde)
#      of patchbay
# Prints a line per run and a table: the median Gbit/s received per setup,
# the retransmits iperf3's sender counted, and the medians of the
# per-round ratios a/b, a/c and d/c against the issue's targets.
# Progress goes to stderr, the figures to stdout; the exit status is 0
# unless a run could not be set up (it is a report, not a test).
#
# Needs root, qemu-system-x86, vde2 and iperf3 (the guest image includes
# iperf3 only when it is installed here: tests/guest/mkguest.sh). Every
# device (the bridge, the TAPs) and every process lives in a network
# namespace this script makes for itself (unshare --net) and that goes
# with it; the guests' addresses exist only inside the guests.
#   -r ROUNDS  rounds (default 3)
#   -t SECS    iperf3 -t (default 10)
#   -s SETUPS  which setups, e.g. "a,c" (default a,b,c,d)
#   -k         keep the work directory (serial logs, switch logs)
set -eu

me=guestperf
say() {
	echo "$me: $*" >&2
}
die() {
	say "$*"
	exit 1
}
usage() {
	sed -n '3,32s/^# \{0,1\}//p' "$0"
	exit "$1"
}

rounds=3 secs=10 setups=a,b,c,d keep=0
while getopts r:t:s:kh o; do
	case "$o" in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	s) setups=$OPTARG ;;
	k) keep=1 ;;
	h) usage 0 ;;
	*) usage 1 >&2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || usage 1 >&2
case "$rounds$secs" in
*[!0-9]*) die "-r and -t take whole numbers" ;;
esac
if [ "$rounds" -lt 1 ] || [ "$secs" -lt 1 ]; then
	die "-r and -t must be >= 1"
fi
setups=$(echo "$setups" | tr ',' ' ')
for s in $setups; do
	case "$s" in
	a | b | c | d) ;;
	*) die "unknown setup '$s' (a, b, c, d)" ;;
	esac
done

build=$(cd "$1" && pwd) || die "no build directory $1"
here=$(cd "$(dirname "$0")" && pwd)
patchbay=$build/switch/patchbay
qemu=/usr/bin/qemu-system-x86_64
mem=256M

# before the namespace: the first image build downloads the kernel
if [ -z "${GUESTPERF_IMAGE:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root (a network namespace, TAPs)"
	[ -x "$patchbay" ] || die "$patchbay is missing (build $build first)"
	[ -x "$qemu" ] || die "$qemu is missing (apt-get install qemu-system-x86)"
	command -v vde_switch >/dev/null 2>&1 ||
		die "vde_switch is missing (apt-get install vde2)"
	command -v iperf3 >/dev/null 2>&1 ||
		die "iperf3 is missing (apt-get install iperf3)"
	command -v unshare >/dev/null 2>&1 || die "unshare is missing (util-linux)"
	if grep -q 'enable-sanitizers' "$build/config.status" 2>/dev/null; then
		say "WARNING: $build is configured with --enable-sanitizers:" \
			"patchbay's figures are not representative"
	fi
	img=$(sh "$here/../tests/guest/mkguest.sh") ||
		die "no guest image (tests/guest/mkguest.sh failed)"
	grep -q '^iperf3 ' "$img/info" ||
		die "$img has no iperf3 (install iperf3, then run again)"
	GUESTPERF_IMAGE=$img
	export GUESTPERF_IMAGE
	# everything below runs in a network namespace of its own
	kflag=""
	[ "$keep" = 0 ] || kflag=-k
	exec unshare --net -- sh "$0" -r "$rounds" -t "$secs" \
		-s "$(echo "$setups" | tr ' ' ',')" ${kflag:+"$kflag"} "$build"
fi
img=$GUESTPERF_IMAGE
ip link set lo up	# the namespace unshare made for this script

work=$(mktemp -d /tmp/pb-guestperf.XXXXXX)
pids=""	# processes this script started, stopped by pid
stop_all() {	# the guests first, then their switch
	pids=$(echo "$pids" | tr ' ' '\n' | sed -n '1!G;h;$p')
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -9 "$p" 2>/dev/null || true
	done
	pids=""
}
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	stop_all
	if [ "$keep" = 1 ]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait up to $2 tenths of a second for path $1
wait_path() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt "$2" ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -e "$1" ]
}

# guest $1 (0 client, 1 server) of run $2 with netdev args $3 and steps $4;
# more QEMU arguments after those. no_timer_check: on a loaded machine a
# TCG guest's kernel can find its timer interrupt too slow at boot and
# panic ("IO-APIC + timer doesn't work!")
guest() {
	i=$1 tag=$2 netdev=$3 steps=$4
	shift 4
	"$qemu" -accel tcg -m "$mem" -smp 1 -nodefaults -nographic \
		-no-reboot -monitor none -serial "file:$work/serial-$tag-$i.log" \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 no_timer_check pb.ip=198.18.0.1$i/24 pb.do=$steps" \
		-global virtio-net-pci.romfile= \
		-netdev "$netdev,id=n0" "$@" \
		>"$work/qemu-$tag-$i.log" 2>&1 &
	pids="$pids $!"
}

vhost_args() {	# $1 the socket: -device and memory for a vhost-user NIC
	echo "-chardev socket,id=c0,path=$1,reconnect=1" \
		"-object memory-backend-memfd,id=mem,size=$mem,share=on" \
		"-numa node,memdev=mem"
}

nic() {	# $1 guest, $2 more -device options
	echo "virtio-net-pci,netdev=n0,mac=52:54:00:21:01:1$1$2"
}

# the PB-RESULT of the client's iperfc step: "RX TX RETR", or fail
result() {	# $1 tag
	log=$work/serial-$1-0.log
	# boot under load (120 s), connecting (30 s), the run and the 30 s
	# after it the guest gives a stalled run
	limit=$((1800 + secs * 10 + 300))
	n=0
	while [ $n -lt "$limit" ]; do
		line=$(tr -d '\r' 2>/dev/null <"$log" | grep '^PB-RESULT iperfc' |
			head -n 1) || true
		if [ -n "$line" ]; then
			case "$line" in
			*" ok "*) echo "${line#* ok }" >"$work/out" ;;
			*) say "$1: $line (see $work)"; return 1 ;;
			esac
			return 0
		fi
		for p in $pids; do
			kill -0 "$p" 2>/dev/null ||
				{ say "$1: a process ended early (see $work)"; return 1; }
		done
		sleep 0.1
		n=$((n + 1))
	done
	say "$1: no result in $((limit / 10)) s (see $work)"
	return 1
}

# one run of setup $1 in round $2: "RX TX RETR" (Mbit/s) to $work/out
run() {
	s=$1 tag=$1$2
	client="iperfc:198.18.0.11:$secs"
	server="iperfs,idle"
	case "$s" in
	a | d)
		second=""	# a: guest 1 on vhost-user too
		[ "$s" = d ] || second=vhost-user://$work/vhu-$tag-1.sock
		"$patchbay" -s "$work/sw-$tag" --nostdin \
			-a "vhost-user://$work/vhu-$tag-0.sock" \
			${second:+-a} ${second:+"$second"} \
			>"$work/patchbay-$tag.log" 2>&1 &
		pids="$pids $!"
		wait_path "$work/vhu-$tag-0.sock" 100 ||
			{ say "patchbay did not start (see $work)"; return 1; }
		# shellcheck disable=SC2046 # the words of vhost_args
		guest 0 "$tag" vhost-user,chardev=c0 "$client" \
			-device "$(nic 0 ,vectors=0)" \
			$(vhost_args "$work/vhu-$tag-0.sock")
		if [ "$s" = a ]; then
			wait_path "$work/vhu-$tag-1.sock" 100
			# shellcheck disable=SC2046
			guest 1 "$tag" vhost-user,chardev=c0 "$server" \
				-device "$(nic 1 ,vectors=0)" \
				$(vhost_args "$work/vhu-$tag-1.sock")
		else
			# port 2: an "any port" VDE client may otherwise take
			# port 1, the vhost-user listener's, before QEMU has
			# connected to it, and the guests then share a port
			guest 1 "$tag" "vde,sock=$work/sw-$tag,port=2" \
				"$server" -device "$(nic 1 "")"
		fi
		;;
	b)
		# in this script's own network namespace
		ip link add pbgpbr0 type bridge
		ip link set pbgpbr0 up
		for i in 0 1; do
			ip tuntap add dev "pbgptap$i" mode tap
			ip link set "pbgptap$i" master pbgpbr0 up
		done
		guest 0 "$tag" \
			tap,ifname=pbgptap0,script=no,downscript=no,vhost=off,vnet_hdr=on \
			"$client" -device "$(nic 0 "")"
		guest 1 "$tag" \
			tap,ifname=pbgptap1,script=no,downscript=no,vhost=off,vnet_hdr=on \
			"$server" -device "$(nic 1 "")"
		;;
	c)
		vde_switch -s "$work/vde-$tag" -d -p "$work/vde-$tag.pid" \
			>"$work/vde-$tag.log" 2>&1 ||
			{ say "vde_switch did not start"; return 1; }
		pids="$pids $(cat "$work/vde-$tag.pid")"
		for i in 0 1; do
			if [ $i = 0 ]; then st=$client; else st=$server; fi
			guest $i "$tag" "vde,sock=$work/vde-$tag" "$st" \
				-device "$(nic $i "")"
		done
		;;
	esac
	rc=0
	result "$tag" || rc=1
	stop_all
	if [ "$s" = b ]; then
		ip link del pbgptap0 2>/dev/null || true
		ip link del pbgptap1 2>/dev/null || true
		ip link del pbgpbr0 2>/dev/null || true
	fi
	return $rc
}

name() {
	case "$1" in
	a) echo "vhost-user <-> vhost-user (patchbay)" ;;
	b) echo "Linux bridge, TAPs + offloads" ;;
	c) echo "vde_switch (-netdev vde)" ;;
	d) echo "vhost-user -> VDE port (patchbay)" ;;
	esac
}

say "image $img; $rounds rounds of ${secs} s runs: $setups"
say "work directory $work"
results=$work/results	# "round setup rx tx retr" per run
: >"$results"
failed=0
r=1
while [ "$r" -le "$rounds" ]; do
	if [ $((r % 2)) = 1 ]; then
		order=$setups
	else
		order=$(echo "$setups" | tr ' ' '\n' | sed -n '1!G;h;$p')
	fi
	for s in $order; do
		say "round $r: $s, $(name "$s")"
		if run "$s" "$r"; then
			out=$(cat "$work/out")
			echo "$r $s $out" >>"$results"
			# shellcheck disable=SC2086 # its three fields
			set -- $out
			printf 'round %d %s %-38s %6.3f Gbit/s  retransmits %s\n' \
				"$r" "$s" "$(name "$s")" \
				"$(echo "$1" | awk '{ print $1 / 1000 }')" "$3"
		else
			failed=$((failed + 1))
			echo "round $r $s failed"
		fi
	done
	r=$((r + 1))
done

# medians over rounds, and of the per-round ratios
median() {	# numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "n/a";
		else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
col() {	# $1 setup, $2 field (3 rx, 5 retr)
	awk -v s="$1" -v f="$2" '$2 == s && $f != "-" { print $f }' "$results"
}
ratio() {	# $1 over $2, per round, in round order
	awk -v x="$1" -v y="$2" '$2 == x { a[$1] = $3 } $2 == y { b[$1] = $3 }
		END { for (r = 1; r <= '"$rounds"'; r++)
			if (r in a && r in b && b[r] > 0) print a[r] / b[r] }' \
		"$results"
}

echo
printf '%-40s %12s %10s %s\n' setup "Gbit/s (med)" "retr (med)" \
	"retr per round"
for s in $setups; do
	g=$(col "$s" 3 | median)
	[ "$g" = n/a ] || g=$(echo "$g" | awk '{ printf "%.3f", $1 / 1000 }')
	printf '%-40s %12s %10s %s\n' "$s $(name "$s")" "$g" \
		"$(col "$s" 5 | median)" \
		"$(col "$s" 5 | tr '\n' ' ')"
done
echo
for pair in "a b 0.9" "a c 4" "d c 1"; do
	# shellcheck disable=SC2086 # its three fields
	set -- $pair
	case " $setups " in *" $1 "*) ;; *) continue ;; esac
	case " $setups " in *" $2 "*) ;; *) continue ;; esac
	m=$(ratio "$1" "$2" | median)
	if [ "$m" = n/a ]; then
		verdict="n/a (a run failed)"
	elif awk -v m="$m" -v t="$3" 'BEGIN { exit !(m >= t) }'; then
		verdict=met
	else
		verdict="NOT met"
	fi
	printf 'ratio %s/%s  median %-8s per round %-24s target >= %s: %s\n' \
		"$1" "$2" "$(echo "$m" | awk '{ printf ($1 == "n/a" ? "n/a" : "%.2f"), $1 }')" \
		"$(ratio "$1" "$2" | awk '{ printf "%.2f ", $1 }')" "$3" \
		"$verdict"
done
[ "$failed" = 0 ] || { say "$failed runs failed"; exit 1; }
exit 0
