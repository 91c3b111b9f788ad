// What the dashboard subscribes to: one live view of home/# (client.state: the last message
// of every topic under it, retained and live), which keeps the room cards; the same
// subscription's messages, one by one, feed the activity log and the motion pulses (a view
// holds the last payload, and a repeated "motion" is a new event). QoS 0: the devices' state
// is retained and refreshed often, so a lost update is soon replaced.

import type { MqttClient, MqttPayload } from 'mqttws';
import type { ActivityLog } from './activity_log.js';
import {
  parseLight, parseMotion, parseNumber, parseStatus, parseThermostat,
} from './payloads.js';
import type { RoomCard } from './room_card.js';
import type { Rooms } from './rooms.js';
import { roomOf, STATE_KINDS, type StateKind } from './topics.js';

/** How each state topic updates its room's card; a payload that does not parse changes nothing. */
const APPLY: Record<StateKind, (card: RoomCard, payload: Uint8Array) => void> = {
  status: (card, p) => {
    const s = parseStatus(p);
    if (s) card.setStatus(s);
  },
  temperature: (card, p) => {
    const n = parseNumber(p);
    if (n !== undefined) card.setTemperature(n);
  },
  humidity: (card, p) => {
    const n = parseNumber(p);
    if (n !== undefined) card.setHumidity(n);
  },
  light: (card, p) => {
    const s = parseLight(p);
    if (s) card.setLight(s);
  },
  thermostat: (card, p) => {
    const s = parseThermostat(p);
    if (s) card.setThermostat(s);
  },
  motion: (card, p) => {
    if (parseMotion(p)) card.motion(new Date());
  },
};

/** Returns a function that stops watching (closes the view, removes the listener). */
export function subscribeHome(client: MqttClient, rooms: Rooms, log: ActivityLog,
                              notify: (message: string) => void): () => void {
  const home = client.state('home/#');
  home.ready.catch((error: { code?: string; message: string }) => {
    // Errors from the client ending under the subscription are not the user's concern.
    if (error.code === 'session_closed' || error.code === 'invalid_state') return;
    notify(`Cannot subscribe to home/#: ${error.message}`);
  });

  // The cards: what changed since the last snapshot (an unchanged topic keeps its payload
  // object). An empty payload deletes a topic from the view: it announces no device.
  let shown: ReadonlyMap<string, MqttPayload> = new Map();
  const stopCards = home.subscribe((snapshot) => {
    for (const [topic, payload] of snapshot) {
      if (shown.get(topic) === payload) continue;
      for (const kind of STATE_KINDS) {
        const room = kind === 'motion' ? undefined : roomOf(topic, kind);
        if (room !== undefined) APPLY[kind](rooms.card(room), payload);
      }
    }
    shown = snapshot;
  });

  const onMessage = (topic: string, payload: MqttPayload, packet: Parameters<ActivityLog['add']>[2]) => {
    if (!topic.startsWith('home/')) return;
    log.add(topic, payload, packet);
    const room = roomOf(topic, 'motion');
    if (room !== undefined && payload.length) APPLY.motion(rooms.card(room), payload);
  };
  client.on('message', onMessage);
  return () => {
    stopCards();
    home.close();
    client.off('message', onMessage);
  };
}
