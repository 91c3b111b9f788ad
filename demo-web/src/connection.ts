// One dashboard session with the broker: the mqttws client, and the link state the header
// shows, derived from the client's events.
//
// States: connecting (first attempt) → online ⇄ reconnecting (with the time of the next
// attempt, from the `reconnect` event) → offline (after end(), a refused login, or any
// failure the client does not retry).

import { connect, type MqttClient, type MqttError } from 'mqttws';

export interface Credentials {
  url: string;
  username: string;
  password: string;
}

export type LinkState =
  | { kind: 'connecting' }
  | { kind: 'online' }
  /** `at`: Date.now() of the next attempt. */
  | { kind: 'reconnecting'; at: number }
  | { kind: 'offline' };

export interface ConnectionListener {
  state(state: LinkState): void;
  /** A CONNACK accepted the connection (the first time and after each reconnection). */
  connected(): void;
  /** The broker refused the user name or password; the client has been ended. */
  refused(error: MqttError): void;
  /** Any other error; `fatal` when the client gives up instead of reconnecting. */
  error(error: MqttError, fatal: boolean): void;
  /** Another reconnection attempt was scheduled; `count` of them so far. */
  reconnect(count: number): void;
}

export interface ConnectionSettings {
  keepalive: number;
}

/** MQTT 5 CONNACK reason codes that mean "wrong credentials": retrying cannot help. */
const BAD_CREDENTIALS = new Set([0x86, 0x87]);

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The dashboard's client identifier, kept in localStorage: every tab of this browser uses the
 * same one, so that they share one connection (`shared: true` keys it by URL and client id)
 * and a reload resumes the session its IndexedDB store belongs to.
 */
function dashboardClientId(): string {
  const key = 'mqttws-demo-client-id';
  try {
    const kept = localStorage.getItem(key);
    if (kept) return kept;
    const id = `dashboard-${randomHex(4)}`;
    localStorage.setItem(key, id);
    return id;
  } catch {
    return `dashboard-${randomHex(4)}`;  // storage refused: a fresh session per page
  }
}

export class Connection {
  readonly client: MqttClient;
  /** Ours, not the broker's: the thermostat reply topics are named after it. */
  readonly clientId = dashboardClientId();
  readonly #listener: ConnectionListener;
  #reconnects = 0;
  #ended = false;
  #state: LinkState = { kind: 'connecting' };

  /** Connects at once; throws MqttError `invalid_url` for a URL that is not ws(s)://. */
  constructor(credentials: Credentials, settings: ConnectionSettings,
              listener: ConnectionListener) {
    this.#listener = listener;
    this.client = connect(credentials.url, {
      protocolVersion: 5,
      username: credentials.username,
      password: credentials.password,
      clientId: this.clientId,
      // One connection for every tab of the dashboard (a SharedWorker runs it: three tabs are
      // one client at the broker, and keep alive is not throttled in background tabs), and a
      // persistent session whose QoS 1 commands the worker keeps in IndexedDB: a command
      // published just before a reload (or a crash) is sent all the same.
      shared: true,
      clean: false,
      properties: { sessionExpiryInterval: 300 },
      store: 'indexeddb',
      keepalive: settings.keepalive,
      reconnect: { initialDelay: 1000, maxDelay: 5000 },
      connectTimeout: 10000,
    });
    this.#listen();
    this.#setState({ kind: 'connecting' });
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Ends the session without waiting for anything in flight. */
  end(): Promise<void> {
    this.#ended = true;
    return new Promise((resolve) => this.client.end(true, () => resolve()));
  }

  #listen(): void {
    const c = this.client;
    c.on('connect', () => {
      this.#setState({ kind: 'online' });
      this.#listener.connected();
    });
    c.on('reconnect', (info) => {
      this.#reconnects++;
      this.#setState({ kind: 'reconnecting', at: Date.now() + info.delay });
      this.#listener.reconnect(this.#reconnects);
    });
    c.on('close', () => {
      // A `reconnect` event follows in the same batch when the client will retry; if it does
      // not, checkGaveUp (after the batch) turns this into offline.
      if (this.#state.kind === 'online') this.#setState({ kind: 'connecting' });
      queueMicrotask(() => this.#checkGaveUp());
    });
    c.on('offline', () => queueMicrotask(() => this.#checkGaveUp()));
    c.on('end', () => this.#setState({ kind: 'offline' }));
    c.on('error', (error) => {
      if (error.code === 'connection_refused' && error.reasonCode !== undefined &&
          BAD_CREDENTIALS.has(error.reasonCode)) {
        // The same credentials would be refused again: stop, let the user fix them.
        void this.end();
        this.#setState({ kind: 'offline' });
        this.#listener.refused(error);
        return;
      }
      // The client's flags are final once the current batch of events is dispatched.
      queueMicrotask(() => this.#listener.error(error, this.client.disconnected && !this.#ended &&
                                                       !this.client.reconnecting));
      queueMicrotask(() => this.#checkGaveUp());
    });
  }

  /** Offline when the client stopped for good without end() (it will not reconnect). */
  #checkGaveUp(): void {
    if (this.client.disconnected && !this.client.reconnecting) this.#setState({ kind: 'offline' });
  }

  #setState(state: LinkState): void {
    this.#state = state;
    this.#listener.state(state);
  }
}
