// Run from a folder where the packed mqttws was npm-installed: import gets the ESM build.
import { connectAsync } from 'mqttws';

const { default: WebSocket } = await import(process.env.MQTTWS_WS_MODULE);
const client = await connectAsync(process.env.MQTTWS_URL, {
  username: process.env.MQTTWS_USERNAME, password: process.env.MQTTWS_PASSWORD, WebSocket,
  protocolVersion: 5,
});
await client.subscribeAsync('install/esm/#', { qos: 2 });
const got = new Promise((resolve) => client.once('message', (topic, payload, packet) =>
  resolve(`${topic}=${new TextDecoder().decode(payload)} qos${packet.qos}`)));
await client.publishAsync('install/esm/y', 'from import', { qos: 2 });
const result = await got;
await client.endAsync();
if (result !== 'install/esm/y=from import qos2') throw new Error(`unexpected ${result}`);
console.log('import "mqttws": ok');
