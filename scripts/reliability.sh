#!/usr/bin/env bash
# Regenerates RELIABILITY.md: runs the reliability tests (native client, CLI, npm package,
# the session on a simulated link) and the MQTT.js comparison, and writes their figures into
# the table. Needs the native and npm builds (scripts/build.sh native npm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

b="$MQTTWS_BUILD/native"
# Both links cut: the subscriber's too (the suite's gate cuts the publisher's only).
export MQTTWS_RELIABILITY_CUT_SUBSCRIBER=1
out="$MQTTWS_BUILD/reliability.log"
: >"$out"
log "session on a simulated link (core_tests)"
"$b/tests/core_tests" --gtest_filter='SessionPacing.a_10000*' | grep '^\[ lossy link \]' >>"$out"
log "native client through the fault proxy (client_tests)"
"$b/tests/transport/client_tests" --gtest_filter='*client_reliability*:*AStalledLink*:*client_flood*' |
  grep '^\[ reliability \]' >>"$out"
log "native client over mqtt://, ${MQTTWS_RELIABILITY_SEEDS:=50} seeds each for QoS 1 and QoS 2"
# A measurement, not a gate: the summary line says how many seeds fell short.
{ MQTTWS_RELIABILITY_SEEDS=$MQTTWS_RELIABILITY_SEEDS "$b/tests/transport/client_tests" \
    --gtest_filter='*client_reliability*mqtt_*' || true; } | grep '^\[ reliability \].*sweep' >>"$out"
log "mqttws CLI through the fault proxy (cli_tests)"
"$b/tests/tools/cli_tests" --gtest_filter='*CuttingLink*' | grep '^\[ reliability \]' >>"$out"
log "npm package through the fault proxy (jest)"
(cd "$MQTTWS_ROOT/npm" && node node_modules/jest/bin/jest.js --ci --runInBand \
   test/reliability.test.js test/flood.test.js 2>&1) | grep -o '\[reliability\] .*' >>"$out"
log "MQTT.js as the subscriber, for comparison (90 s)"
node "$here/reliability-mqttjs.js" | sed 's/^/[mqttjs] /' >>"$out"
node "$here/reliability-table.mjs" "$out" "$MQTTWS_ROOT/RELIABILITY.md"
log "wrote RELIABILITY.md"
