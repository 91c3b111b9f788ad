// The dashboard's entry point: loads the settings, wires the page's parts together and runs
// one Connection at a time (a new login ends the previous one first).

import { MqttError } from 'mqttws';
import { ActivityLog } from './activity_log.js';
import { brokerUrl, loadConfig, type DemoConfig } from './config.js';
import { Connection, type ConnectionListener, type Credentials } from './connection.js';
import { byTestId } from './dom.js';
import { LoginForm } from './login_form.js';
import type { RoomActions } from './room_actions.js';
import { Rooms } from './rooms.js';
import { StatusBar } from './status_bar.js';
import { subscribeHome } from './subscriptions.js';
import { Toasts } from './toast.js';
import { topics } from './topics.js';

const THERMOSTAT_INFO_TIMEOUT_MS = 5000;

const REFUSALS: Record<number, string> = {
  0x86: 'bad user name or password',
  0x87: 'not authorized',
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the room cards do through the current session (`current()`; none while logged out). */
function roomActions(config: DemoConfig, current: () => Connection | undefined,
                     notify: (text: string) => void): RoomActions {
  return {
    commandTimeoutMs: config.commandTimeoutMs,
    command(topic, payload, done) {
      const session = current();
      if (!session) {
        done(new Error('not connected'));
        return;
      }
      // A command expires when the card stops waiting for it (MQTT 5 Message Expiry): one
      // reverted on screen must not reach the device later, after a reconnection.
      const messageExpiryInterval = Math.max(1, Math.ceil(config.commandTimeoutMs / 1000));
      const options = { qos: 1 as const, properties: { messageExpiryInterval } };
      session.client.publish(topic, payload, options, (error, packet) => {
        if (error) done(error);
        else if (packet && packet.reasonCode >= 0x80) {
          done(new Error(`refused by the broker (0x${packet.reasonCode.toString(16)})`));
        } else done();
      });
    },
    async thermostatInfo(room) {
      const session = current();
      if (!session) throw new Error('not connected');
      const response = await session.client.request(topics.thermostatGet(room), '', {
        qos: 1,
        timeout: THERMOSTAT_INFO_TIMEOUT_MS,
        properties: { responseTopic: topics.thermostatReply(room, session.clientId) },
      });
      return response.payload;
    },
    notify,
  };
}

/** The parts of the page a session's events change. */
interface Page {
  /** False once a newer login or a logout made the session stale. */
  current: () => boolean;
  status: StatusBar;
  login: LoginForm;
  toasts: Toasts;
  loggedOut: () => void;
  disconnect: HTMLButtonElement;
}

/** How one session's connection events show on the page. */
function pageListener(page: Page): ConnectionListener {
  const { current, status, login, toasts } = page;
  let wasOnline = false;
  return {
    state: (state) => {
      if (!current()) return;
      status.setState(state);
      // Lets the stylesheet mark the cards as stale while the link is down.
      document.body.dataset.link = state.kind;
      if (state.kind === 'offline') page.loggedOut();
    },
    connected: () => {
      if (!current()) return;
      wasOnline = true;
      login.visible = false;
      login.setBusy(false);
      login.setError();
      page.disconnect.hidden = false;
    },
    refused: (error) => {
      if (!current()) return;
      const why = REFUSALS[error.reasonCode ?? 0] ?? error.message;
      login.setError(`Login refused by the broker: ${why} ` +
                     `(0x${(error.reasonCode ?? 0).toString(16)}). Check and try again.`);
    },
    error: (error, fatal) => {
      if (!current()) return;
      // Before the first connection the form is the place for it; afterwards only a final
      // failure is worth a toast (every failed reconnection attempt errors too).
      if (fatal || !wasOnline) login.setError(message(error));
      if (fatal) toasts.show(`Disconnected: ${message(error)}`);
    },
    reconnect: (count) => {
      if (current()) status.setReconnects(count);
    },
  };
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const toasts = new Toasts(byTestId('toast'));
  const log = new ActivityLog(byTestId('log'), byTestId<HTMLButtonElement>('log-pause'),
                              byTestId('log-new'));
  const status = new StatusBar({
    state: byTestId('connection-state'),
    rtt: byTestId('rtt'),
    inflight: byTestId('inflight'),
    reconnects: byTestId('reconnects'),
  });
  const disconnect = byTestId<HTMLButtonElement>('disconnect');

  /** The current session; undefined while logged out. */
  let session: Connection | undefined;
  /** Bumped by every login and logout: events of an older session are ignored. */
  let generation = 0;

  const actions = roomActions(config, () => session, (text) => toasts.show(text));
  const rooms = new Rooms(byTestId('rooms'), byTestId('rooms-empty'), actions);

  const login = new LoginForm(byTestId<HTMLFormElement>('login-form'), (c) => void start(c));
  login.prefill({
    url: brokerUrl(config.brokerPort), username: config.username, password: config.password,
  });

  function loggedOut(): void {
    disconnect.hidden = true;
    login.visible = true;
    login.setBusy(false);
  }

  async function start(credentials: Credentials): Promise<void> {
    const mine = ++generation;
    const current = () => mine === generation;
    login.setError();
    login.setBusy(true);
    const old = session;
    session = undefined;
    if (old) await old.end();
    if (!current()) return;  // pressed again while the old client was ending
    rooms.clear();
    status.setReconnects(0);
    try {
      session = new Connection(credentials, config, pageListener({
        current, status, login, toasts, loggedOut, disconnect,
      }));
    } catch (error) {
      login.setError(error instanceof MqttError ? error.message
                                                : `Cannot connect: ${message(error)}`);
      loggedOut();
      return;
    }
    subscribeHome(session.client, rooms, log, (text) => toasts.show(text));
  }

  disconnect.addEventListener('click', () => {
    generation++;
    const old = session;
    session = undefined;
    status.setState({ kind: 'offline' });
    document.body.dataset.link = 'offline';
    loggedOut();
    void old?.end();
  });

  setInterval(() => status.setStats(session?.client.stats()), 1000);
}

main().catch((error: unknown) => {
  console.error(error);
  document.body.dataset.failed = 'true';
});
