// The set of rooms, discovered from the devices' own messages: there is no room list in the
// dashboard, a card appears with the first state message of a room it has not seen.

import { RoomCard } from './room_card.js';
import type { RoomActions } from './room_actions.js';

export class Rooms {
  readonly #grid: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #actions: RoomActions;
  readonly #cards = new Map<string, RoomCard>();

  /** `grid` receives the cards; `empty` is shown while there are none. */
  constructor(grid: HTMLElement, empty: HTMLElement, actions: RoomActions) {
    this.#grid = grid;
    this.#empty = empty;
    this.#actions = actions;
  }

  /** The card of room `id`, created (in name order) if it is new. */
  card(id: string): RoomCard {
    let card = this.#cards.get(id);
    if (card) return card;
    card = new RoomCard(id, this.#actions);
    this.#cards.set(id, card);
    const title = card.title;
    const next = [...this.#cards.values()]
      .filter((c) => c !== card && compare(c.title, title) > 0)
      .sort((a, b) => compare(a.title, b.title))[0];
    this.#grid.insertBefore(card.element, next?.element ?? null);
    this.#empty.hidden = true;
    return card;
  }

  /** Removes every card (a new client starts from what its broker says). */
  clear(): void {
    for (const card of this.#cards.values()) card.destroy();
    this.#cards.clear();
    this.#empty.hidden = false;
  }
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const compare = (a: string, b: string) => collator.compare(a, b);
