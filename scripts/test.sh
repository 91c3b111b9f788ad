#!/usr/bin/env bash
# Sets up a fresh machine, builds everything and runs every test suite:
#   native core tests (ctest), the same core tests compiled with em++ and run by node,
#   the core tests under ASan+UBSan (clang), libFuzzer smoke runs of the stream decoder and
#   of the session (scripts/fuzz-long.sh runs them for longer),
#   for the npm package: Jest against mosquitto in Node, headless Chromium, and an
#   install of the packed tarball into an empty folder; and the demo end to end (headless
#   Chromium driving the dashboard against mosquitto and the native devices).
# Exits non-zero if anything fails. MQTTWS_FUZZ_SECONDS sets the fuzz run (default 30).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

"$here/setup.sh"
"$here/build.sh" vectors native wasm npm demo sanitize fuzz

failures=()
run() {
  local name=$1
  shift
  log "$name"
  if ! "$@"; then
    failures+=("$name")
  fi
}

fuzz_smoke() {
  local dir="$MQTTWS_BUILD/fuzz"
  node "$MQTTWS_ROOT/scripts/fuzz-seeds.js" "$MQTTWS_BUILD/mqtt-packet-vectors.json" "$dir/seeds"
  mkdir -p "$dir/corpus"
  "$dir/tests/fuzz/stream_decoder_fuzzer" -max_total_time="${MQTTWS_FUZZ_SECONDS:-30}" \
    -max_len=4096 -print_final_stats=1 "$dir/corpus" "$dir/seeds" 2>"$dir/fuzz.log" || {
    tail -n 60 "$dir/fuzz.log" >&2
    return 1
  }
  grep -E '^(Done|stat::number_of_executed_units)' "$dir/fuzz.log" >&2
  # The session, against a broker the fuzzer plays (tests/fuzz/session_fuzzer.cpp), from the
  # committed corpus; new inputs go to the build directory.
  mkdir -p "$dir/session-corpus"
  "$dir/tests/fuzz/session_fuzzer" -max_total_time="${MQTTWS_FUZZ_SECONDS:-30}" -max_len=2048 \
    -print_final_stats=1 "$dir/session-corpus" "$MQTTWS_ROOT/tests/fuzz/session_corpus" \
    2>"$dir/session-fuzz.log" || {
    tail -n 60 "$dir/session-fuzz.log" >&2
    return 1
  }
  grep -E '^(Done|stat::number_of_executed_units)' "$dir/session-fuzz.log" >&2
}

# Suites run two at a time and Jest's files four at a time: they mostly wait (on mosquitto,
# on timers, on cut links) — client_tests and cli_tests take 70 s each on 13 s of CPU between
# them — so CI takes half as long, with the same tests.
ctest_in() { ctest --test-dir "$MQTTWS_BUILD/$1" --output-on-failure --timeout 600 -j 2; }
# 2000 random-session seeds instead of 10000 under the sanitizers (about 20x slower there).
sanitize_tests() { (export MQTTWS_RANDOM_SEEDS=2000 && ctest_in sanitize); }

npm_jest() { (cd "$MQTTWS_ROOT/npm" && node node_modules/jest/bin/jest.js --ci --maxWorkers=4); }
npm_browser() {
  node "$MQTTWS_ROOT/npm/test/browser/run.mjs" && node "$MQTTWS_ROOT/npm/test/browser/recovery.mjs" &&
    node "$MQTTWS_ROOT/npm/test/browser/persistence.mjs" &&
    node --test-reporter=spec "$MQTTWS_ROOT/npm/test/browser/shared.mjs"
}
demo_e2e() {
  (export MQTTWS_HOUSE_BINARY="$MQTTWS_BUILD/native/bin/mqttws-house" &&
     node --test --test-reporter=spec "$MQTTWS_ROOT/demo-web/test/e2e.test.mjs")
}
# The benchmarks still run (figures are not checked: targets live in bench/, not in tests).
bench_smoke() {
  MQTTWS_BENCH_BUILD="$MQTTWS_BUILD/native" node "$MQTTWS_ROOT/bench/run.mjs" --quick \
    >"$MQTTWS_BUILD/bench-smoke.log" 2>&1 || {
    tail -n 30 "$MQTTWS_BUILD/bench-smoke.log" >&2
    return 1
  }
}
npm_install_test() {
  local tgz
  tgz=$(ls "$MQTTWS_BUILD"/mqttws-*.tgz) || return 1
  "$MQTTWS_ROOT/npm/test/install/run.sh" "$tgz"
}

run "native tests" ctest_in native
run "wasm tests (node)" ctest_in wasm
run "sanitizer tests (ASan+UBSan)" sanitize_tests
run "npm: jest tests (Node, mosquitto over ws)" npm_jest
run "npm: browser test (headless Chromium)" npm_browser
run "npm: package install test" npm_install_test
run "demo: end to end (headless Chromium, mosquitto, native devices)" demo_e2e
run "bench smoke (bench/run.mjs --quick)" bench_smoke
run "fuzz smoke (decoder and session, ${MQTTWS_FUZZ_SECONDS:-30} s each)" fuzz_smoke

if ((${#failures[@]})); then
  printf '\nFAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
printf '\nall test suites passed\n' >&2
