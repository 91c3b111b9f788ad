// Type-checked (tsc --strict, NodeNext) against the installed package's declarations.
import { connect, MqttError, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqttws';

const options: IClientOptions = {
  protocolVersion: 5,
  keepalive: 30,
  reconnect: { initialDelay: 500, maxDelay: 10000, multiplier: 2, jitter: 0.3 },
  will: { topic: 'devices/1/status', payload: 'offline', qos: 1, retain: true },
};

export function wire(url: string): MqttClient {
  const client = connect(url, options);
  client.on('message', (topic: string, payload: Uint8Array, packet: IPublishPacket) => {
    const n: number | undefined = packet.messageId;
    void [topic, payload.byteLength, n];
  });
  client.on('error', (e: MqttError) => {
    const code: string = e.code;
    const reason: number | undefined = e.reasonCode;
    void [code, reason];
  });
  client.subscribe('home/+/temperature', { qos: 1, handler: (t, p) => void [t, p] });
  void client.publishAsync('home/kitchen/light/set', '{"on":true}', { qos: 1, retain: false });
  const s: number = client.stats().inflight;
  void s;
  return client;
}

/** The Node transports' options, as MQTT.js names them. */
export function secure(ca: string, headers: Record<string, string>): MqttClient[] {
  const tls: IClientOptions = { ca, rejectUnauthorized: true, servername: 'broker.example' };
  return [
    connect('mqtts://broker.example', tls),
    connect('wss://broker.example/mqtt', { wsOptions: { headers, ca: new Uint8Array(0) } }),
    connect('mqtt://broker.example', { servers: [{ host: 'backup.example', protocol: 'mqtts' }] }),
  ];
}
