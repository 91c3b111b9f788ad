// Live retained state: client.state(filter), the last message of each topic under a filter as
// a live ReadonlyMap with a subscribe/snapshot pair for React, Svelte and Vue.
//
// The broker subscriptions behind the views (state_source.ts): one per filter, shared by the
// views on it and by the views on filters it covers. Which messages reach a subscription is
// decided by the core, as for subscribe()'s per-subscription handlers (4.7 topic matching, or
// MQTT 5 Subscription Identifiers); a view on a covered filter keeps the topics it matches.

import { rethrowLater, TypedEmitter } from './emitter.js';
import type { MqttError } from './errors.js';
import type { QoS } from './packets.js';
import type { MqttPayload } from './payload.js';
import type { StateSource } from './state_source.js';

/** Options of {@link MqttClient.state}. */
export interface StateOptions {
  /**
   * QoS of the broker subscription (default 0). Views share subscriptions: views on one
   * filter share one, which keeps the QoS of the view that made it; a view on a filter that an
   * open subscription covers at this QoS or higher (`home/+/temp` under `home/#`) uses it and
   * sends no SUBSCRIBE; and a subscription granted for a filter covering open ones, at their
   * QoS or higher, takes them over (their filters are unsubscribed).
   */
  qos?: QoS;
}

/** Options of {@link MqttClient.state} with a `parse` function: the values are its results. */
export interface ParsedStateOptions<T> extends StateOptions {
  /**
   * Turns a message's payload into the view's value for `topic` (e.g.
   * `(payload) => payload.json<Reading>()`), once per message that changes the payload.
   * Returning `undefined` leaves the topic out, as an empty payload does. If it throws, the
   * topic is left out and the error is rethrown from a microtask (an uncaught exception, as
   * for a throwing event listener).
   */
  parse: (payload: MqttPayload, topic: string) => T | undefined;
}

// Map's own iterator types, whatever the TypeScript lib calls them (MapIterator since 5.6).
type Entries<T> = ReturnType<Map<string, T>['entries']>;
type Keys = ReturnType<Map<string, unknown>['keys']>;
type Values<T> = ReturnType<Map<string, T>['values']>;

/** Called with the view's current snapshot: at once, then after each batch of changes. */
export type StateListener<T> = (snapshot: ReadonlyMap<string, T>) => void;

/** A Map copy whose mutators throw: what {@link StateView.snapshot} returns. */
class Snapshot<T> extends Map<string, T> {
  constructor(from: Map<string, T>) {
    super();
    for (const [topic, value] of from) super.set(topic, value);
  }

  override set(): never {
    throw new TypeError('a state snapshot is read-only');
  }

  override delete(): never {
    return this.set();
  }

  override clear(): never {
    return this.set();
  }
}

/**
 * A live view of the last message of each topic matching a filter, from
 * {@link MqttClient.state}: a `ReadonlyMap` from topic to payload (or to what `parse` made of
 * it), kept up to date by the client.
 *
 * - Retained messages fill it when the broker sends them, after granting the subscription;
 *   live messages replace entries. Both kinds update it alike.
 * - An empty payload deletes the topic's entry, retained or not: an empty retained PUBLISH
 *   is how MQTT clears a retained message, and subscribers that are already there receive it
 *   as a live (non-retained) empty message.
 * - A message whose payload equals the entry's changes nothing (no listener call, the same
 *   snapshot): the retained messages resent after a reconnection do not churn a UI.
 * - Reconnection: while offline the entries stay as they were. When a connection does not
 *   resume the session, the client subscribes again and the broker resends its retained
 *   messages, which replace the entries (a Map: no duplicates). An entry whose retained
 *   message was cleared while the client was offline stays until its topic's next message:
 *   MQTT does not say when the resent retained messages are complete, so a view cannot tell
 *   a cleared topic from one not resent yet. A resumed session gets the clearing message
 *   itself (queued by the broker at QoS 1 and 2) and deletes the entry.
 * - After `client.end()` the view keeps its entries and is no longer updated.
 *
 * Iterating it (`for (const [topic, value] of view)`), `keys()`, `values()`, `entries()`,
 * `forEach`, `get`, `has` and `size` read the live entries; {@link snapshot} is an immutable
 * copy that stays the same object until the next change, for UI libraries:
 *
 * ```tsx
 * // React: one view for the app (or per component: create it in an effect, close it in the
 * // effect's cleanup).
 * const temps = client.state('home/+/temp', { parse: (p) => Number(p.toString()) });
 * function Temperatures() {
 *   const snapshot = useSyncExternalStore(temps.subscribe, temps.getSnapshot);
 *   return <ul>{[...snapshot].map(([t, c]) => <li key={t}>{t}: {c} °C</li>)}</ul>;
 * }
 * ```
 *
 * In Svelte the view is a store of its snapshot (`{#each [...$temps] as [topic, c]}`); in Vue,
 * `const snapshot = shallowRef(); onUnmounted(temps.subscribe((s) => (snapshot.value = s)))`.
 */
export class StateView<T = MqttPayload> implements ReadonlyMap<string, T> {
  /** The topic filter, as given to {@link MqttClient.state}. */
  readonly filter: string;

