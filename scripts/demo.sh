#!/usr/bin/env bash
# The mqttws smart-home demo: sets up what it needs on a fresh Debian 12 machine, builds the
# device simulator and the dashboard, then runs mosquitto, the house and the dashboard until
# Ctrl-C. See --help.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

usage() {
  cat <<'HELP'
usage: scripts/demo.sh [--help]

Runs the mqttws smart-home demo on this machine:
  - mosquitto, with a WebSocket listener for the dashboard and a WSS listener (certificate
    generated at start) for the devices; anonymous access off, an ACL per user;
  - the house: living_room, kitchen, bedroom, bathroom and garage, simulated by a native C++
    program on mqttws::client, over wss://;
  - the dashboard: a web app on the mqttws npm package, at http://127.0.0.1:8080.
The first run installs what is missing (apt-get, npm) and builds everything (a few minutes).
Ctrl-C (or SIGTERM) stops everything it started. Files and logs: build/demo/.

Ports (each must be free, or the demo says which is taken and starts nothing):
  9001  broker, WebSocket, for the dashboard     MQTTWS_BROKER_PORT
  9443  broker, WSS, for the devices             MQTTWS_DEVICES_PORT
  8080  dashboard web server (127.0.0.1)         MQTTWS_DASHBOARD_PORT

Credentials (the dashboard's login form is prefilled):
  dashboard / demo   reads home/#, writes home/+/+/set and home/+/thermostat/get
  devices   / demo   writes home/#, reads home/+/+/set and home/+/thermostat/get
  MQTTWS_DEMO_PASSWORD sets the password of both (default: demo).

Other variables:
  MQTTWS_DASHBOARD_HOST  address the web server binds (default 127.0.0.1)
  MQTTWS_BUILD           build directory (default: build/)
HELP
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; die "unknown argument '$1'" ;;
esac

"$here/setup.sh" demo
MQTTWS_BUILD_QUIET=1 "$here/build.sh" demo-native npm demo
export MQTTWS_HOUSE_BINARY="$MQTTWS_BUILD/demo-native/bin/mqttws-house"
export MQTTWS_DEMO_DIR="$MQTTWS_BUILD/demo"
exec node "$MQTTWS_ROOT/demo-web/scripts/demo.mjs"
