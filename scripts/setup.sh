#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine lacks to build, test and run mqttws:
# Debian packages with apt-get, JavaScript dev dependencies with npm. Idempotent and quiet
# when everything is already there. Run as root (or with sudo available).
# Usage: scripts/setup.sh [all|demo]   (demo: only what scripts/demo.sh needs; default all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

profile=${1:-all}
# What the demo needs: the native client (device simulator), the npm package (built with
# Emscripten), the broker, and Node for the dashboard's build and web server.
packages=(
  cmake make g++ nlohmann-json3-dev               # native build; JSON for the demo's devices
  libboost1.81-dev libssl-dev openssl             # native transports; the demo's certificates
  emscripten                                      # the WebAssembly build
  xz-utils                                        # xz: the npm package's wasm, LZMA-packed
  mosquitto mosquitto-clients                     # the real broker the tests and the demo start
  nodejs                                          # npm package, Jest, code generation, demo
)
case $profile in
  demo) ;;
  all)
    packages+=(
      clang libclang-rt-14-dev                    # libFuzzer and sanitizers
      libgtest-dev libbenchmark-dev               # tests and benchmarks
      libpaho-mqtt-dev                            # Eclipse Paho C, the benchmarks' C peer
      pkgconf                                     # the package test's pkg-config consumer
      chromium                                    # browser tests (headless)
    ) ;;
  *) die "unknown setup profile '$profile' (all, demo)" ;;
esac

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

# npm dev dependencies of npm/: mqtt-packet (codec vectors), TypeScript, esbuild, Jest, ws,
# MQTT.js (interop tests), playwright-core (drives Debian's chromium; it downloads no
# browser); of demo-web/: esbuild, TypeScript, uPlot. Reinstalled only when a lock file
# changed since the last install.
npm_install() {
  local dir=$1 stamp="$1/node_modules/.mqttws-installed"
  if [[ ! -f $stamp || $dir/package-lock.json -nt $stamp || $dir/package.json -nt $stamp ]]; then
    log "installing npm dev dependencies (${dir#"$MQTTWS_ROOT"/})"
    # `npm install` with the committed lock file, not `npm ci`: npm 11 writes lock files
    # without the other platforms' optional packages (unrs-resolver's bindings, under Jest),
    # which `npm ci` then refuses as out of sync. With the lock file in place, `npm install`
    # installs exactly the locked versions and leaves the file as it is.
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$stamp"
  fi
}
npm_install "$MQTTWS_ROOT/npm"
npm_install "$MQTTWS_ROOT/demo-web"
