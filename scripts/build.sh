#!/usr/bin/env bash
# Builds mqttws: native (Release) into build/native, WebAssembly (Debug) into build/wasm, the npm
# package (npm/dist and build/mqttws-<version>.tgz) and the mqtt-packet byte vectors into
# build/mqtt-packet-vectors.json; on request also the sanitizer and fuzzer builds. Expects
# scripts/setup.sh to have run.
# Usage: scripts/build.sh [vectors|native|wasm|npm|sanitize|fuzz|demo-native|demo|bench]...
#        (default: vectors native wasm npm)
#   demo-native  only the demo's device simulator, in build/demo-native (no tests or tools)
#   demo         the dashboard (demo-web/dist), with the npm package installed from its tarball
#   bench        the CLI and the benchmark programs, in build/bench (no tests)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

targets=("$@")
((${#targets[@]})) || targets=(vectors native wasm npm)

build_vectors() {
  local out="$MQTTWS_BUILD/mqtt-packet-vectors.json"
  local gen="$MQTTWS_ROOT/scripts/gen-mqtt-packet-vectors.js"
  local src="$MQTTWS_ROOT/npm/node_modules/mqtt-packet/test.js"
  if [[ ! -f $out || $gen -nt $out || $src -nt $out ]]; then
    log "generating mqtt-packet byte vectors"
    mkdir -p "$MQTTWS_BUILD"
    node "$gen" "$out.tmp" 2>/dev/null && mv "$out.tmp" "$out"
  fi
}

# configure_and_build NAME [configure-prefix...] -- [cmake args...]: quiet on success, the
# whole log on failure.
configure_and_build() {
  local name=$1 dir="$MQTTWS_BUILD/$1" logf="$MQTTWS_BUILD/$1.log"
  shift
  local prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  mkdir -p "$MQTTWS_BUILD"
  if ! { "${prefix[@]}" cmake -S "$MQTTWS_ROOT" -B "$dir" "$@" &&
         cmake --build "$dir" -j "$MQTTWS_JOBS"; } >"$logf" 2>&1; then
    cat "$logf" >&2
    die "$name build failed (log: $logf)"
  fi
}

build_native() {
  log "native build (build/native)"
  configure_and_build native -- -DCMAKE_BUILD_TYPE=Release -DMQTTWS_WERROR=ON
}

# The core tests compiled with em++ and run by node. Debug (-O0, assertions on): 1 minute to
# build where Release took 3.7 (the optimiser on 1100 tests and wasm-opt on the result), and
# 20 s to run; the optimised core is what the npm package ships and its tests use.
build_wasm() {
  log "WebAssembly build (build/wasm)"
  configure_and_build wasm emcmake -- -DCMAKE_BUILD_TYPE=Debug -DMQTTWS_WERROR=ON
}

# The npm package: the wasm module linked size-optimised (-Oz, full LTO — Debian ships no
# thin-LTO system libraries —, no RTTI) in build/npm-wasm,
# bundled with the TypeScript wrapper into npm/dist (which prints the browser download size),
# then packed into build/mqttws-<version>.tgz.
build_npm() {
  log "npm package (build/npm-wasm, npm/dist, build/mqttws-*.tgz)"
  configure_and_build npm-wasm emcmake -- -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DMQTTWS_BUILD_TESTS=OFF -DMQTTWS_WERROR=ON "-DCMAKE_CXX_FLAGS=-fno-rtti -flto" \
    -DCMAKE_EXE_LINKER_FLAGS=-flto "-DCMAKE_CXX_FLAGS_MINSIZEREL=-Oz -DNDEBUG"
  (cd "$MQTTWS_ROOT/npm" && node scripts/build.mjs "$MQTTWS_BUILD/npm-wasm/wasm") ||
    die "npm package build failed"
  rm -f "$MQTTWS_BUILD"/mqttws-*.tgz
  (cd "$MQTTWS_ROOT/npm" && npm pack --silent --pack-destination "$MQTTWS_BUILD" >/dev/null) ||
    die "npm pack failed"
}

# The demo's devices alone: what scripts/demo.sh needs, without the test suites' build.
build_demo_native() {
  log "demo devices (build/demo-native/bin/mqttws-house)"
  mkdir -p "$MQTTWS_BUILD"
  local dir="$MQTTWS_BUILD/demo-native" logf="$MQTTWS_BUILD/demo-native.log"
  if ! { cmake -S "$MQTTWS_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DMQTTWS_BUILD_TESTS=OFF \
           -DMQTTWS_BUILD_BENCH=OFF -DMQTTWS_BUILD_TOOLS=OFF &&
         cmake --build "$dir" -j "$MQTTWS_JOBS" --target mqttws-house; } >"$logf" 2>&1; then
    cat "$logf" >&2
    die "demo devices build failed (log: $logf)"
  fi
}

# The dashboard, bundled the way a user's app would be: the npm package is installed into
# demo-web/node_modules from the packed tarball (build/mqttws-*.tgz, made by the npm target),
# without recording it in package.json or the lock file.
build_demo() {
  log "demo dashboard (demo-web/dist)"
  local tgz
  tgz=$(ls "$MQTTWS_BUILD"/mqttws-*.tgz 2>/dev/null) || die "no npm tarball: build the npm target first"
  (cd "$MQTTWS_ROOT/demo-web" &&
     npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$tgz" >/dev/null &&
     node build.mjs) || die "dashboard build failed"
}

# What bench/run needs, without the test suites: the CLI and the benchmark programs
# (Release), in build/bench.
build_bench() {
  log "benchmark programs (build/bench)"
  mkdir -p "$MQTTWS_BUILD"
  local dir="$MQTTWS_BUILD/bench" logf="$MQTTWS_BUILD/bench.log"
  if ! { cmake -S "$MQTTWS_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DMQTTWS_BUILD_TESTS=OFF \
           -DMQTTWS_WERROR=ON &&
         cmake --build "$dir" -j "$MQTTWS_JOBS" --target mqttws codec_bench ceiling bench_peer \
           paho_bench connections_bench routing_bench; } >"$logf" 2>&1; then
    cat "$logf" >&2
    die "benchmark build failed (log: $logf)"
  fi
}

# Core tests under AddressSanitizer and UndefinedBehaviorSanitizer (clang).
build_sanitize() {
  log "sanitizer build (build/sanitize)"
  configure_and_build sanitize env CXX=clang++ -- -DCMAKE_BUILD_TYPE=Debug \
    -DMQTTWS_BUILD_BENCH=OFF -DMQTTWS_SANITIZE=ON
}

# libFuzzer targets (clang).
build_fuzz() {
  log "fuzzer build (build/fuzz)"
  configure_and_build fuzz env CXX=clang++ -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMQTTWS_BUILD_TESTS=OFF -DMQTTWS_BUILD_BENCH=OFF -DMQTTWS_BUILD_CLIENT=OFF \
    -DMQTTWS_BUILD_FUZZERS=ON
}

for t in "${targets[@]}"; do
  case $t in
    native) build_native ;;
    wasm) build_wasm ;;
    npm) build_npm ;;
    vectors) build_vectors ;;
    sanitize) build_sanitize ;;
    fuzz) build_fuzz ;;
    demo-native) build_demo_native ;;
    demo) build_demo ;;
    bench) build_bench ;;
    *) die "unknown target '$t' (native, wasm, npm, vectors, sanitize, fuzz, demo-native, demo, bench)" ;;
  esac
