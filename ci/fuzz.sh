#!/usr/bin/env bash
# Fuzzes every Fuzz… target of every module for a while each and prints a
# table: target, executions, new corpus entries, result. CI runs it
# briefly (ci/test.sh: -t 2s, the providers' own left out); a longer run is
# the same script:
#   ci/fuzz.sh -t 10m            every target ten minutes
#   ci/fuzz.sh -t 1h FuzzRender  the targets whose name matches
#   ci/fuzz.sh -x REGEXP         all but those whose PACKAGE.Target matches
# A failing input is kept where Go keeps it (the package's
# testdata/fuzz/NAME/), so that every later go test runs it: commit it
# with the fix.
source "$(dirname "$0")/lib.sh"

fuzztime=5s
exclude='^$'
while [ $# -gt 0 ]; do
	case $1 in
	-t) fuzztime=$2; shift 2 ;;
	-x) exclude=$2; shift 2 ;;
	*) break ;;
	esac
done
match=${1:-.}

status=0
targets=0
failed=0
printf '%-58s %12s %6s  %s\n' "target" "executions" "new" "result"
for dir in $(modules) "$ROOT/fidelity"; do
	while IFS= read -r file; do
		pkg="./$(realpath --relative-to="$dir" "$(dirname "$file")")"
		for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
			[[ $name =~ $match ]] || continue
			where=${dir#"$ROOT"/}
			[ "$pkg" = "./." ] || where="$where/${pkg#./}"
			[[ ! "$where.$name" =~ $exclude ]] || continue
			out=$(cd "$dir" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1) && result=ok || result=FAIL
			# Go's fuzz coordinator can miss its own -fuzztime deadline on
			# a loaded machine and report a bare "context deadline
			# exceeded" with no input (golang/go#75804, fixed in Go 1.27):
			# no finding, so not a failure; a real one writes its input.
			if [ "$result" = FAIL ] && ! grep -q 'Failing input written\|panic:' <<<"$out" &&
				grep -q 'context deadline exceeded' <<<"$out"; then
				result="ok (coordinator deadline, golang/go#75804)"
			fi
			# A short run may print no progress line: none, not an error.
			last=$(grep -o 'execs: [0-9]*' <<<"$out" | tail -1 | cut -d' ' -f2 || true)
			new=$(grep -o 'new interesting: [0-9]*' <<<"$out" | tail -1 | cut -d' ' -f3 || true)
			printf '%-58s %12s %6s  %s\n' "$where.$name" "${last:-0}" "${new:-0}" "$result"
			targets=$((targets + 1))
			if [ "$result" = FAIL ]; then
				status=1
				failed=$((failed + 1))
				grep -v '^fuzz: elapsed' <<<"$out" | tail -30 >&2
			fi
		done
	done < <(grep -rl --include='*_test.go' '^func Fuzz' "$dir" | grep -v '/\.cache/' | sort)
done
echo "fuzz: $targets targets, $((targets - failed)) passed, $failed failed ($fuzztime each)"
exit $status
