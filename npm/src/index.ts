// mqttws — MQTT 3.1.1/5.0 over WebSocket for browsers and Node, on the same C++ core as
// native apps (compiled to WebAssembly). API shaped like MQTT.js.

import * as mqtt from './mqtt.js';

export * from './mqtt.js';

/**
 * The API as one object, for MQTT.js-style imports: `import mqtt from 'mqttws'` (or
 * `require('mqttws').default`), then `mqtt.connect(...)`, `mqtt.MqttError`; the types are
 * there too (`mqtt.IClientOptions`, `mqtt.MqttClient`, ...).
 */
export default mqtt;
