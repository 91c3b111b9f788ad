#!/usr/bin/env bash
# The mqttws demo. Until the smart-home dashboard lands (issues 5 and 6) it sets the machine
# up, builds everything, and shows what exists today: the codec and its speed next to
# MQTT.js's codec on the same packet.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

"$here/setup.sh"
"$here/build.sh" vectors native wasm

log "codec benchmark: MQTT 5 QoS 1 PUBLISH, 27-byte topic, 64-byte payload, one user property"
"$MQTTWS_BUILD/native/bench/codec_bench" --benchmark_min_time=0.5
log "the same packet through MQTT.js's codec (mqtt-packet) under node"
node "$MQTTWS_ROOT/bench/mqtt-packet-bench.js"
