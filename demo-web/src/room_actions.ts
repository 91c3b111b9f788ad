// What a room card needs from the rest of the page: a way to send commands and requests, and
// to tell the user something. Keeping the client behind this interface leaves the cards
// independent of connection handling (which client, reconnects, login).

export interface RoomActions {
  /** Publishes a command with QoS 1; `done` gets the error if it was not delivered. */
  command(topic: string, payload: string, done: (error?: Error) => void): void;
  /** The device's answer to `home/<room>/thermostat/get` (MQTT 5 request/response). */
  thermostatInfo(room: string): Promise<Uint8Array>;
  /** Shows a message in the toast area. */
  notify(message: string): void;
  /** How long a command waits for its confirmation. */
  readonly commandTimeoutMs: number;
}
