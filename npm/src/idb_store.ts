// The browser's persistent session store: IndexedDB behind a memory mirror. Self-contained
// (no DOM, no `window`): it runs in pages, dedicated workers and shared workers alike.
//
// Why a mirror: the core's store is synchronous (core/include/mqttws/session_store.hpp:
// every call completes before it returns) and IndexedDB is not. Every call the core makes
// (wasm/src/host_store.hpp) updates the mirror at once, so nothing accepted is ever lost and
// load() answers synchronously from it, and queues the matching IndexedDB write. The writes
// of one synchronous run (a burst of publish() calls, the acknowledgements of one WebSocket
// message) are one transaction, committed from a microtask with durability 'strict' (the
// contract is durability; 'relaxed' measured only 10 % faster, the cost being IndexedDB's
// round trip, not the disk), and one at a time: what the session stores while one is being
// written goes in the next (a group commit). Measured in Chromium: 1000 QoS 1/2 messages
// behind a Receive Maximum of 10 in about 320 transactions (one per acknowledgement: 1501).
// Durability before sending is kept by the driver's host (core.ts): while writes are
// uncommitted it holds back the bytes the core sends, in order, until the transaction
// holding those writes has completed (mark() / whenDurable()). So a PUBLISH never leaves
// before its packet identifier is stored, nor a PUBREL before its stage: the contract the
// native file store keeps with fsync().
//
// Failures are never silent and lose nothing already accepted: when IndexedDB cannot be
// opened (no `indexedDB`, a private mode refusing it, another page holding this client's
// store) or a write fails (QuotaExceededError, or not committed within 10 s: the packets
// waiting for it would stall the connection), `onError` gets one failure (an MqttError's
// message and code: `store_failed`, or `store_in_use` for the lock) and the store goes on as
// a memory store: held packets are released, the session keeps every message. It then also
// removes this client's records from the database (best effort), so that a later page does
// not resend what this one completed meanwhile.
//
// Layout: database `name` (version 1), object stores "outgoing" (key [clientId, sequence],
// value { p: packet id, s: stage, v: protocol version, b: encoded PUBLISH }) and "incoming"
// (key [clientId, packet id]): one database may hold the sessions of several client ids.
// One client at a time owns a (name, clientId) pair: a Web Lock (navigator.locks, where there
// is one) is taken for it, waited for up to 2 s (a reloading page's predecessor releases it
// as it unloads).
//
// Loaded on first use, as a chunk of its own in the browser build (dist/idb_store.mjs, by
// client.ts's import()): pages that keep their session in memory do not download it. It
// imports nothing, so that the chunk shares no code with the main bundle (a shared module
// would become a third file every page loads): failures are reported as text and a code, and
// the caller makes the MqttError.

/** The codes of the failures a store reports (MqttError codes). */
export type StoreFailure = 'store_failed' | 'store_in_use';

/** What the wasm core calls, synchronously (wasm/src/host_store.hpp). */
export interface StoreHost {
  save(sequence: number, packetId: number, stage: number, version: number,
       packet: Uint8Array): void;
  remove(sequence: number): void;
  saveIncoming(packetId: number): void;
  removeIncoming(packetId: number): void;
  clear(): void;
  /** Five entries per message (sequence, packet id, stage, version, packet), then the ids. */
  load(): { m: Array<number | Uint8Array>; i: number[] };
}

/** A StoreHost whose writes become durable later: what the driver's host waits for. */
export interface DurableStore extends StoreHost {
  /** A mark for every write made so far; 0 when they are all durable already. */
  mark(): number;
  /** True once the writes up to `mark` are durable, or given up (memory only). */
  durable(mark: number): boolean;
  /** Calls `f` (once) when the writes up to `mark` are durable, or given up (memory only). */
  whenDurable(mark: number, f: () => void): void;
  /** Closes the database once every write is committed; the store is not used after it. */
  close(): void;
}

const OUT = 'outgoing';
/** Ms a write transaction may take before the store gives up on IndexedDB. */
const commitTimeout = 10000;
const IN = 'incoming';
type Rec = { p: number; s: number; v: number; b: Uint8Array };
type Locks = {
  request(name: string, o: object, cb: (lock: unknown) => Promise<void>): Promise<void>;
};

const describe = (e: unknown) => {
  const x = e as { name?: string; message?: string } | null;
  return x?.name ? `${x.name}: ${x.message}` : String(e);
};

