// Everything under home/#, newest first: the raw traffic behind the cards, including the
// dashboard's own commands (it does not subscribe with No Local). Pausing freezes the list
// so it can be read; what arrives meanwhile is counted and inserted on resume.

import type { IPublishPacket } from 'mqttws';
import { h } from './dom.js';
import { clockMs, truncate } from './format.js';
import { text } from './payloads.js';

const MAX_ROWS = 200;
const MAX_PAYLOAD_CHARS = 80;

interface Entry {
  at: Date;
  topic: string;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
}

/** The payload as one line of text. */
function preview(payload: Uint8Array): string {
  // Control characters (newlines of pretty-printed JSON, binary junk) would break the row.
  // eslint-disable-next-line no-control-regex
  return text(payload).replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

export class ActivityLog {
  readonly #list: HTMLElement;
  readonly #pause: HTMLButtonElement;
  readonly #newCount: HTMLElement;
  #paused = false;
  /** Entries that arrived while paused, oldest first (only the newest MAX_ROWS matter). */
  #held: Entry[] = [];
  #heldCount = 0;

  constructor(list: HTMLElement, pause: HTMLButtonElement, newCount: HTMLElement) {
    this.#list = list;
    this.#pause = pause;
    this.#newCount = newCount;
    this.#pause.addEventListener('click', () => this.#setPaused(!this.#paused));
    this.#renderPause();
  }

  add(topic: string, payload: Uint8Array, packet: IPublishPacket): void {
    const entry = { at: new Date(), topic, payload, qos: packet.qos, retain: packet.retain };
    if (this.#paused) {
      this.#held.push(entry);
      if (this.#held.length > MAX_ROWS) this.#held.shift();
      this.#heldCount++;
      this.#renderPause();
      return;
    }
    this.#insert([entry]);
  }

  #setPaused(paused: boolean): void {
    this.#paused = paused;
    if (!paused) {
      this.#insert(this.#held);
      this.#held = [];
      this.#heldCount = 0;
    }
    this.#renderPause();
  }

  /** Puts `entries` (oldest first) on top of the list and trims it to MAX_ROWS. */
  #insert(entries: Entry[]): void {
    const rows = entries.map((e) => this.#row(e)).reverse();
    this.#list.prepend(...rows);
    while (this.#list.childElementCount > MAX_ROWS) this.#list.lastElementChild?.remove();
  }

  #row(e: Entry): HTMLElement {
    const full = preview(e.payload);
    const shown = truncate(full, MAX_PAYLOAD_CHARS);
    return h('li', { class: 'log-row', 'data-testid': 'log-row', 'data-topic': e.topic,
                     'data-qos': e.qos, 'data-retained': String(e.retain) },
      h('time', { class: 'log-time', datetime: e.at.toISOString() }, clockMs(e.at)),
      h('span', { class: 'log-topic', title: e.topic }, e.topic),
      h('span', { class: 'log-payload', 'data-empty': String(full === ''),
                  title: full.length > shown.length ? truncate(full, 2000) : undefined },
        full === '' ? '(empty)' : shown),
      h('span', { class: 'log-qos', title: 'QoS' }, `QoS ${e.qos}`),
      h('span', { class: 'log-retained', title: e.retain ? 'retained message' : undefined },
        e.retain ? 'retained' : ''));
  }

  #renderPause(): void {
    this.#pause.textContent = this.#paused ? 'Resume' : 'Pause';
    this.#pause.setAttribute('aria-pressed', String(this.#paused));
    this.#newCount.hidden = !this.#paused;
    this.#newCount.textContent = `${this.#heldCount} new`;
  }
}
