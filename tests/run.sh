#!/usr/bin/env bash
# The project's test command. On a fresh Debian machine it installs what the tests need (when root),
# starts RabbitMQ on 127.0.0.1 if it is not already up, runs every test of the solution and stops what
# it started. The tests themselves start docker-registry instances on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(rabbitmq-server docker-registry skopeo umoci debootstrap dpkg-dev)
commands=(rabbitmq-server docker-registry skopeo umoci debootstrap dpkg-deb)
missing=()
for i in "${!commands[@]}"; do
  command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
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
dotnet test Microservices.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line summed over the test projects ("N passed, N failed, N skipped").
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
grep -E '^\s+Skipped ' "$log" | sed 's/^\s*/skipped: /' | sort -u || true
rm -f "$log"
exit "$status"
