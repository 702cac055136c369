#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkguest.sh [CACHEDIR] - find or build the QEMU guest the tests boot:
# Debian's cloud kernel (linux-image-cloud-amd64's current target, fetched
# with apt-get download, nothing installed) and an initramfs holding the
# installed static busybox, the kernel's virtio-net modules (the closure of
# their depends= fields, in load order) and tests/guest/init; and, when
# Debian's iperf3 is installed here, /usr/bin/iperf3 with the shared
# libraries ldd names and its dynamic loader (bench/guestperf.sh uses it;
# the tests do not).
#
# The image is cached in CACHEDIR (default $PB_GUEST_CACHE, else
# /var/tmp/patchbay-guest) under a key made of the kernel package and
# version and a hash of this script, the init and busybox's and iperf3's
# versions; a lock keeps parallel test programs from building it twice.
# Prints the image directory (vmlinuz, initrd.gz) on stdout; progress and
# errors go to stderr. Exit status: 0 done; 2 the image cannot be had on
# this machine (no package source, a tool missing: tests skip); 1 any
# other failure.
set -eu

me=mkguest
case "${1:-}" in
-h | --help)
	sed -n '3,20s/^# \{0,1\}//p' "$0"
	exit 0
	;;
-*)
	echo "usage: $0 [CACHEDIR]" >&2
	exit 1
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${PB_GUEST_CACHE:-/var/tmp/patchbay-guest}}
meta=linux-image-cloud-amd64
busybox=/bin/busybox

say() {
	echo "$me: $*" >&2
}

unavailable() {
	say "$*"
	exit 2
}

fail() {
	say "$*"
	exit 1
}

for t in apt-get apt-cache dpkg-deb cpio gzip sha256sum flock; do
	command -v "$t" >/dev/null 2>&1 ||
		unavailable "'$t' is not installed (Debian packages: apt," \
			"dpkg, cpio, gzip, coreutils, util-linux)"
done
bbver=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null) ||
	bbver=""
if [ -z "$bbver" ] || [ ! -x "$busybox" ]; then
	unavailable "busybox-static is not installed (apt-get install" \
		"busybox-static)"
fi
if ldd "$busybox" >/dev/null 2>&1; then
	unavailable "$busybox is dynamically linked: install busybox-static"
fi
[ -r "$here/init" ] || fail "$here/init is missing"
iperf=/usr/bin/iperf3
ipver=""
[ -x "$iperf" ] &&
	ipver=$(dpkg-query -W -f='${Version}' iperf3 2>/dev/null) || ipver=""

hash=$( (cat "$0" "$here/init"; echo "$bbver"; echo "iperf3 $ipver") |
	sha256sum | cut -c1-12)

