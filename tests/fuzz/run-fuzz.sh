#!/bin/sh
# run-fuzz.sh SRCDIR BUILDDIR SECONDS HARNESS... - run each libFuzzer
# harness BUILDDIR/bin/fuzz_HARNESS for SECONDS (or, with FUZZ_RUNS=N in
# the environment, until N executions or SECONDS) on a fresh copy of its seed
# corpus (SRCDIR/tests/fuzz/corpus/HARNESS, plus its regress inputs), then
# print a table: executions, coverage at the start and at the end
# (libFuzzer's cov: edges and ft: features), and crashes (inputs saved in
# BUILDDIR/work/HARNESS/; copy each into tests/fuzz/regress/HARNESS/ once
# fixed). Exit status 1 if any harness crashed or did not run.
# ASan's quarantine is 16 MB instead of 256 (unless ASAN_OPTIONS is set):
# freed memory comes back sooner, so the switch-based harnesses stop paying
# a page fault per fresh page (2x the executions a second); a use after
# free within the last 16 MB of frees is still caught.
set -u
: "${ASAN_OPTIONS=quarantine_size_mb=16}"
export ASAN_OPTIONS
src=$1
dir=$2
secs=$3
shift 3
fail=0
table=""
for h in "$@"; do
	bin=$dir/bin/fuzz_$h
	work=$dir/work/$h
	rm -rf "$work"
	mkdir -p "$work/corpus"
	for d in "$src/tests/fuzz/corpus/$h" "$src/tests/fuzz/regress/$h"; do
		[ -d "$d" ] && cp "$d"/* "$work/corpus/" 2>/dev/null
	done
	echo "fuzz_$h: $secs s ..."
	"$bin" -max_total_time="$secs" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
		-print_final_stats=1 \
		-artifact_prefix="$work/" -rss_limit_mb=2048 -timeout=10 \
		"$work/corpus" >"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	init=$(grep -m 1 'INITED cov:' "$work/log" |
		sed 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/\1\/\2/')
	last=$(grep -E '^#[0-9]+' "$work/log" | grep 'cov:' | tail -n 1 |
		sed 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/\1\/\2/')
	crashes=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' \
		-o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
		wc -l)
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ] || [ -z "$execs" ]; then
		fail=1
		echo "fuzz_$h: exit $rc, see $work/log"
	fi
	table="$table$(printf '%-10s %12s %14s %14s %8s' "$h" "${execs:-?}" \
		"${init:-?}" "${last:-?}" "$crashes")
"
done
echo
printf '%-10s %12s %14s %14s %8s\n' harness executions 'cov/ft start' \
	'cov/ft end' crashes
printf '%s' "$table"
exit $fail
