// A sensor and a dashboard in one Node process (npm install mqttws): the sensor publishes a
// retained QoS 1 reading; a dashboard that connects later still gets it, from the broker's
// retained store, and asks the sensor for a fresh one with MQTT 5 request/response.
//
//   MQTTWS_URL=mqtt://localhost:1883 node sensor.mjs
//
// mqtt:// and mqtts:// need nothing else in Node; for ws:// or wss:// pass a WebSocket class
// (`import WebSocket from 'ws'`, option `WebSocket`) where Node has no global one.
import { connectAsync } from 'mqttws';

const url = process.env.MQTTWS_URL ?? 'mqtt://localhost:1883';
const auth = { username: process.env.MQTTWS_USERNAME, password: process.env.MQTTWS_PASSWORD };

const sensor = await connectAsync(url, { ...auth, protocolVersion: 5, clientId: 'example-sensor' });
await sensor.publishAsync('examples/kitchen/temperature', '21.5', { qos: 1, retain: true });
// Answer requests on examples/kitchen/temperature/get with the current reading.
await sensor.subscribeAsync('examples/kitchen/temperature/get', {
  qos: 1,
  handler: (topic, payload, packet) => {
    const { responseTopic, correlationData } = packet.properties ?? {};
    if (responseTopic) {
      sensor.publish(responseTopic, '21.7', { qos: 1, properties: { correlationData } });
    }
  },
});

const dashboard = await connectAsync(url, { ...auth, protocolVersion: 5 });
const retained = new Promise((resolve) =>
  dashboard.once('message', (topic, payload, packet) => resolve({ topic, payload, packet })));
await dashboard.subscribeAsync('examples/kitchen/+', { qos: 1 });
const first = await retained;
console.log(`${first.topic} ${first.payload} (retained: ${first.packet.retain})`);

const answer = await dashboard.request('examples/kitchen/temperature/get', '', { timeout: 5000 });
console.log(`fresh reading ${answer.payload.toString()}`);

// Clear the retained reading (an empty retained payload) and end both clients.
await sensor.publishAsync('examples/kitchen/temperature', '', { qos: 1, retain: true });
await Promise.all([dashboard.endAsync(), sensor.endAsync()]);
console.log('done');