/**
 * Opens the IndexedDB store of `clientId` in database `name` and fills its mirror. Never
 * rejects: a store that cannot be opened reports why to `onError` (once) and is a memory
 * store. For a worker owning the connection (`shared: true`) as well as a page.
 */
export async function openIndexedDbStore(
  name: string, clientId: string, onError: (message: string, code: StoreFailure) => void,
): Promise<DurableStore> {
  const s = new IdbStore(name, clientId, onError);
  await s.open();
  return s;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

class IdbStore implements DurableStore {
  #name: string;
  #id: string;
  #onError: (message: string, code: StoreFailure) => void;
  #db: IDBDatabase | undefined;
  #out = new Map<number, Rec>();
  #in = new Set<number>();
  // Writes not yet in a transaction: a record, or null for a delete.
  #writesOut = new Map<number, Rec | null>();
  #writesIn = new Map<number, boolean>();
  #clearFirst = false;
  /** Batches begun (the one collecting writes included) and batches committed. */
  #begun = 0;
  #committed = 0;
  #collecting = false;
  /** A write transaction is under way: the next batch collects until it has completed. */
  #writing = false;
  #waiters: Array<[number, () => void]> = [];
  #unlock: (() => void) | undefined;
  #failed = false;

  constructor(name: string, clientId: string, onError: (message: string, code: StoreFailure) => void) {
    this.#name = name;
    this.#id = clientId;
    this.#onError = onError;
  }

  #range(): IDBKeyRange {
    return IDBKeyRange.bound([this.#id], [this.#id, Infinity]);
  }

  async open(): Promise<void> {
    try {
      const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
      if (!factory) throw new Error('IndexedDB is not available here');
      const locks = (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks;
      if (locks && !await this.#lock(locks)) {
        this.#fail(undefined, `the IndexedDB store "${this.#name}" of client "${this.#id}" is ` +
          'in use by another page or worker; this client keeps its session in memory only');
        return;
      }
      const open = factory.open(this.#name, 1);
      open.onupgradeneeded = () => {
        open.result.createObjectStore(OUT);
        open.result.createObjectStore(IN);
      };
      const db = await request(open);
      // A newer version elsewhere, or the browser deleting the data: memory only from then on.
      db.onversionchange = () => this.#fail(new Error('the database is being upgraded or deleted'));
      db.onclose = () => this.#fail(new Error('the browser closed the database'));
      const tx = db.transaction([OUT, IN], 'readonly');
      const out = tx.objectStore(OUT);
      const [keys, values, incoming] = await Promise.all([
        request(out.getAllKeys(this.#range())), request(out.getAll(this.#range())),
        request(tx.objectStore(IN).getAllKeys(this.#range()))]);
      keys.forEach((k, i) => this.#out.set((k as [string, number])[1], values[i] as Rec));
      for (const k of incoming) this.#in.add((k as [string, number])[1]);
      this.#db = db;
    } catch (e) {
      this.#fail(e);
    }
  }

  /** This client's Web Lock on the store, waited for up to 2 s; false if another holds it. */
  #lock(locks: Locks): Promise<boolean> {
    return new Promise((resolve) => {
      const signal = AbortSignal.timeout(2000);
      locks.request(`mqttws-store:${this.#name}:${this.#id}`, { signal }, () => {
        resolve(true);
        return new Promise<void>((r) => { this.#unlock = r; });
      }).catch(() => resolve(false));
    });
  }

  // ---- StoreHost: the mirror at once, the database in the next batch --------------------------

  save(sequence: number, packetId: number, stage: number, version: number,
       packet: Uint8Array): void {
    const r = { p: packetId, s: stage, v: version, b: packet.slice() };
    this.#out.set(sequence, r);
    this.#write(this.#writesOut, sequence, r);
  }

  remove(sequence: number): void {
    this.#out.delete(sequence);
    this.#write(this.#writesOut, sequence, null);
  }

  saveIncoming(packetId: number): void {
    this.#in.add(packetId);
    this.#write(this.#writesIn, packetId, true);
  }

  removeIncoming(packetId: number): void {
    this.#in.delete(packetId);
    this.#write(this.#writesIn, packetId, false);
  }

  clear(): void {
    this.#out.clear();
    this.#in.clear();
    this.#writesOut.clear();
    this.#writesIn.clear();
    this.#clearFirst = true;
    this.#begin();
  }

  load(): { m: Array<number | Uint8Array>; i: number[] } {
    const m: Array<number | Uint8Array> = [];
    for (const seq of [...this.#out.keys()].sort((a, b) => a - b)) {
      const r = this.#out.get(seq)!;
      m.push(seq, r.p, r.s, r.v, r.b);
    }
    return { m, i: [...this.#in].sort((a, b) => a - b) };
  }

  // ---- durability -------------------------------------------------------------------------------

  mark(): number {
    return this.#committed < this.#begun ? this.#begun : 0;
  }

  durable(mark: number): boolean {
    return mark <= this.#committed;
  }

  whenDurable(mark: number, f: () => void): void {
    if (this.durable(mark)) f();
    else this.#waiters.push([mark, f]);
  }

  close(): void {
    this.whenDurable(this.mark(), () => {
      this.#db?.close();
      this.#db = undefined;
      this.#unlock?.();
    });
  }

  #write<K, V>(writes: Map<K, V>, key: K, value: V): void {
    if (!this.#db) return;  // memory only
    writes.set(key, value);
    this.#begin();
  }

  #begin(): void {
    if (!this.#db || this.#collecting) return;
    this.#collecting = true;
    ++this.#begun;
    if (!this.#writing) queueMicrotask(() => this.#commit());
  }

  /**
   * The collecting batch as one transaction. One at a time (a group commit): what arrives
   * while one is being written waits for it and goes in the next, so a busy session writes
   * fewer, larger transactions — one per acknowledgement would be one per round trip.
   */
  #commit(): void {
    const db = this.#db;
    if (!db || !this.#collecting || this.#writing) return;
    const n = this.#begun;
    this.#collecting = false;
    let tx: IDBTransaction | undefined;
    try {
      tx = db.transaction([OUT, IN], 'readwrite', { durability: 'strict' });
      const out = tx.objectStore(OUT);
      const inc = tx.objectStore(IN);
      if (this.#clearFirst) {
        out.delete(this.#range());
        inc.delete(this.#range());
      }
      for (const [seq, r] of this.#writesOut) {
        if (r) out.put(r, [this.#id, seq]);
        else out.delete([this.#id, seq]);
      }
      for (const [id, present] of this.#writesIn) {
        if (present) inc.put(1, [this.#id, id]);
        else inc.delete([this.#id, id]);
      }
      const t = tx;
      this.#writing = true;
      // Packets wait for this transaction: one that never ends would stall the connection
      // (keep alive included), so it is a failure like any other.
      const stuck = setTimeout(() => this.#fail(new Error(
        `a write was not committed within ${commitTimeout / 1000} s`)), commitTimeout);
      t.oncomplete = () => {
        clearTimeout(stuck);
        this.#writing = false;
        this.#done(n);
        this.#commit();
      };
      t.onabort = () => {
        clearTimeout(stuck);
        this.#fail(t.error ?? new Error('transaction aborted'));
      };
    } catch (e) {
      // put() refusing a value, a closed database: none of this batch may commit half done.
      try {
        tx?.abort();
      } catch {
        // not active any more
      }
      this.#fail(e);
    } finally {
      this.#clearFirst = false;
      this.#writesOut.clear();
      this.#writesIn.clear();
    }
  }

  #done(n: number): void {
    if (n > this.#committed) this.#committed = n;
    const ready = this.#waiters.filter(([m]) => m <= this.#committed);
    this.#waiters = this.#waiters.filter(([m]) => m > this.#committed);
    for (const [, f] of ready) f();
  }

  /** Memory only from now on: reported once, held packets released, stale records removed. */
  /** `inUse`: the message of a store_in_use failure (else store_failed, from `cause`). */
  #fail(cause: unknown, inUse?: string): void {
    if (this.#failed) return;
    this.#failed = true;
    const db = this.#db;
    this.#db = undefined;
    this.#writesOut.clear();
    this.#writesIn.clear();
    this.#collecting = false;
    this.#done(this.#begun);
    if (db) {
      try {
        const tx = db.transaction([OUT, IN], 'readwrite');
        tx.objectStore(OUT).delete(this.#range());
        tx.objectStore(IN).delete(this.#range());
      } catch {
        // the database is gone: nothing stale is left to remove
      }
      db.close();
    }
    this.#unlock?.();
    if (inUse) {
      this.#onError(inUse, 'store_in_use');
    } else {
      this.#onError(`the IndexedDB store "${this.#name}" failed (${describe(cause)}); this ` +
        'client keeps its session in memory only from now on: messages are no longer kept ' +
        'across a reload', 'store_failed');
    }
  }
}
