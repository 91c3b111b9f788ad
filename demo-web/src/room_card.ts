// One room: its card and everything on it. Fed by the subscriptions (one method per state
// topic); sends commands through RoomActions.

import { TemperatureChart } from './chart.js';
import { h, restartAnimation } from './dom.js';
import { clock, oneDecimal } from './format.js';
import { LightControl } from './light_control.js';
import type { DeviceStatus, LightState, ThermostatState } from './payloads.js';
import type { RoomActions } from './room_actions.js';
import { ThermostatControl } from './thermostat_control.js';
import { roomTitle } from './topics.js';

const MOTION_FLASH_MS = 3000;

/** A labelled reading: `Temperature 21.4 °C`, its number in data-value. */
function reading(label: string, testId: string): { element: HTMLElement; value: HTMLElement } {
  const value = h('span', { class: 'reading-value', 'data-testid': testId }, '—');
  return { element: h('div', { class: 'reading' }, h('span', { class: 'reading-label' }, label),
                      value), value };
}

export class RoomCard {
  readonly id: string;
  readonly title: string;
  readonly element: HTMLElement;
  readonly #status: HTMLElement;
  readonly #temperature: HTMLElement;
  readonly #humidity: HTMLElement;
  readonly #chart: TemperatureChart;
  readonly #light: LightControl;
  readonly #thermostat: ThermostatControl;
  readonly #motion: HTMLElement;
  readonly #motionText: HTMLElement;
  #motionTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(id: string, actions: RoomActions) {
    this.id = id;
    this.title = roomTitle(id);
    this.#status = h('span', { class: 'badge', 'data-testid': `status-${id}`,
                               'data-state': 'unknown' }, 'unknown');
    const temperature = reading('Temperature', `temperature-${id}`);
    const humidity = reading('Humidity', `humidity-${id}`);
    this.#temperature = temperature.value;
    this.#humidity = humidity.value;
    this.#chart = new TemperatureChart(id, this.title);
    this.#light = new LightControl(id, this.title, actions);
    this.#thermostat = new ThermostatControl(id, this.title, actions);
    this.#motionText = h('span', { class: 'motion-text' }, 'No motion yet');
    this.#motion = h('div', { class: 'motion', 'data-testid': `motion-${id}`,
                              'data-active': 'false' },
      h('span', { class: 'motion-dot', 'aria-hidden': 'true' }), this.#motionText);

    this.element = h('article', { class: 'card', 'data-testid': `room-${id}`,
                                  'data-status': 'unknown', 'aria-label': this.title },
      h('header', { class: 'card-header' }, h('h2', {}, this.title), this.#status),
      h('div', { class: 'readings' }, temperature.element, humidity.element),
      this.#chart.element,
      this.#light.element,
      this.#thermostat.element,
      this.#motion);
  }

  setStatus(status: DeviceStatus): void {
    this.#status.textContent = status;
    this.#status.dataset.state = status;
    this.element.dataset.status = status;
  }

  setTemperature(celsius: number): void {
    this.#temperature.textContent = `${oneDecimal(celsius)} °C`;
    this.#temperature.dataset.value = String(celsius);
    this.#chart.add(celsius);
  }

  setHumidity(percent: number): void {
    this.#humidity.textContent = `${oneDecimal(percent)} %`;
    this.#humidity.dataset.value = String(percent);
  }

  setLight(state: LightState): void {
    this.#light.update(state);
  }

  setThermostat(state: ThermostatState): void {
    this.#thermostat.update(state);
  }

  /** The motion sensor fired: flash for a few seconds, remember when. */
  motion(at: Date): void {
    const time = clock(at);
    this.#motionText.textContent = `Motion at ${time}`;
    this.#motion.dataset.last = at.toISOString();
    restartAnimation(this.#motion, 'data-active');
    clearTimeout(this.#motionTimer);
    this.#motionTimer = setTimeout(() => {
      this.#motion.dataset.active = 'false';
    }, MOTION_FLASH_MS);
  }

  destroy(): void {
    clearTimeout(this.#motionTimer);
    this.#chart.destroy();
    this.#light.destroy();
    this.#thermostat.destroy();
    this.element.remove();
  }
}
