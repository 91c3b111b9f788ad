// The broker side of client.state(): one subscription per filter string, shared by the open
// views on it (reference counted by the views attached), and the last payload of each topic it
// delivered. Messages reach it through subscribe()'s per-subscription handler: the core
// decides which subscriptions a message belongs to.

import type { MqttClient } from './client.js';
import { MqttError } from './errors.js';
import type { QoS } from './packets.js';
import type { MqttPayload } from './payload.js';
import { StateView, type StateOptions } from './state.js';

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

  constructor(readonly filter: string, release: () => void) {
    this.settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.#release = release;
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
      const s = source = new StateSource(filter, () => this.#release(s));
      this.#sources.set(filter, s);
      // At once, even while an UNSUBSCRIBE of the filter is on its way: the broker takes both
      // in order, and the core's UNSUBACK ends only the subscriptions made before it.
      this.#subscribe(s, options.qos ?? 0);
    }
    return new StateView<T>(source, parse);
  }

  #subscribe(source: StateSource, qos: QoS): void {
    this.#client.subscribe(source.filter, {
      qos, handler: (topic, payload) => source.receive(topic, payload),
    }, (error, granted) => {
      const code = granted?.[0]?.qos ?? 0;
      if (!error && code >= 0x80) {
        error = new MqttError('the broker refused the subscription', 'operation_failed', code);
      }
      if (error) this.#drop(source);
      source.settle(error);
    });
  }

  #drop(source: StateSource): void {
    if (this.#sources.get(source.filter) === source) this.#sources.delete(source.filter);
  }

  #release(source: StateSource): void {
    const filter = source.filter;
    this.#drop(source);
    this.#client.unsubscribe(filter);
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
