// Display formats shared by the cards and the log.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time, HH:MM:SS.mmm. */
export function clockMs(d: Date): string {
  return `${clock(d)}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local wall-clock time, HH:MM:SS. */
export function clock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local wall-clock time, HH:MM. */
export function hoursMinutes(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** One decimal, as the devices publish it: 21.4 °C, 46.2 %. */
export function oneDecimal(n: number): string {
  return n.toFixed(1);
}

/** `s` cut to `max` characters, with an ellipsis when something was cut. */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
