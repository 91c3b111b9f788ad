// Decoding of the device payloads of demo-web/README.md. Payloads arrive as bytes; anything
// that does not parse yields undefined, so a malformed message changes nothing on screen
// (it still shows in the activity log).

const utf8 = new TextDecoder();  // not fatal: invalid UTF-8 shows as U+FFFD

export function text(payload: Uint8Array): string {
  return utf8.decode(payload);
}

export type DeviceStatus = 'online' | 'offline';

export interface LightState {
  on: boolean;
  brightness: number;
}

export interface ThermostatState {
  target: number;
}

/** What `home/<room>/thermostat/get` answers. */
export interface ThermostatInfo {
  target?: number;
  current?: number;
  mode?: string;
  min?: number;
  max?: number;
}

function json(payload: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text(payload));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `21.4` → 21.4 (temperature, humidity). */
export function parseNumber(payload: Uint8Array): number | undefined {
  const s = text(payload).trim();
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function parseStatus(payload: Uint8Array): DeviceStatus | undefined {
  const s = text(payload).trim();
  return s === 'online' || s === 'offline' ? s : undefined;
}

/** `{"on":true,"brightness":80}`; both fields are required. */
export function parseLight(payload: Uint8Array): LightState | undefined {
  const j = json(payload);
  const brightness = finite(j?.brightness);
  if (typeof j?.on !== 'boolean' || brightness === undefined) return undefined;
  return { on: j.on, brightness };
}

/** `{"target":21.5}`. */
export function parseThermostat(payload: Uint8Array): ThermostatState | undefined {
  const target = finite(json(payload)?.target);
  return target === undefined ? undefined : { target };
}

/** `{"detected":true}`: whether the sensor fired (a `false` is not a motion). */
export function parseMotion(payload: Uint8Array): boolean {
  return json(payload)?.detected !== false;
}

export function parseThermostatInfo(payload: Uint8Array): ThermostatInfo | undefined {
  const j = json(payload);
  if (!j) return undefined;
  const info: ThermostatInfo = {};
  const set = (key: 'target' | 'current' | 'min' | 'max') => {
    const n = finite(j[key]);
    if (n !== undefined) info[key] = n;
  };
  set('target');
  set('current');
  set('min');
  set('max');
  if (typeof j.mode === 'string') info.mode = j.mode;
  return info;
}
