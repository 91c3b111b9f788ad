#!/usr/bin/env node
// The same packet as bench/codec_bench.cpp through MQTT.js's codec (mqtt-packet), for the
// comparison figure: an MQTT 5 QoS 1 PUBLISH, 27-byte topic, 64-byte payload, one user property.
// Prints one JSON line per operation with ns/op. Usage: node bench/mqtt-packet-bench.js
'use strict';
const path = require('path');
const mqtt = require(path.join(__dirname, '..', 'npm', 'node_modules', 'mqtt-packet'));

const packet = {
  cmd: 'publish',
  topic: 'home/livingroom/temperature',
  payload: Buffer.alloc(64, 'x'),
  qos: 1,
  messageId: 4242,
  retain: false,
  dup: false,
  properties: { userProperties: { source: 'sensor-7' } },
};
const opts = { protocolVersion: 5 };
const bytes = mqtt.generate(packet, opts);

function run(name, fn, iterations) {
  for (let i = 0; i < iterations / 10; i++) fn();  // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(JSON.stringify({ codec: 'mqtt-packet', op: name, ns_per_op: Math.round(ns) }));
}

run('encode_publish_v5_qos1', () => mqtt.generate(packet, opts), 500000);
const parser = mqtt.parser(opts);
let parsed = 0;
parser.on('packet', () => parsed++);
run('decode_publish_v5_qos1', () => parser.parse(bytes), 500000);
if (parsed === 0) throw new Error('mqtt-packet parsed nothing');
