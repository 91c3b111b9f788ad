#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine lacks to build, test and run mqttws:
# Debian packages with apt-get, JavaScript dev dependencies with npm. Idempotent and quiet
# when everything is already there. Run as root (or with sudo available).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

packages=(
  cmake make g++ clang libclang-rt-14-dev        # toolchains; clang for libFuzzer/sanitizers
  libgtest-dev libbenchmark-dev nlohmann-json3-dev  # tests and benchmarks
  libboost1.81-dev libssl-dev openssl             # native transports
  emscripten                                      # the WebAssembly build
  mosquitto mosquitto-clients                     # the real broker the tests start
  nodejs                                          # npm package, Jest, code generation
  chromium                                        # the npm package's browser test (headless)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
command -v npm >/dev/null || die "npm not found (Node.js 20 with npm is expected on this machine)"

# npm dev dependencies: mqtt-packet (codec vectors), TypeScript, esbuild, Jest, ws, MQTT.js
# (interop tests), playwright-core (drives Debian's chromium; it downloads no browser).
# Reinstalled only when the lock file changed since the last install.
npm_dir="$MQTTWS_ROOT/npm"
stamp="$npm_dir/node_modules/.mqttws-installed"
if [[ ! -f $stamp || $npm_dir/package-lock.json -nt $stamp || $npm_dir/package.json -nt $stamp ]]; then
  log "installing npm dev dependencies"
  # `npm install` with the committed lock file, not `npm ci`: npm 11 writes lock files
  # without the other platforms' optional packages (unrs-resolver's bindings, under Jest),
  # which `npm ci` then refuses as out of sync. With the lock file in place, `npm install`
  # installs exactly the locked versions and leaves the file as it is.
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$stamp"
fi
