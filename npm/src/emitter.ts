// A small typed event emitter: browsers have no Node `events` module, and the package must
// not need polyfills. Same method names as Node's EventEmitter for the common subset.

/** Throws `error` from a microtask: to the host (an uncaught exception), the caller goes on. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** Event emitter typed by an event map: `{ name: (args) => void }`. */
export class TypedEmitter<Events extends { [E in keyof Events]: Listener }> {
  #listeners = new Map<keyof Events, Listener[]>();

  /** Adds `listener` for `event`. */
  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners.get(event);
    if (list) list.push(listener);
    else this.#listeners.set(event, [listener]);
    return this;
  }

  /** Alias of {@link on}. */
  addListener<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.on(event, listener);
  }

  /** Adds `listener` for the next `event` only. */
  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    const wrapper = Object.assign((...args: unknown[]) => {
      this.off(event, wrapper as unknown as Events[E]);
      listener(...args);
    }, { listener });
    return this.on(event, wrapper as unknown as Events[E]);
  }

  /** Removes one registration of `listener` for `event`. */
  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners.get(event);
    // A once() registration is found by its original listener too.
    const i = list ? list.findIndex((l) => l === listener ||
                                           (l as { listener?: Listener }).listener === listener)
                   : -1;
    if (list && i >= 0) {
      list.splice(i, 1);
      if (!list.length) this.#listeners.delete(event);
    }
    return this;
  }

  /** Alias of {@link off}. */
  removeListener<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.off(event, listener);
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls the listeners of `event` in order; true if there were any. A listener that throws
   * does not stop the others: the exception is rethrown asynchronously.
   */
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): boolean {
    const list = this.#listeners.get(event);
    if (!list) return false;
    for (const listener of [...list]) {
      try {
        listener(...args);
      } catch (e) {
        rethrowLater(e);
      }
    }
    return true;
  }
}
