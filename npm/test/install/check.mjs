// Run from a folder where the packed mqttws was npm-installed: import gets the ESM build.
import mqtt, { connectAsync } from 'mqttws';

const { default: WebSocket } = await import(process.env.MQTTWS_WS_MODULE);
if (mqtt.connectAsync !== connectAsync) throw new Error("import mqtt from 'mqttws' is not the API");
// MQTT.js style: the default export and connect(options).
const { hostname, port } = new URL(process.env.MQTTWS_URL);
const client = await mqtt.connectAsync({
  protocol: 'ws', hostname, port: Number(port),
  username: process.env.MQTTWS_USERNAME, password: process.env.MQTTWS_PASSWORD, WebSocket,
  protocolVersion: 5,
});
await client.subscribeAsync('install/esm/#', { qos: 2 });
const got = new Promise((resolve) => client.once('message', (topic, message, packet) =>
  resolve(`${topic}=${message} qos${packet.qos}`)));
await client.publishAsync('install/esm/y', 'from import', { qos: 2 });
const result = await got;
await client.endAsync();
if (result !== 'install/esm/y=from import qos2') throw new Error(`unexpected ${result}`);

// mqtt:// in Node: TCP, no WebSocket needed.
const tcp = await connectAsync(process.env.MQTTWS_TCP_URL, {
  username: process.env.MQTTWS_USERNAME, password: process.env.MQTTWS_PASSWORD,
});
await tcp.subscribeAsync('install/esm-tcp', { qos: 2 });
const gotTcp = new Promise((resolve) => tcp.once('message', (topic, payload) =>
  resolve(`${topic}=${new TextDecoder().decode(payload)}`)));
await tcp.publishAsync('install/esm-tcp', 'over tcp', { qos: 2 });
const resultTcp = await gotTcp;
await tcp.endAsync();
if (resultTcp !== 'install/esm-tcp=over tcp') throw new Error(`unexpected ${resultTcp}`);
console.log('import "mqttws": ok (ws://, mqtt://)');
