// What the dashboard subscribes to. Each state topic has its own subscription with its own
// handler (mqttws routes a message to the handlers of the subscriptions it was delivered
// for), and home/# feeds the activity log. All QoS 0: the devices' state is retained and
// refreshed often, so a lost update is soon replaced.

import type { MessageHandler, MqttClient } from 'mqttws';
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

export function subscribeHome(client: MqttClient, rooms: Rooms, log: ActivityLog,
                              notify: (message: string) => void): void {
  const subscribe = (filter: string, handler: MessageHandler) => {
    client.subscribe(filter, { qos: 0, handler }, (error, granted) => {
      // Errors from the client ending under the subscription are not the user's concern.
      if (error && (error.code === 'session_closed' || error.code === 'invalid_state')) return;
      const refused = granted?.find((g) => g.qos >= 0x80);
      if (error || refused) {
        notify(`Cannot subscribe to ${filter}: ${error?.message ??
               `refused by the broker (0x${refused!.qos.toString(16)})`}`);
      }
    });
  };

  subscribe('home/#', (topic, payload, packet) => log.add(topic, payload, packet));
  for (const kind of STATE_KINDS) {
    subscribe(`home/+/${kind}`, (topic, payload) => {
      const room = roomOf(topic, kind);
      // An empty payload clears a retained topic: it announces no device.
      if (room === undefined || payload.length === 0) return;
      APPLY[kind](rooms.card(room), payload);
    });
  }
}
