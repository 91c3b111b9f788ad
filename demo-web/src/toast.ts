// Transient messages for the user (reverted commands, failed requests). The area lists the
// recent ones, newest last; each leaves after a while on its own.

import { h } from './dom.js';

const LIFETIME_MS = 8000;
const MAX_SHOWN = 5;

export type ToastKind = 'error' | 'info';

export class Toasts {
  readonly #area: HTMLElement;

  constructor(area: HTMLElement) {
    this.#area = area;
  }

  show(message: string, kind: ToastKind = 'error'): void {
    // The area is an aria-live region (index.html): screen readers announce each new item.
    const item = h('div', { class: 'toast-item', 'data-kind': kind, 'data-testid': 'toast-item' },
                   message);
    this.#area.append(item);
    // Many failures at once (e.g. the connection dropped) must not bury the page.
    while (this.#area.childElementCount > MAX_SHOWN) this.#area.firstElementChild?.remove();
    setTimeout(() => item.remove(), LIFETIME_MS);
  }
}
