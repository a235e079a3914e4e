#!/usr/bin/env bash
# The project's test command. On a fresh Debian machine it installs what the tests need (when root),
# starts RabbitMQ on 127.0.0.1 if it is not already up, runs every test of the solution and stops what
# it started. The tests themselves start docker-registry instances on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package and how to tell it is there: a command on PATH, a Python module, or a file (a library's source).
requirements=(
  rabbitmq-server:command:rabbitmq-server docker-registry:command:docker-registry skopeo:command:skopeo
  umoci:command:umoci debootstrap:command:debootstrap dpkg-dev:command:dpkg-deb
  rpm:command:rpm python3-rpm:python:rpm python3-packaging:python:packaging ruby:command:ruby
  default-jdk-headless:command:java maven:command:mvn nodejs:command:node npm:command:npm
  golang-github-coreos-bbolt-dev:file:/usr/share/gocode/src/go.etcd.io/bbolt/db.go golang-golang-x-sys-dev:file:/usr/share/gocode/src/golang.org/x/sys/unix/syscall.go
  awscli:file:/usr/bin/aws golang-go:command:go golang-golang-x-mod-dev:file:/usr/share/gocode/src/golang.org/x/mod/semver/semver.go php-cli:command:php php-composer-semver:file:/usr/share/php/Composer/Semver/Comparator.php chromium:command:chromium prometheus:command:prometheus afl++:command:afl-fuzz
)
missing=()
for requirement in "${requirements[@]}"; do
  IFS=: read -r package kind name <<< "$requirement"
  case "$kind" in
    command) command -v "$name" >/dev/null 2>&1 || missing+=("$package") ;;
    python) /usr/bin/python3 -c "import $name" >/dev/null 2>&1 || missing+=("$package") ;;
    file) [ -e "$name" ] || missing+=("$package") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "tests/run.sh: installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests/run.sh: missing ${missing[*]}; install them (as root: apt-get install ${missing[*]}) and run again" >&2
    exit 2
  fi
fi

started_rabbit=0
port_open() { (echo > "/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }
if ! port_open 5672; then
  echo "tests/run.sh: starting rabbitmq-server"
  rabbitmq-server -detached >/dev/null 2>&1
  started_rabbit=1
  for _ in $(seq 1 90); do port_open 5672 && break; sleep 1; done
  port_open 5672 || { echo "tests/run.sh: RabbitMQ did not start" >&2; exit 2; }
fi
cleanup() {
  if [ "$started_rabbit" = 1 ]; then rabbitmqctl stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

export RABBITMQ_HOST=127.0.0.1
log=$(mktemp)
set +e
# Every test project side by side, except the fault-injection suite; then that suite alone, within its own time budget. It
# pushes hundreds of images through a dozen processes while it breaks things: sharing two cores with the other suites would
# make its drain times those of the neighbours' load, and its load theirs.
dotnet test Microservices.sln -c Release --filter "FullyQualifiedName!~ImageScanning.Reliability.Tests" \
  --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
reliability_budget=${RELIABILITY_BUDGET:-15m}
timeout --kill-after=30s "$reliability_budget" dotnet test tests/Reliability.Tests -c Release --no-build \
  --logger "console;verbosity=normal" 2>&1 | tee -a "$log"
reliability_status=${PIPESTATUS[0]}
# The fuzz harness (tests/Fuzzing): every target for FUZZ_SECONDS under afl-fuzz, within its own budget; a crash or a hang
# fails the run and is printed with its stack. The longer run is documented in docs/security.md ("Fuzzing").
fuzz_budget=${FUZZ_BUDGET:-6m}
timeout --kill-after=30s "$fuzz_budget" tests/Fuzzing/run.sh all "${FUZZ_SECONDS:-10}" 2>&1 | tee -a "$log"
fuzz_status=${PIPESTATUS[0]}
set -e
if [ "$reliability_status" = 124 ] || [ "$reliability_status" = 137 ]; then
  echo "tests/run.sh: the fault-injection suite (tests/Reliability.Tests) did not finish within $reliability_budget" >&2
fi
if [ "$fuzz_status" = 124 ] || [ "$fuzz_status" = 137 ]; then
  echo "tests/run.sh: the fuzz run (tests/Fuzzing/run.sh all) did not finish within $fuzz_budget" >&2
fi
[ "$status" = 0 ] && status=$reliability_status
[ "$status" = 0 ] && status=$fuzz_status

# One plain closing line summed over the test projects ("N passed, N failed, N skipped").
awk '/^Total tests:/ { in_summary = 1; next }
     in_summary && $1 == "Passed:"  { p += $2 }
     in_summary && $1 == "Failed:"  { f += $2 }
     in_summary && $1 == "Skipped:" { s += $2 }
     /Total time:/ { in_summary = 0 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
if grep -q 'MONGODB_URI is not set' "$log"; then
  echo "tests/run.sh: the MongoDB store tests were skipped: MONGODB_URI is not set and no Docker engine runs here (the SQLite stores ran)."
fi
rm -f "$log"
exit "$status"
