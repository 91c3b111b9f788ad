#!/usr/bin/env bash
# Package install test: `npm install build/mqttws-*.tgz` into an empty folder, then use it
# from CommonJS, from an ES module (both against a real mosquitto, over ws:// and mqtt://) and
# from TypeScript
# (type check with the package's declarations), then the examples/ of the npm package (Node and
# a browser page in headless Chromium), then a web app bundled by Vite and by esbuild using
# shared: true in two Chromium tabs. Usage: run.sh <mqttws-x.y.z.tgz>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
npm_dir="$(cd "$here/../.." && pwd)"
tgz="$(realpath "$1")"
dir="$(mktemp -d /tmp/mqttws-install-XXXXXX)"
trap 'rm -rf "$dir"' EXIT

cd "$dir"
printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$tgz" >/dev/null
[[ -z "$(ls node_modules | grep -v '^mqttws$' | grep -v '^\.')" ]] ||
  { echo "the package pulled in dependencies: $(ls node_modules)" >&2; exit 1; }
cp "$here/check.cjs" "$here/check.mjs" "$here/consumer.ts" .

# The user's WebSocket for Node (the `ws` package, from the dev dependencies).
export MQTTWS_WS_MODULE="$npm_dir/node_modules/ws/index.js"
node --input-type=commonjs -e '
  const { Broker } = require(process.argv[1]);
  const { spawnSync } = require("node:child_process");
  (async () => {
    const b = await Broker.start();
    const env = { ...process.env, MQTTWS_URL: b.url, MQTTWS_TCP_URL: b.urls.mqtt,
                  MQTTWS_USERNAME: b.username, MQTTWS_PASSWORD: b.password };
    let rc = 0;
    for (const f of ["check.cjs", "check.mjs"]) {
      rc ||= spawnSync(process.execPath, [f], { stdio: "inherit", env }).status;
    }
    await b.close();
    process.exit(rc);
  })();' "$npm_dir/test/broker.js"
node "$npm_dir/node_modules/typescript/bin/tsc" --noEmit --strict --skipLibCheck false \
  --module nodenext --moduleResolution nodenext --target es2022 --lib es2022,dom consumer.ts
echo "TypeScript consumer: ok"

# The examples, as a user copies them next to the installed package.
examples="$npm_dir/../examples"
cp "$examples/node/sensor.mjs" "$examples/browser/index.html" "$examples/browser/main.mjs" .
node "$here/examples.mjs" "$dir"

# The package bundled by Vite and by esbuild, shared: true across two tabs in Chromium.
node "$here/bundlers.mjs" "$dir"
