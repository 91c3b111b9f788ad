// The header's view of the connection: link state (with the reconnect countdown), the last
// keep-alive round trip, messages in flight or queued, and how often the link was retried.

import type { ClientStats } from 'mqttws';
import type { LinkState } from './connection.js';

export interface StatusBarElements {
  state: HTMLElement;
  rtt: HTMLElement;
  inflight: HTMLElement;
  reconnects: HTMLElement;
}

export class StatusBar {
  readonly #el: StatusBarElements;
  #countdown: ReturnType<typeof setInterval> | undefined;

  constructor(elements: StatusBarElements) {
    this.#el = elements;
    this.setState({ kind: 'offline' });
    this.setStats(undefined);
    this.setReconnects(0);
  }

  setState(state: LinkState): void {
    clearInterval(this.#countdown);
    this.#countdown = undefined;
    this.#el.state.dataset.state = state.kind;
    switch (state.kind) {
      case 'connecting':
        this.#el.state.textContent = 'connecting…';
        break;
      case 'online':
        this.#el.state.textContent = 'online';
        break;
      case 'offline':
        this.#el.state.textContent = 'offline';
        break;
      case 'reconnecting': {
        const tick = () => {
          const seconds = Math.ceil((state.at - Date.now()) / 1000);
          this.#el.state.textContent = seconds > 0 ? `reconnecting in ${seconds} s`
                                                   : 'reconnecting…';
          if (seconds <= 0) clearInterval(this.#countdown);
        };
        tick();
        // Several ticks a second, so that the count changes close to each whole second.
        this.#countdown = setInterval(tick, 200);
        break;
      }
    }
  }

  /** `undefined`: no client. */
  setStats(stats: ClientStats | undefined): void {
    const rtt = stats?.lastPingRtt;
    this.#el.rtt.textContent = rtt === undefined ? '—' : `${Math.round(rtt)} ms`;
    this.#el.rtt.dataset.value = rtt === undefined ? '' : String(rtt);
    const pending = stats ? stats.inflight + stats.queued : 0;
    this.#el.inflight.textContent = String(pending);
    this.#el.inflight.dataset.value = String(pending);
  }

  setReconnects(count: number): void {
    this.#el.reconnects.textContent = String(count);
    this.#el.reconnects.dataset.value = String(count);
  }
}
