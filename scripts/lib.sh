# Shared by the scripts in this folder: paths, logging and the Emscripten environment.
# shellcheck shell=bash
MQTTWS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MQTTWS_BUILD="${MQTTWS_BUILD:-$MQTTWS_ROOT/build}"
MQTTWS_JOBS="${MQTTWS_JOBS:-$(nproc)}"

# Each step is stamped with the time since the outermost script started (shared by the
# scripts it calls), so a slow CI run says which step took the time.
export MQTTWS_T0="${MQTTWS_T0:-$(date +%s)}"
log() {
  local t=$(($(date +%s) - MQTTWS_T0))
  printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((t / 60)) $((t % 60)) "$*" >&2
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian's Emscripten 3.1.6 finds acorn and friends only through NODE_PATH.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
# Debian's Emscripten uses its own prebuilt, frozen system-library cache: leave EM_CACHE alone.
