// A room's thermostat: the confirmed target, a form to set a new one (pending until the
// device confirms it on `home/<room>/thermostat`), and an MQTT 5 request for the device's
// details (`home/<room>/thermostat/get`).

import { h } from './dom.js';
import { oneDecimal } from './format.js';
import { parseThermostatInfo, type ThermostatInfo, type ThermostatState } from './payloads.js';
import { PendingCommand } from './pending_command.js';
import type { RoomActions } from './room_actions.js';
import { topics } from './topics.js';

const MIN = 5;
const MAX = 30;
const STEP = 0.5;

/** Targets are compared with a tolerance: they travel as decimal text. */
const sameTarget = (a: number, b: number) => Math.abs(a - b) < 1e-6;

export class ThermostatControl {
  readonly element: HTMLElement;
  readonly #room: string;
  readonly #actions: RoomActions;
  readonly #target: HTMLElement;
  readonly #requested: HTMLElement;
  readonly #input: HTMLInputElement;
  readonly #result: HTMLElement;
  readonly #infoButton: HTMLButtonElement;
  readonly #command: PendingCommand<ThermostatState, number>;
  #confirmed: number | undefined;

  constructor(room: string, title: string, actions: RoomActions) {
    this.#room = room;
    this.#actions = actions;
    this.#target = h('span', { class: 'target', 'data-testid': `thermostat-target-${room}`,
                               'data-pending': 'false' }, '—');
    this.#requested = h('span', { class: 'requested', hidden: true });
    this.#input = h('input', {
      type: 'number', min: MIN, max: MAX, step: STEP, inputmode: 'decimal', class: 'number',
      'data-testid': `thermostat-input-${room}`, 'aria-label': `${title} thermostat target`,
      required: true,
    });
    const set = h('button', { type: 'submit', class: 'button',
                              'data-testid': `thermostat-set-${room}` }, 'Set');
    // novalidate: #submit checks the range itself and rounds to the step rather than refusing.
    const form = h('form', { class: 'thermostat-form', novalidate: true },
      h('label', { class: 'thermostat-new' }, h('span', {}, 'New target'), this.#input,
        h('span', { 'aria-hidden': 'true' }, '°C')),
      set);
    this.#infoButton = h('button', {
      type: 'button', class: 'button button-quiet', 'data-testid': `thermostat-info-${room}`,
      title: 'Ask the thermostat for its details (MQTT 5 request/response)',
    }, 'Details');
    this.#result = h('div', {
      class: 'thermostat-result', 'data-testid': `thermostat-result-${room}`,
      'data-state': 'empty', 'aria-live': 'polite',
    });
    this.element = h('div', { class: 'control thermostat' },
      h('div', { class: 'thermostat-row' },
        h('span', { class: 'control-label' }, 'Thermostat'),
        this.#target, this.#requested, this.#infoButton),
      form,
      this.#result);

    this.#command = new PendingCommand({
      label: `${title} thermostat`,
      timeoutMs: actions.commandTimeoutMs,
      onChange: () => this.#render(),
      onRevert: (message) => actions.notify(message),
    });

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.#infoButton.addEventListener('click', () => void this.#fetchInfo());
  }

  /** A target the device confirmed. */
  update(state: ThermostatState): void {
    this.#confirmed = state.target;
    this.#command.observe(state);
    this.#render();
  }

  destroy(): void {
    this.#command.cancel();
  }

  #submit(): void {
    const raw = this.#input.valueAsNumber;
    if (!Number.isFinite(raw) || raw < MIN || raw > MAX) {
      this.#actions.notify(`Thermostat target must be between ${MIN} and ${MAX} °C`);
      return;
    }
    // The device works in half degrees: send what it will confirm.
    const target = Math.round(raw / STEP) * STEP;
    this.#input.value = String(target);
    this.#command.start({
      value: target,
      confirms: (s) => sameTarget(s.target, target),
      send: (done) => this.#actions.command(topics.thermostatSet(this.#room), String(target),
                                            done),
    });
  }

  async #fetchInfo(): Promise<void> {
    this.#infoButton.disabled = true;
    this.#result.dataset.state = 'loading';
    this.#result.replaceChildren('Asking the thermostat…');
    try {
      const info = parseThermostatInfo(await this.#actions.thermostatInfo(this.#room));
      if (!info) throw new Error('the reply is not the expected JSON');
      this.#showInfo(info);
    } catch (error) {
      this.#result.dataset.state = 'error';
      this.#result.replaceChildren(`No details: ${error instanceof Error ? error.message
                                                                         : String(error)}`);
    } finally {
      this.#infoButton.disabled = false;
    }
  }

  #showInfo(info: ThermostatInfo): void {
    const deg = (n: number | undefined) => (n === undefined ? '—' : `${oneDecimal(n)} °C`);
    const rows: [string, string, string][] = [
      ['target', 'Target', deg(info.target)],
      ['current', 'Current', deg(info.current)],
      ['mode', 'Mode', info.mode ?? '—'],
      ['min', 'Min', deg(info.min)],
      ['max', 'Max', deg(info.max)],
    ];
    this.#result.dataset.state = 'ok';
    this.#result.replaceChildren(h('dl', { class: 'info' }, ...rows.map(([key, name, value]) =>
      h('div', { 'data-field': key }, h('dt', {}, name), h('dd', {}, value)))));
    // The raw values, for whoever reads the page programmatically.
    for (const key of ['target', 'current', 'mode', 'min', 'max'] as const) {
      const v = info[key];
      if (v === undefined) delete this.#result.dataset[key];
      else this.#result.dataset[key] = String(v);
    }
  }

  #render(): void {
    const c = this.#confirmed;
    this.#target.textContent = c === undefined ? '—' : `${oneDecimal(c)} °C`;
    if (c === undefined) delete this.#target.dataset.value;
    else this.#target.dataset.value = String(c);
    const pending = this.#command.value;
    this.#target.dataset.pending = String(pending !== undefined);
    this.#requested.hidden = pending === undefined;
    this.#requested.textContent = pending === undefined ? '' : `→ ${oneDecimal(pending)} °C`;
    // Follow the confirmed target unless the user is typing a new one.
    if (c !== undefined && pending === undefined && document.activeElement !== this.#input) {
      this.#input.value = String(c);
    }
  }
}
