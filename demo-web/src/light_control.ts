// A room's light: an on/off switch and a brightness slider, both showing the state the
// device last confirmed (`home/<room>/light`) and pending while a command awaits it.

import { h } from './dom.js';
import type { LightState } from './payloads.js';
import { PendingCommand } from './pending_command.js';
import type { RoomActions } from './room_actions.js';
import { topics } from './topics.js';

export class LightControl {
  readonly element: HTMLElement;
  readonly #room: string;
  readonly #actions: RoomActions;
  readonly #switch: HTMLButtonElement;
  readonly #slider: HTMLInputElement;
  readonly #level: HTMLOutputElement;
  readonly #power: PendingCommand<LightState, boolean>;
  readonly #brightness: PendingCommand<LightState, number>;
  #confirmed: LightState | undefined;
  /** True while the user drags the slider: a state message must not move it under them. */
  #dragging = false;
  readonly #release = () => {
    this.#dragging = false;
  };

  constructor(room: string, title: string, actions: RoomActions) {
    this.#room = room;
    this.#actions = actions;
    this.#switch = h('button', {
      type: 'button', role: 'switch', class: 'switch', 'data-testid': `light-${room}`,
      'aria-checked': 'false', 'data-state': 'off', 'aria-label': `${title} light`,
      disabled: true,  // until the device has said whether it is on
    }, h('span', { class: 'switch-thumb' }));
    this.#slider = h('input', {
      type: 'range', min: 0, max: 100, step: 1, value: 0, class: 'slider',
      'data-testid': `brightness-${room}`, 'aria-label': `${title} brightness`,
      'data-pending': 'false', disabled: true,
    });
    this.#level = h('output', { class: 'level', 'data-testid': `brightness-value-${room}` }, '—');
    this.element = h('div', { class: 'control light' },
      h('span', { class: 'control-label' }, 'Light'),
      this.#switch,
      h('label', { class: 'brightness' }, h('span', { class: 'sr-only' }, 'Brightness'),
        this.#slider),
      this.#level);

    const pending = (what: string) => ({
      label: `${title} ${what}`,
      timeoutMs: actions.commandTimeoutMs,
      onChange: () => this.#render(),
      onRevert: (message: string) => actions.notify(message),
    });
    this.#power = new PendingCommand(pending('light'));
    this.#brightness = new PendingCommand(pending('brightness'));

    this.#switch.addEventListener('click', () => this.#toggle());
    this.#slider.addEventListener('pointerdown', () => {
      this.#dragging = true;
    });
    window.addEventListener('pointerup', this.#release);
    window.addEventListener('pointercancel', this.#release);
    this.#slider.addEventListener('input', () => {
      this.#level.value = `${this.#slider.value} %`;
    });
    // `change` fires once the value is let go: one command per gesture, not one per pixel.
    this.#slider.addEventListener('change', () => {
      this.#setBrightness(Number(this.#slider.value));
    });
  }

  /** A state the device confirmed. */
  update(state: LightState): void {
    this.#confirmed = state;
    this.#power.observe(state);
    this.#brightness.observe(state);
    this.#render();
  }

  destroy(): void {
    this.#power.cancel();
    this.#brightness.cancel();
    window.removeEventListener('pointerup', this.#release);
    window.removeEventListener('pointercancel', this.#release);
  }

  #toggle(): void {
    if (!this.#confirmed) return;
    // The opposite of what the device confirmed, whatever is pending: pressing again while a
    // command is pending simply re-sends it, which the device treats as the same request.
    const on = !this.#confirmed.on;
    this.#power.start({
      value: on,
      confirms: (s) => s.on === on,
      send: (done) => this.#actions.command(topics.lightSet(this.#room), on ? 'on' : 'off',
                                            done),
    });
  }

  #setBrightness(brightness: number): void {
    // Nothing to ask when it is already what the device has, or what is being asked for.
    if (this.#brightness.pending ? this.#brightness.value === brightness
                                 : this.#confirmed?.brightness === brightness) return;
    this.#brightness.start({
      value: brightness,
      confirms: (s) => s.brightness === brightness,
      send: (done) => this.#actions.command(topics.lightSet(this.#room),
                                           JSON.stringify({ brightness }), done),
    });
  }

  #render(): void {
    const c = this.#confirmed;
    const sw = this.#switch;
    sw.disabled = !c;
    sw.setAttribute('aria-checked', String(c?.on ?? false));
    sw.dataset.state = this.#power.pending ? 'pending' : c?.on ? 'on' : 'off';
    sw.setAttribute('aria-busy', String(this.#power.pending));

    this.#slider.disabled = !c;
    this.#slider.dataset.pending = String(this.#brightness.pending);
    this.#slider.setAttribute('aria-busy', String(this.#brightness.pending));
    if (this.#dragging) return;
    const shown = this.#brightness.value ?? c?.brightness;
    if (shown === undefined) return;
    this.#slider.value = String(shown);
    this.#level.value = `${shown} %`;
    this.#level.dataset.value = String(c?.brightness ?? '');
  }
}
