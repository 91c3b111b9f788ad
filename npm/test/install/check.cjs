// Run from a folder where the packed mqttws was npm-installed: require() gets the CJS build.
'use strict';
const { connectAsync, MqttError, MqttPayload } = require('mqttws');
const mqtt = require('mqttws').default;
const WebSocket = require(process.env.MQTTWS_WS_MODULE);

(async () => {
  if (typeof MqttError !== 'function') throw new Error('MqttError is not exported');
  if (mqtt.connectAsync !== connectAsync) throw new Error("require('mqttws').default is not the API");
  const client = await connectAsync(process.env.MQTTWS_URL, {
    username: process.env.MQTTWS_USERNAME, password: process.env.MQTTWS_PASSWORD, WebSocket,
  });
  await client.subscribeAsync('install/cjs/+', { qos: 1 });
  const got = new Promise((resolve) => client.once('message', (topic, message) =>
    resolve(`${topic}=${message.toString()} ${message instanceof MqttPayload}`)));
  await client.publishAsync('install/cjs/x', 'from require', { qos: 1 });
  const result = await got;
  await client.endAsync();
  if (result !== 'install/cjs/x=from require true') throw new Error(`unexpected ${result}`);

  // mqtt:// in Node: TCP, no WebSocket needed.
  const tcp = await connectAsync(process.env.MQTTWS_TCP_URL, {
    username: process.env.MQTTWS_USERNAME, password: process.env.MQTTWS_PASSWORD,
  });
  await tcp.subscribeAsync('install/cjs-tcp', { qos: 1 });
  const gotTcp = new Promise((resolve) => tcp.once('message', (topic, payload) =>
    resolve(`${topic}=${new TextDecoder().decode(payload)}`)));
  await tcp.publishAsync('install/cjs-tcp', 'over tcp', { qos: 1 });
  const resultTcp = await gotTcp;
  await tcp.endAsync();
  if (resultTcp !== 'install/cjs-tcp=over tcp') throw new Error(`unexpected ${resultTcp}`);
  console.log('require("mqttws"): ok (ws://, mqtt://)');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
