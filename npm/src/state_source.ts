// The broker side of client.state(): the subscriptions behind the views, and the last payload
// of each topic they delivered. One subscription serves every view whose filter it covers:
//  - views on one filter string share its source (reference counted by the views attached);
//  - a view on a filter an open subscription covers (home/+/temp under home/#, at no higher
//    QoS) gets a derived source fed by that subscription's messages: no SUBSCRIBE;
//  - a subscription that covers sources opened before it takes them over once granted: they
//    become derived and their own filters are unsubscribed.
// Messages reach a subscription through subscribe()'s per-subscription handler (the core
// decides which subscriptions a message belongs to); a derived source keeps those of its
// parent whose topics match its filter (covers(), below).

import type { MqttClient } from './client.js';
import { MqttError } from './errors.js';
import type { QoS } from './packets.js';
import type { MqttPayload } from './payload.js';
import { StateView, type StateOptions } from './state.js';

const EMPTY = new Uint8Array(0) as MqttPayload;

/**
 * True when every topic `inner` matches is matched by `outer` (both valid filters; a topic
 * name is a filter without wildcards), per MQTT 4.7: `+` one level, `#` this level and all
 * below it, and a wildcard first level never matching a `$` topic.
 */
export function covers(outer: string, inner: string): boolean {
  const o = outer.split('/'), i = inner.split('/');
  if (inner.startsWith('$') && (o[0] === '+' || o[0] === '#')) return false;
  for (let k = 0; k < o.length; k++) {
    if (o[k] === '#') return true;
    if (k >= i.length || i[k] === '#' || (o[k] !== '+' && o[k] !== i[k])) return false;
  }
  return o.length === i.length;
}

/** What a view hears from its source. */
interface Sink {
  /** `topic`'s payload changed; undefined: its entry is deleted. */
  update(topic: string, payload: MqttPayload | undefined): void;
  /** The subscription failed: {@link StateSource.error} says why. */
  failed(): void;
}

