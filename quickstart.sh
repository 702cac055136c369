#!/bin/sh
# patchbay quick start, on Debian 12 as root (or with sudo for apt-get).
#   ./quickstart.sh run [SWITCH OPTIONS]  install, build, start a switch in
#                                         the foreground (Ctrl-C or EOF on
#                                         stdin stops it)
#   ./quickstart.sh test                  install, build with sanitizers,
#                                         run the whole test suite
# The last line of "test" is "N passed, N failed"; its status is non-zero
# iff a test failed. Under CI=true a skipped test counts as failed.
set -eu
cd "$(dirname "$0")"
top=$(pwd)

build_pkgs="autoconf automake libtool pkg-config make gcc libvdeplug-dev \
libnl-3-dev libnl-route-3-dev libcriterion-dev libedit-dev libcap-ng-dev libslirp-dev"
test_pkgs="vde2 qemu-system-x86 util-linux procps iproute2 strace \
busybox-static cpio libvdeplug-slirp tcpdump"

install_pkgs() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && [ "${CI:-}" != "true" ] && return 0
	[ "$(id -u)" = 0 ] && sudo="" || sudo="sudo"
	echo "quickstart: installing:${missing:- (CI: refreshing)}" >&2
	$sudo apt-get update -q >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >&2
}

build() {	# $1: build directory, rest: configure options
	dir=$1
	shift
	if [ -f "$top/config.status" ]; then
		echo "quickstart: this tree was configured in place;" \
			"run 'make distclean' here first" >&2
		exit 1
	fi
	[ -x "$top/configure" ] || ./autogen.sh >/dev/null
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "$@"; } &&
		make -s -j2 >&2)
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
	# shellcheck disable=SC2086
	install_pkgs $build_pkgs
	build "$top/build"
	[ $# -gt 0 ] || set -- -s /tmp/patchbay -M /tmp/patchbay.mgmt
	exec "$top/build/switch/patchbay" "$@"
	;;
test)
	# shellcheck disable=SC2086
	install_pkgs $build_pkgs $test_pkgs
	build "$top/build-check" --enable-sanitizers --enable-werror
	cd "$top/build-check"
	rc=0
	make -j2 check >&2 || rc=$?
	log=test-suite.log
	get() { sed -n "s/^# $1: *//p" "$log" | head -n 1; }
	pass=$(get PASS)
	xfail=$(get XFAIL)
	fail=$(get FAIL)
	xpass=$(get XPASS)
	error=$(get ERROR)
	skip=$(get SKIP)
	passed=$((${pass:-0} + ${xfail:-0}))
	failed=$((${fail:-0} + ${xpass:-0} + ${error:-0}))
	if [ "${CI:-}" = "true" ]; then
		failed=$((failed + ${skip:-0}))
	else
		[ "${skip:-0}" = 0 ] || echo "quickstart: ${skip} skipped" >&2
	fi
	[ -f "$log" ] || failed=$((failed + 1))
	[ "$rc" = 0 ] || [ "$failed" -gt 0 ] || failed=1
	grep -E '^(FAIL|ERROR|XPASS|SKIP):' "$log" >&2 || true
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	;;
*)
	sed -n '2,9s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