# the kernel package the metapackage points at, from apt's lists
kpkg=$(apt-cache depends "$meta" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
kver=""
[ -n "$kpkg" ] &&
	kver=$(apt-cache policy "$kpkg" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | head -n 1)
if [ -z "$kpkg" ] || [ -z "$kver" ] || [ "$kver" = "(none)" ]; then
	# no package lists (no apt-get update, no mirror): an image built
	# earlier by this very script still does
	# shellcheck disable=SC2012 # our own names: no blanks, no newlines
	old=$(ls -1dt "$cache"/linux-image-*-"$hash" 2>/dev/null | head -n 1)
	if [ -n "$old" ] && [ -f "$old/initrd.gz" ]; then
		say "apt knows no $meta; using the cached $old"
		echo "$old"
		exit 0
	fi
	unavailable "apt knows no $meta (run apt-get update; a Debian" \
		"mirror is needed once to build the test guest)"
fi
key="${kpkg}_${kver}-$hash"
img="$cache/$key"
if [ -f "$img/initrd.gz" ] && [ -f "$img/vmlinuz" ]; then
	touch "$img"	# in use: kept by the clean-up below
	echo "$img"
	exit 0
fi

mkdir -p "$cache" || fail "cannot create $cache"
exec 9>>"$cache/.lock"
if ! flock -n 9; then
	say "another build holds $cache/.lock: waiting"
	flock -w 900 9 || fail "$cache/.lock: still locked after 900 s"
fi
if [ -f "$img/initrd.gz" ] && [ -f "$img/vmlinuz" ]; then
	echo "$img"	# built by whoever held the lock
	exit 0
fi

start=$(date +%s)
rm -rf "$cache"/.build.*	# left by a build that was killed (we hold the lock)
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say "first run: building the test guest in $img"
say "downloading $kpkg $kver"
# as root, apt's _apt user could not write here: say so, not warn
sandbox=""
[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $sandbox download -q "$kpkg=$kver" >&2 ||
	unavailable "apt-get download $kpkg=$kver failed (no Debian mirror?)"
deb=$(ls -1 ./*.deb)
say "unpacking $(basename "$deb") ($(($(wc -c <"$deb") / 1048576)) MiB)"
dpkg-deb -x "$deb" x
rm -f "$deb"
rel=$(find x/lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | head -n 1)
if [ -z "$rel" ] || [ ! -f "x/boot/vmlinuz-$rel" ]; then
	fail "$kpkg has no vmlinuz or modules directory"
fi
moddir=x/lib/modules/$rel
find "$moddir/kernel" -name '*.ko' >ko.list

ko_path() {	# module name -> its .ko file ('-' and '_' are the same)
	pat=$(echo "$1" | sed 's/[-_]/[-_]/g')
	grep "/$pat\.ko\$" ko.list | head -n 1
}

ko_depends() {	# the depends= field of a .ko's .modinfo strings
	tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | head -n 1 | tr , ' '
}

order=""
add_module() {	# $1 after its dependencies, once
	case " $order " in *" $1 "*) return 0 ;; esac
	f=$(ko_path "$1")
	if [ -z "$f" ]; then
		grep -q "/$1\.ko\$" "$moddir/modules.builtin" 2>/dev/null &&
			return 0
		fail "module $1 is neither in $kpkg nor built in"
	fi
	for d in $(ko_depends "$f"); do
		add_module "$d"
	done
	order="$order $1"
}
add_module virtio_pci
add_module virtio_net
say "modules, in load order:$order"

root=$work/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	"$root/lib/modules" "$root/srv" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
for m in $order; do
	cp "$(ko_path "$m")" "$root/lib/modules/$m.ko"
	echo "$m" >>"$root/lib/modules/order"
done
if [ -n "$ipver" ]; then
	# the binary, each library at its path and the loader at the path
	# written in the binary (ldd: "lib => /path (addr)", "/path (addr)")
	cp "$iperf" "$root/bin/iperf3"
	libs=$(ldd "$iperf" | sed -n 's/^[^/]*\(\/[^ ]*\) (0x.*/\1/p')
	[ -n "$libs" ] || fail "ldd $iperf named no libraries"
	for l in $libs; do
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
	say "iperf3 $ipver and its libraries: $(echo "$libs" | tr '\n' ' ')"
fi
cp "$here/init" "$root/init"
chmod 755 "$root/init"
# the kernel's built-in initramfs has /dev/console already; this is only
# for kernels built otherwise, and needs root
mknod "$root/dev/console" c 5 1 2>/dev/null || true

mkdir out
cp "x/boot/vmlinuz-$rel" out/vmlinuz
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -9 >out/initrd.gz
{
	echo "kernel $kpkg $kver ($rel)"
	echo "busybox-static $bbver"
	[ -z "$ipver" ] || echo "iperf3 $ipver"
	echo "modules$order"
} >out/info
rm -rf "$img"
mv out "$img"
# images of other kernels or older scripts, unused for 30 days, go
find "$cache" -mindepth 1 -maxdepth 1 -name 'linux-image-*' -mtime +30 \
	-exec rm -rf {} + 2>/dev/null || true
say "built $img in $(($(date +%s) - start)) s" \
	"(initrd $(($(wc -c <"$img/initrd.gz") / 1024)) KiB)"
echo "$img"