done

[[ ${MQTTWS_BUILD_QUIET:-} == 1 ]] && exit 0
cat >&2 <<INFO
artifacts:
  native core library   $MQTTWS_BUILD/native/core/libmqttws_core.a
  native client library $MQTTWS_BUILD/native/transport/libmqttws_client.a
  command-line tool     $MQTTWS_BUILD/native/bin/mqttws
  demo devices          $MQTTWS_BUILD/native/bin/mqttws-house (demo-native: build/demo-native/bin)
  demo dashboard        $MQTTWS_ROOT/demo-web/dist
  native tests          $MQTTWS_BUILD/native/tests/core_tests, tests/transport/client_tests,
                        tests/transport/stream_transport_fail_tests, tests/tools/cli_tests,
                        tests/support/support_tests (ctest runs them)
  codec benchmark       $MQTTWS_BUILD/native/bench/codec_bench
  wasm core library     $MQTTWS_BUILD/wasm/core/libmqttws_core.a
  wasm tests (node)     $MQTTWS_BUILD/wasm/tests/core_tests.js
  npm package           $MQTTWS_BUILD/mqttws-*.tgz (npm/dist; size: npm/dist/size.json)
  fuzzer (if built)     $MQTTWS_BUILD/fuzz/tests/fuzz/stream_decoder_fuzzer
  mqtt-packet vectors   $MQTTWS_BUILD/mqtt-packet-vectors.json
INFO