function samePayload(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** @internal One filter's subscription and entries. */
export class StateSource {
  /** The last non-empty payload of each topic. */
  readonly payloads = new Map<string, MqttPayload>();
  /** Why there is no subscription (set once, with {@link settled}). */
  error: MqttError | undefined;
  /** Resolves (never rejects) once the subscription was granted or failed. */
  readonly settled: Promise<void>;
  /** False once the subscription failed or the client ended: nothing to unsubscribe. */
  live = true;
  #sinks = new Set<Sink>();
  #settle!: () => void;
  #settledYet = false;
  #release: () => void;
  /** The subscription feeding a derived source (none: this source has its own). */
  parent: StateSource | undefined;
  /** How a derived source hears its parent. */
  readonly sink: Sink = {
    update: (topic, payload) => {
      if (covers(this.filter, topic)) this.receive(topic, payload ?? EMPTY);
    },
    failed: () => this.settle(this.parent?.error),
  };

  /** `release` ends what feeds it: its subscription, or its attachment to a parent. */
  constructor(readonly filter: string, readonly qos: QoS, release: () => void) {
    this.settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.#release = release;
  }

  /**
   * Feeds this source from `parent` from now on: the entries of `parent` it matches, then its
   * messages. Settles when `parent` does (at once if it has).
   */
  derive(parent: StateSource, release: () => void): void {
    this.parent = parent;
    this.#release = release;
    for (const [topic, payload] of parent.payloads) this.sink.update(topic, payload);
    parent.attach(this.sink);
    void parent.settled.then(() => this.settle(parent.error));
  }

  attach(sink: Sink): void {
    this.#sinks.add(sink);
  }

  /** Detaches a view; the last one releases the subscription. */
  detach(sink: Sink): void {
    if (this.#sinks.delete(sink) && !this.#sinks.size && this.live) {
      this.live = false;
      this.#release();
    }
  }

  /** A message for this subscription (from the client's message dispatch). */
  receive(topic: string, payload: MqttPayload): void {
    const old = this.payloads.get(topic);
    if (payload.length === 0) {
      if (!this.payloads.delete(topic)) return;
    } else {
      if (old && samePayload(old, payload)) return;
      this.payloads.set(topic, payload);
    }
    for (const sink of this.#sinks) sink.update(topic, payload.length ? payload : undefined);
  }

  /** The SUBACK (no error) or the failure; the first call counts. */
  settle(error?: MqttError): void {
    if (this.#settledYet) return;
    this.#settledYet = true;
    if (error) {
      this.error = new MqttError(`state("${this.filter}"): ${error.message}`, error.code,
                                 error.reasonCode);
      this.live = false;
      for (const sink of this.#sinks) sink.failed();
    }
    this.#settle();
  }
}

/** @internal A client's sources, by filter: what {@link MqttClient.state} opens views on. */
export class StateRegistry {
  #client: MqttClient;
  #sources = new Map<string, StateSource>();

  constructor(client: MqttClient) {
    this.#client = client;
  }

  open<T>(filter: string, options: StateOptions,
          parse: ((payload: MqttPayload, topic: string) => T | undefined) | undefined): StateView<T> {
    let source = this.#sources.get(filter);
    if (!source?.live) {
      const qos = options.qos ?? 0;
      const s = source = new StateSource(filter, qos, () => this.#release(s));
      this.#sources.set(filter, s);
      const parent = this.#covering(s);
      if (parent) {
        s.derive(parent, () => this.#detach(s));
      } else {
        // At once, even while an UNSUBSCRIBE of the filter is on its way: the broker takes
        // both in order, and the core's UNSUBACK ends only the subscriptions made before it.
        this.#subscribe(s);
      }
    }
    return new StateView<T>(source, parse);
  }

  /** A live subscription (of a source of its own) that covers `s` at its QoS or higher. */
  #covering(s: StateSource): StateSource | undefined {
    for (const other of this.#sources.values()) {
      if (other !== s && other.live && !other.parent && other.qos >= s.qos &&
          !other.error && covers(other.filter, s.filter)) {
        return other;
      }
    }
    return undefined;
  }

  #subscribe(source: StateSource): void {
    this.#client.subscribe(source.filter, {
      qos: source.qos, handler: (topic, payload) => source.receive(topic, payload),
    }, (error, granted) => {
      const code = granted?.[0]?.qos ?? 0;
      if (!error && code >= 0x80) {
        error = new MqttError('the broker refused the subscription', 'operation_failed', code);
      }
      if (error) this.#drop(source);
      source.settle(error);
      if (!error && source.live && !source.parent) this.#adopt(source);
    });
  }

  /**
   * `source` was granted: the sources with subscriptions of their own that it covers become
   * derived from it, and their filters are unsubscribed (what arrives through both meanwhile
   * changes nothing twice: an equal payload is no change).
   */
  #adopt(source: StateSource): void {
    for (const other of this.#sources.values()) {
      if (other === source || !other.live || other.parent || other.qos > source.qos ||
          !covers(source.filter, other.filter)) continue;
      other.derive(source, () => this.#detach(other));
      this.#client.unsubscribe(other.filter);
    }
  }

  #drop(source: StateSource): void {
    if (this.#sources.get(source.filter) === source) this.#sources.delete(source.filter);
  }

  /** The last view of a source with its own subscription closed. */
  #release(source: StateSource): void {
    const filter = source.filter;
    this.#drop(source);
    this.#client.unsubscribe(filter);
  }

  /** The last view of a derived source closed: it lets go of its parent. */
  #detach(source: StateSource): void {
    this.#drop(source);
    source.parent?.detach(source.sink);
  }

  /** The client ended: the views keep their entries, nothing is unsubscribed. */
  ended(): void {
    for (const source of this.#sources.values()) {
      source.live = false;
      source.settle(new MqttError('the client ended', 'invalid_state'));
    }
    this.#sources.clear();
  }
}
