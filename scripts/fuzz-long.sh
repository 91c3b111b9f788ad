#!/usr/bin/env bash
# Long fuzzing runs, outside scripts/test.sh: the stream decoder and the session, each for
# SECONDS (default 1800), on every core. Crashes are written to build/fuzz/long/<target>/ as
# crash-* files; turn each into a regression test (tests/core) before fixing it.
# Usage: scripts/fuzz-long.sh [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

seconds=${1:-1800}
"$here/setup.sh"
"$here/build.sh" vectors fuzz
dir="$MQTTWS_BUILD/fuzz"
node "$MQTTWS_ROOT/scripts/fuzz-seeds.js" "$MQTTWS_BUILD/mqtt-packet-vectors.json" "$dir/seeds"
status=0
for target in stream_decoder session; do
  out="$dir/long/$target"
  mkdir -p "$out/corpus"
  seeds="$dir/seeds"
  [[ $target == session ]] && seeds="$MQTTWS_ROOT/tests/fuzz/session_corpus"
  log "fuzzing $target for $seconds s on $MQTTWS_JOBS jobs (crashes: $out)"
  (cd "$out" && "$dir/tests/fuzz/${target}_fuzzer" -max_total_time="$seconds" -max_len=4096 \
     -jobs="$MQTTWS_JOBS" -workers="$MQTTWS_JOBS" -print_final_stats=1 corpus "$seeds" \
     >fuzz.log 2>&1) || status=1
  ls "$out"/crash-* 2>/dev/null && status=1
done
exit $status
