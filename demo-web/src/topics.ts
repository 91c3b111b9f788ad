// The topic contract of demo-web/README.md: which topics exist and how room ids read.

/** The retained or live state topics a room's devices publish: `home/<room>/<kind>`. */
export const STATE_KINDS = [
  'status', 'temperature', 'humidity', 'light', 'thermostat', 'motion',
] as const;
export type StateKind = typeof STATE_KINDS[number];

/**
 * The room of a state topic `home/<room>/<kind>`, or undefined for anything else. Commands
 * (`.../set`, `.../get`) and replies (`.../reply/...`) have more levels and never create a
 * room: only devices announce rooms.
 */
export function roomOf(topic: string, kind: StateKind): string | undefined {
  const levels = topic.split('/');
  if (levels.length !== 3 || levels[0] !== 'home' || levels[2] !== kind) return undefined;
  return levels[1] || undefined;
}

export const topics = {
  lightSet: (room: string) => `home/${room}/light/set`,
  thermostatSet: (room: string) => `home/${room}/thermostat/set`,
  thermostatGet: (room: string) => `home/${room}/thermostat/get`,
  thermostatReply: (room: string, clientId: string) =>
    `home/${room}/thermostat/reply/${clientId}`,
};

/** `living_room` → `Living room`. */
export function roomTitle(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}
