// The temperature history of one room: a uPlot line over the last ten minutes.
//
// Points are only what this page has seen (each temperature message, the retained one
// first), timestamped on arrival: the devices publish bare numbers with no time of their own.

import uPlot from 'uplot';
import { h } from './dom.js';
import { hoursMinutes } from './format.js';

const WINDOW_S = 10 * 60;
const HEIGHT = 130;

const nowSeconds = () => Date.now() / 1000;

/** Axis labels in HH:MM: the window is ten minutes, the date is never in doubt. */
const clockLabel = (t: number) => hoursMinutes(new Date(t * 1000));

/** Whole degrees around the data, at least 2 °C tall so that noise does not look like a cliff. */
function temperatureRange(_u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [15, 25];
  let lo = Math.floor(min - 0.5);
  let hi = Math.ceil(max + 0.5);
  if (hi - lo < 2) {
    lo -= 1;
    hi += 1;
  }
  return [lo, hi];
}

const axis = (extra: uPlot.Axis): uPlot.Axis => ({
  stroke: '#566173',
  font: '11px system-ui, sans-serif',
  grid: { stroke: '#edf0f4', width: 1 },
  ticks: { stroke: '#dde2e9', width: 1, size: 4 },
  ...extra,
});

export class TemperatureChart {
  readonly element: HTMLElement;
  readonly #times: number[] = [];
  readonly #values: number[] = [];
  readonly #plot: uPlot;
  readonly #resize: ResizeObserver;

  constructor(room: string, title: string) {
    this.element = h('div', {
      class: 'chart', 'data-testid': `chart-${room}`, role: 'img',
      'aria-label': `${title} temperature, last 10 minutes`, 'data-points': 0,
    });
    this.#plot = new uPlot({
      width: 300,  // replaced by the container's width as soon as it is laid out
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // The window always ends now, so the line slides left as time passes.
        x: { time: true, range: () => [nowSeconds() - WINDOW_S, nowSeconds()] },
        y: { range: temperatureRange },
      },
      axes: [
        axis({ size: 26, space: 60, values: (_u, ticks) => ticks.map(clockLabel) }),
        axis({ size: 36, values: (_u, ticks) => ticks.map((t) => `${t}°`) }),
      ],
      series: [
        {},
        {
          label: 'Temperature',
          stroke: '#d9480f',
          width: 2,
          fill: 'rgba(217, 72, 15, 0.08)',
          value: (_u, v) => (v === null ? '—' : `${v.toFixed(1)} °C`),
        },
      ],
    }, [[], []], this.element);

    // The card decides the width (grid column, phone or desktop): follow it.
    this.#resize = new ResizeObserver(() => {
      const width = Math.floor(this.element.clientWidth);
      if (width > 0 && width !== this.#plot.width) {
        this.#plot.setSize({ width, height: HEIGHT });
      }
    });
    this.#resize.observe(this.element);
  }

  /** Appends a reading taken now and forgets those older than the window. */
  add(celsius: number): void {
    const now = nowSeconds();
    this.#times.push(now);
    this.#values.push(celsius);
    let old = 0;
    while (old < this.#times.length && this.#times[old]! < now - WINDOW_S) old++;
    if (old) {
      this.#times.splice(0, old);
      this.#values.splice(0, old);
    }
    this.#plot.setData([this.#times, this.#values]);
    // How many points are plotted: the canvas itself cannot be inspected by tests.
    this.element.dataset.points = String(this.#times.length);
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#plot.destroy();
  }
}
