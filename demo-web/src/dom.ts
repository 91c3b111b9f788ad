// A tiny element builder. The dashboard builds its DOM with createElement rather than HTML
// strings, so no markup from the network (topics, payloads) is ever parsed as HTML. The page's
// CSP forbids inline styles: styling goes through classes and data-* attributes, never a
// `style` attribute.

type AttrValue = string | number | boolean | undefined;
export type Attrs = Record<string, AttrValue>;
export type Child = Node | string;

/**
 * `<tag attrs...>children</tag>`. `class` sets the class list; `true` adds an empty
 * attribute (e.g. `hidden`), `false` and `undefined` leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'style') throw new Error('inline styles are blocked by the CSP: use a class');
    el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children);
  return el;
}

/** The element with `data-testid="<id>"` in the page; throws when index.html lacks it. */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`index.html has no element data-testid="${id}"`);
  return el;
}

/** Restarts an element's CSS animation (it only replays when the style is recomputed). */
export function restartAnimation(el: HTMLElement, attr: string): void {
  el.removeAttribute(attr);
  void el.offsetWidth;  // forces a style recalculation between the two states
  el.setAttribute(attr, 'true');
}
