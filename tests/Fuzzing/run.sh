#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine's parsers of untrusted bytes with AFL++ and SharpFuzz.
#   tests/Fuzzing/run.sh TARGET SECONDS    one target (tests/Fuzzing/run.sh list names them), e.g. run.sh layer 3600
#   tests/Fuzzing/run.sh all SECONDS       every target in turn, SECONDS each (the CI entry in tests/run.sh)
# It publishes the harness, instruments the ScanEngine dll with sharpfuzz, seeds each target from the shared corpus and small
# generated inputs (in a temporary directory: nothing is committed) and runs afl-fuzz for SECONDS (-V). A crash is an exception
# the engine does not turn into a ScanException or InvalidDataException; a hang is an input that runs past FUZZ_TIMEOUT_MS.
# Each one found is replayed (the exception and its stack are printed) and kept under FUZZ_FINDINGS; the exit code is 1 when
# anything was found, 0 when nothing was, 2 when the harness itself could not run.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

target=${1:-}
seconds=${2:-}
corpus=${FUZZ_CORPUS:-}
if [ -z "$corpus" ]; then
  for candidate in "$repo/../shared/corpus" /work/shared/corpus; do [ -d "$candidate" ] && { corpus=$candidate; break; }; done
fi
timeout_ms=${FUZZ_TIMEOUT_MS:-5000}
findings=${FUZZ_FINDINGS:-$repo/tests/Fuzzing/bin/findings}
out=$repo/tests/Fuzzing/bin/afl
# The instrumented engine writes to afl's shared memory and faults without it: seeds and replays run the plain copy.
plain=$repo/tests/Fuzzing/bin/plain
harness=$plain/ImageScanning.Fuzzing.dll

command -v afl-fuzz >/dev/null || { echo "fuzzing: afl-fuzz is missing (as root: apt-get install afl++)" >&2; exit 2; }
if [ "$target" != list ] && ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: tests/Fuzzing/run.sh TARGET|all SECONDS  |  tests/Fuzzing/run.sh list" >&2
  exit 2
fi

# The harness and an instrumented copy of the engine, rebuilt each run so that the engine fuzzed is the one checked out.
dotnet publish tests/Fuzzing -c Release -o "$plain" --nologo -v quiet >/dev/null
rm -rf "$out" && cp -r "$plain" "$out"
tools=$repo/tests/Fuzzing/bin/tools
[ -x "$tools/sharpfuzz" ] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
"$tools/sharpfuzz" "$out/ImageScanning.ScanEngine.dll" >/dev/null

if [ "$target" = list ]; then dotnet "$harness" list; exit 0; fi
targets=("$target")
[ "$target" = all ] && mapfile -t targets < <(dotnet "$harness" list | awk '{ print $1 }')

work=$(mktemp -d -t fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
# afl-fuzz expects a tuned machine; these say it is not one and must fuzz anyway (a shared CI box, no core dumps to a file).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1 DOTNET_TieredPGO=0

found=0
for name in "${targets[@]}"; do
  mkdir -p "$work/$name"
  # A target whose seeds all come from the corpus has none without it: afl-fuzz still needs one input to start from.
  dotnet "$harness" seeds "$name" "$work/$name/in" "${corpus:-/nonexistent}" >/dev/null || true
  [ -n "$(ls -A "$work/$name/in" 2>/dev/null)" ] || { mkdir -p "$work/$name/in"; printf '{}' > "$work/$name/in/minimal"; }
  started=$(date +%s)
  set +e
  afl-fuzz -i "$work/$name/in" -o "$work/$name/out" -t "$timeout_ms" -m none -V "$seconds" -- dotnet "$out/ImageScanning.Fuzzing.dll" fuzz "$name" \
    > "$work/$name/afl.log" 2>&1
  status=$?
  set -e
  stats=$work/$name/out/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "fuzzing $name: afl-fuzz did not start (exit $status):" >&2
    tail -n 20 "$work/$name/afl.log" >&2
    exit 2
  fi
  value() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
  crashes=("$work/$name/out/default/crashes/"id*)
  hangs=("$work/$name/out/default/hangs/"id*)
  [ -e "${crashes[0]}" ] || crashes=()
  [ -e "${hangs[0]}" ] || hangs=()
  echo "fuzzing $name: $(( $(date +%s) - started )) s, $(value execs_done) executions, $(value corpus_count) paths, ${#crashes[@]} crashes, ${#hangs[@]} hangs"
  if [ ${#crashes[@]} -gt 0 ] || [ ${#hangs[@]} -gt 0 ]; then
    found=1
    mkdir -p "$findings/$name"
    cp "${crashes[@]}" "${hangs[@]}" "$findings/$name/" 2>/dev/null || true
    # Replay outside afl-fuzz: the exception, its message and stack, or the time a hang takes.
    timeout 120 dotnet "$harness" run "$name" "${crashes[@]}" "${hangs[@]}" | cut -c1-2000 || true
    echo "fuzzing $name: the inputs are in $findings/$name"
  fi
done
exit "$found"