  #source: StateSource;
  #parse: ((payload: MqttPayload, topic: string) => T | undefined) | undefined;
  #values = new Map<string, T>();
  #snapshot: Snapshot<T> | undefined;
  /** The listeners, as `change` listeners (a throwing one does not stop the others). */
  #listeners = new TypedEmitter<{ change: StateListener<T> }>();
  #notifyScheduled = false;
  #closed = false;
  #ready: Promise<void> | undefined;
  #sink = {
    update: (topic: string, payload: MqttPayload | undefined) => {
      if (this.#put(topic, payload)) this.#changed();
    },
    failed: () => this.#changed(),
  };

  /** @internal Use {@link MqttClient.state}. */
  constructor(source: StateSource,
              parse: ((payload: MqttPayload, topic: string) => T | undefined) | undefined) {
    this.filter = source.filter;
    this.#source = source;
    this.#parse = parse;
    for (const [topic, payload] of source.payloads) this.#put(topic, payload);
    source.attach(this.#sink);
  }

  /** Sets or deletes the entry of `topic`; true when that changed the view. */
  #put(topic: string, payload: MqttPayload | undefined): boolean {
    let value: T | undefined;
    if (payload) {
      try {
        value = this.#parse ? this.#parse(payload, topic) : payload as unknown as T;
      } catch (error) {
        rethrowLater(error);
      }
    }
    if (value === undefined) return this.#values.delete(topic);
    if (this.#values.has(topic) && Object.is(this.#values.get(topic), value)) return false;
    this.#values.set(topic, value);
    return true;
  }

  #changed(): void {
    this.#snapshot = undefined;
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    queueMicrotask(() => {
      this.#notifyScheduled = false;
      if (!this.#closed) this.#listeners.emit('change', this.snapshot);
    });
  }

  /**
   * An immutable copy of the entries (its `set`, `delete` and `clear` throw): the same object
   * until the view changes, a new one after. What `getSnapshot` for React's
   * `useSyncExternalStore` must return.
   */
  get snapshot(): ReadonlyMap<string, T> {
    return this.#snapshot ??= new Snapshot(this.#values);
  }

  /** {@link snapshot} as a bound function: `useSyncExternalStore(view.subscribe, view.getSnapshot)`. */
  readonly getSnapshot = (): ReadonlyMap<string, T> => this.snapshot;

  /**
   * Calls `listener(snapshot)` at once and then after each batch of changes, until the
   * returned function is called or the view is closed. Changes made while the client
   * dispatches the messages that arrived together form one batch: the listener runs once,
   * from a microtask, with the new snapshot. Bound to the view, so it can be passed as it is:
   * React's `useSyncExternalStore(view.subscribe, view.getSnapshot)`, and the Svelte store
   * contract (`$view` is the snapshot). If the call at once throws, the listener is not
   * subscribed; later, a throwing listener does not stop the others: its error is rethrown
   * from a microtask. The returned function ends this subscription (calling it again does
   * nothing).
   */
  readonly subscribe = (listener: StateListener<T>): (() => void) => {
    listener(this.snapshot);
    let on = !this.#closed;
    if (on) this.#listeners.on('change', listener);
    return () => {
      if (on) this.#listeners.off('change', listener);
      on = false;
    };
  };

  /**
   * Resolves once the broker granted the view's subscription (at once for a filter another
   * open view holds already); the retained messages follow the grant. Rejects with the
   * MqttError that {@link error} holds.
   */
  get ready(): Promise<void> {
    // Made when first asked for: a failure nobody awaits is no unhandled rejection.
    return this.#ready ??= this.#source.settled.then(() => {
      if (this.#source.error) throw this.#source.error;
    });
  }

  /**
   * Why the view has no subscription, if it has none: an MqttError whose message starts with
   * `state("<filter>")`, code `invalid_topic_filter` for a malformed filter, `invalid_state`
   * for a client that is ending or has ended, `operation_failed` (with `reasonCode`) when the
   * broker refused the subscription. A failure calls the listeners (with a new snapshot, so
   * that `useSyncExternalStore` renders again and can show it).
   */
  get error(): MqttError | undefined {
    return this.#source.error;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops the view: no more updates or listener calls; its entries stay readable. The last
   * open view on a filter unsubscribes it from the broker (an UNSUBSCRIBE, which also ends a
   * `client.subscribe()` of the same filter string). Calling it again does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#source.detach(this.#sink);
  }

  // ---- ReadonlyMap -------------------------------------------------------------------------

  /** The number of topics with an entry. */
  get size(): number {
    return this.#values.size;
  }

  /** The value of `topic`'s last message (its payload, or what `parse` made of it). */
  get(topic: string): T | undefined {
    return this.#values.get(topic);
  }

  /** True when `topic` has an entry. */
  has(topic: string): boolean {
    return this.#values.has(topic);
  }

  /** The [topic, value] entries, in the order the topics first got one. */
  entries(): Entries<T> {
    return this.#values.entries();
  }

  /** The topics with an entry. */
  keys(): Keys {
    return this.#values.keys();
  }

  /** The values, in the order of {@link keys}. */
  values(): Values<T> {
    return this.#values.values();
  }

  /** Calls `callback(value, topic, view)` for each entry. */
  forEach(callback: (value: T, topic: string, view: ReadonlyMap<string, T>) => void,
          thisArg?: unknown): void {
    this.#values.forEach((value, topic) => callback.call(thisArg, value, topic, this));
  }

  /** The same as {@link entries}: `for (const [topic, value] of view)`. */
  [Symbol.iterator](): Entries<T> {
    return this.#values.entries();
  }
}
