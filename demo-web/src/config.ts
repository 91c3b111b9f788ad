// The demo's runtime settings, served by the demo's own server as /config.json so that the
// same bundle works with whatever ports and credentials scripts/demo.sh chose.

export interface DemoConfig {
  /** Port of the broker's WebSocket listener, on the host that served the page. */
  brokerPort: number;
  username: string;
  password: string;
  /** How long a command waits for the device's confirmation before it is reverted. */
  commandTimeoutMs: number;
  /** MQTT keep alive in seconds (short, so that the RTT display gets pings often). */
  keepalive: number;
}

const DEFAULTS: DemoConfig = {
  brokerPort: 9001,
  username: 'dashboard',
  password: 'demo',
  commandTimeoutMs: 5000,
  keepalive: 10,
};

/** The settings; the defaults (with a console warning) when /config.json is unusable. */
export async function loadConfig(): Promise<DemoConfig> {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return merge(await response.json() as unknown);
  } catch (error) {
    console.warn('cannot load /config.json, using the defaults:', error);
    return { ...DEFAULTS };
  }
}

/** The defaults overridden by every well-typed field of `json`. */
function merge(json: unknown): DemoConfig {
  const c = { ...DEFAULTS };
  if (typeof json !== 'object' || json === null) return c;
  const j = json as Record<string, unknown>;
  const num = (v: unknown, ok: (n: number) => boolean) =>
    typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : undefined;
  c.brokerPort = num(j.brokerPort, (n) => Number.isInteger(n) && n > 0 && n < 65536) ??
                 c.brokerPort;
  c.commandTimeoutMs = num(j.commandTimeoutMs, (n) => n > 0) ?? c.commandTimeoutMs;
  c.keepalive = num(j.keepalive, (n) => Number.isInteger(n) && n >= 0) ?? c.keepalive;
  if (typeof j.username === 'string') c.username = j.username;
  if (typeof j.password === 'string') c.password = j.password;
  return c;
}

/** The broker's URL: same host as the page, wss: when the page itself came over https. */
export function brokerUrl(port: number): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.hostname || 'localhost'}:${port}`;
}
