// Type-checked (tsc --strict, NodeNext) against the installed package's declarations.
import mqtt, {
  connect, MqttError, MqttPayload, type IClientOptions, type IPublishPacket, type MqttClient,
  type PayloadEncoding,
} from 'mqttws';

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
  // MQTT.js code: the payload reads as text.
  client.on('message', (topic, message) => {
    const data = JSON.parse(message.toString()) as { on: boolean };
    const same: MqttPayload = message;
    const text: string = same.text();
    const parsed = same.json<{ on: boolean }>();
    const hex: string = message.toString('hex');
    const encoding: PayloadEncoding = 'base64';
    const part: MqttPayload = message.subarray(0, 2);
    void [topic, data.on, text, parsed.on, hex, message.toString(encoding), part];
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

// MQTT.js style: the default export, its types, and connect(options).
export function wireByOptions(): mqtt.MqttClient {
  const byOptions: mqtt.IClientOptions = {
    protocol: 'wss', host: 'broker.example', port: 8884, path: '/mqtt', keepalive: 30,
  };
  const client = mqtt.connect(byOptions);
  void mqtt.connectAsync({ hostname: 'localhost', port: 9001, protocol: 'ws:' });
  void mqtt.connectAsync('ws://localhost:9001', { path: '/ws' });
  client.on('message', (topic, message, packet: mqtt.IPublishPacket) => {
    const payload: mqtt.MqttPayload = packet.payload;
    void [topic, payload === message];
  });
  const error: mqtt.MqttError = new mqtt.MqttError('x', 'y');
  void error;
  return client;
}

// client.state(): a ReadonlyMap of payloads, or of what parse makes of them, for UI stores.
export function dashboard(client: MqttClient): () => void {
  const raw: mqtt.StateView = client.state('home/#', { qos: 1 });
  const first: MqttPayload | undefined = raw.get('home/kitchen/temp');
  const temps = client.state('home/+/temp', { parse: (payload, topic) =>
    (topic.endsWith('/temp') ? Number(payload.toString()) : undefined) });
  const celsius: number | undefined = temps.get('home/kitchen/temp');
  const map: ReadonlyMap<string, number> = temps;
  const snapshot: ReadonlyMap<string, number> = temps.getSnapshot();
  for (const [topic, value] of temps) void [topic.length, value.toFixed(1)];
  const topics: string[] = [...temps.keys()];
  const listener: mqtt.StateListener<number> = (s) => void s.size;
  const unsubscribe: () => void = temps.subscribe(listener);
  const options: mqtt.ParsedStateOptions<string> = { parse: (p) => p.text() };
  const texts: mqtt.StateView<string> = client.state('notes/#', options);
  void [first, celsius, map.size, snapshot, topics, texts.ready, texts.error?.code, raw.filter];
  return () => {
    unsubscribe();
    temps.close();
    raw.close();
    texts.close();
  };
}

// The store option: 'indexeddb', or indexedDbStore(name) (mqttws only).
export function persistent(url: string): MqttClient[] {
  const named: IClientOptions['store'] = mqtt.indexedDbStore('my-app');
  return [
    connect(url, { clientId: 'panel-1', clean: false, store: 'indexeddb' }),
    connect(url, { clientId: 'panel-2', clean: false, store: named }),
  ];
}
