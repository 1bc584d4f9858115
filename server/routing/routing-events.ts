// Routing changes travel through PostgreSQL NOTIFY, so every web process hears every change and any
// process can serve any browser. One LISTEN connection per process fans out to local subscribers.
//
// A notification names its clinic and, when the change concerns particular people, who they are:
//   payload = {"c": clinicId, "to": ["clinician:<userId>", "appointment:<appointmentId>", ...]}
// The people named wake at once (a clinician's own offer, a patient's own task). Everyone else who
// watches the clinic (queue boards, positions, wallboards) wakes once per CLINIC_VIEW_INTERVAL_MS at
// most, however many changes there were, and shares one read per process where it can. A bare
// clinic id as the payload (changes made outside the routing hot paths) wakes every view of the
// clinic at once.
//
// A change made by one of the routing statements may also carry the new value of the clinician's own
// desk parts ("own": {"u": userId, "presence"?, "offer"?, "current"?}, server/routing/desk-json.ts):
// the clinician's open desks then show it without reading again.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { DbTx } from '@/server/db';
import type { RawOwnParts } from './desk-json';
import { databaseUrl } from '@/server/env';

export const ROUTING_CHANNEL = 'revisit_routing';

/** How often, at most, views of the whole clinic re-read while changes keep coming. */
export const CLINIC_VIEW_INTERVAL_MS = 400;

export const clinicianTopic = (userId: string) => `clinician:${userId}`;
export const appointmentTopic = (appointmentId: string) => `appointment:${appointmentId}`;

/** Queued inside the caller's transaction: listeners hear it only if the change commits. */
export async function publishRoutingChange(tx: DbTx, clinicId: string, to: string[] = []): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${ROUTING_CHANNEL}, ${routingPayload(clinicId, to)})`;
}

export function routingPayload(clinicId: string, to: string[]): string {
  return to.length === 0 ? clinicId : JSON.stringify({ c: clinicId, to });
}

/**
 * The same payload built inside a SQL statement from its own rows: `clinic` and each of `topics`
 * are SQL expressions (NULL topics are dropped by the listener).
 */
export function routingPayloadSql(clinic: string, topics: string[], own?: string): string {
  return `json_build_object('c', ${clinic}, 'to', json_build_array(${topics.join(', ')})${own ? `, 'own', ${own}` : ''})::text`;
}

/** The SQL expression that sends a routing notification from inside a statement. */
export const notifySql = (clinic: string, topics: string[], own?: string) => `pg_notify('${ROUTING_CHANNEL}', ${routingPayloadSql(clinic, topics, own)})`;

/**
 * The "own" part of a payload: the clinician (`user`, an SQL expression) and the new value of each
 * desk part named in `parts` (SQL expressions for presenceJsonSql, offerJsonSql, currentJsonSql or NULL).
 */
export function ownPartsSql(user: string, parts: { presence?: string; offer?: string; current?: string }): string {
  const fields = Object.entries(parts).map(([name, value]) => `'${name}', ${value}`);
  return `json_build_object('u', ${user}, ${fields.join(', ')})`;
}

type Parsed = { clinicId: string; to: string[]; own: (RawOwnParts & { u: string }) | null };

function parsePayload(payload: string): Parsed | null {
  if (!payload.startsWith('{')) return { clinicId: payload, to: [], own: null };
  try {
    const parsed = JSON.parse(payload) as { c?: unknown; to?: unknown; own?: { u?: unknown } | null };
    if (typeof parsed.c !== 'string') return null;
    const to = Array.isArray(parsed.to) ? parsed.to.filter((t): t is string => typeof t === 'string') : [];
    const own = parsed.own && typeof parsed.own.u === 'string' ? (parsed.own as RawOwnParts & { u: string }) : null;
    return { clinicId: parsed.c, to, own };
  } catch {
    return null;
  }
}

class RoutingListener {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  /** Per clinic: when its views last woke, and whether a trailing wake is already scheduled. */
  private readonly clinicWakes = new Map<string, { last: number; timer: NodeJS.Timeout | null }>();
  /** Bumped at every change of a clinic: lets views share a read made after the latest change. */
  private readonly generations = new Map<string, number>();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl() });
    client.on('notification', (message) => {
      if (message.channel !== ROUTING_CHANNEL || !message.payload) return;
      const parsed = parsePayload(message.payload);
      if (parsed) this.deliver(parsed);
    });
    client.on('error', () => this.reset(client));
    client.on('end', () => this.reset(client));
    await client.connect();
    await client.query(`LISTEN ${ROUTING_CHANNEL}`);
    this.client = client;
  }

  private deliver({ clinicId, to, own }: Parsed) {
    this.generations.set(clinicId, this.generation(clinicId) + 1);
    if (to.length === 0) {
      this.wakeClinicNow(clinicId);
      return;
    }
    const ownTopic = own ? clinicianTopic(own.u) : null;
    for (const topic of new Set(to)) this.emitter.emit(topic, topic === ownTopic ? own : undefined);
    this.wakeClinicSoon(clinicId);
  }

  private wakeClinicNow(clinicId: string) {
    const wakes = this.clinicWakes.get(clinicId);
    if (wakes?.timer) clearTimeout(wakes.timer);
    this.clinicWakes.set(clinicId, { last: Date.now(), timer: null });
    this.emitter.emit(`clinic:${clinicId}`);
  }

  private wakeClinicSoon(clinicId: string) {
    const wakes = this.clinicWakes.get(clinicId);
    if (!wakes) return this.wakeClinicNow(clinicId);
    if (wakes.timer) return;
    const wait = wakes.last + CLINIC_VIEW_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.wakeClinicNow(clinicId);
    wakes.timer = setTimeout(() => this.wakeClinicNow(clinicId), wait);
    wakes.timer.unref();
  }

  /** Changes of the clinic heard so far by this process. */
  generation(clinicId: string): number {
    return this.generations.get(clinicId) ?? 0;
  }

  private reset(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    this.connecting = null;
    // Whoever waits re-reads state on this wake-up, so nothing is missed while reconnecting.
    for (const clinicId of this.generations.keys()) this.generations.set(clinicId, this.generation(clinicId) + 1);
    for (const name of this.emitter.eventNames()) this.emitter.emit(name);
    client.end().catch(() => {});
  }

  async ensureListening(): Promise<void> {
    if (this.client) return;
    this.connecting ??= this.connect().catch((error) => {
      this.connecting = null;
      throw error;
    });
    await this.connecting;
  }

  /**
   * Calls `onChange` for every change of the clinic seen by its views (at most once per
   * CLINIC_VIEW_INTERVAL_MS for targeted changes), for every change naming one of `topics`, and
   * after a reconnect, until unsubscribed. `onChange` is told whether one of its topics was named,
   * and the new desk parts when the change carried them.
   */
  subscribe(clinicId: string, onChange: (own: boolean, parts?: RawOwnParts) => void, topics: string[] = []): () => void {
    this.ensureListening().catch(() => onChange(true));
    const onClinic = () => onChange(false);
    const onOwn = (parts?: RawOwnParts) => onChange(true, parts ?? undefined);
    this.emitter.on(`clinic:${clinicId}`, onClinic);
    for (const topic of topics) this.emitter.on(topic, onOwn);
    return () => {
      this.emitter.off(`clinic:${clinicId}`, onClinic);
      for (const topic of topics) this.emitter.off(topic, onOwn);
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    for (const wakes of this.clinicWakes.values()) if (wakes.timer) clearTimeout(wakes.timer);
    this.clinicWakes.clear();
    await client?.end().catch(() => {});
  }
}

const holder = globalThis as typeof globalThis & { __revisitRoutingListener?: RoutingListener };

export function routingListener(): RoutingListener {
  holder.__revisitRoutingListener ??= new RoutingListener();
  return holder.__revisitRoutingListener;
}

/**
 * One read per process for live views that show the same thing (a clinic's queue board, re-read by
 * every open desk when the clinic's views wake): a read still in flight is shared if it started after
 * the latest change of the clinic this process has heard of. For live views only, which wake again
 * at the next change; a one-off read must not use it.
 */
export function sharedClinicRead<T>(key: string, clinicId: string, read: () => Promise<T>): Promise<T> {
  const generation = routingListener().generation(clinicId);
  const inFlight = sharedReads.get(key);
  if (inFlight && inFlight.generation === generation) return inFlight.value as Promise<T>;
  const value = read();
  sharedReads.set(key, { generation, value });
  const forget = () => {
    if (sharedReads.get(key)?.value === value) sharedReads.delete(key);
  };
  value.then(forget, forget);
  return value;
}
const sharedReads = new Map<string, { generation: number; value: Promise<unknown> }>();

/** Which kinds of change happened since the previous read (`parts`: changes that carried their desk parts). */
export type RoutingChange = { own: boolean; clinic: boolean; parts: boolean };

/**
 * Re-reads `read()` at every routing change of the clinic (and at least every `idleMs`) and yields
 * it whenever it differs. Changes naming one of `topics` wake it at once; other changes of the clinic
 * at most once per CLINIC_VIEW_INTERVAL_MS. The subscription starts before the first read, so no
 * change is missed.
 */
export async function* watchRouting<T>(options: {
  clinicId: string;
  topics?: string[];
  read: (changed: RoutingChange) => Promise<T>;
  /** What identifies a value for "did it change" (default: its JSON). */
  keyOf?: (value: T) => string;
  /** Takes the desk parts a change carried; such a change then only marks `parts`, not `own`. */
  onParts?: (parts: RawOwnParts) => void;
  idleMs: number;
  signal?: AbortSignal;
  onIdle?: (value: T) => Promise<void>;
}): AsyncGenerator<T> {
  let changed: RoutingChange = { own: true, clinic: true, parts: false };
  let wake: (() => void) | null = null;
  const unsubscribe = routingListener().subscribe(
    options.clinicId,
    (own, parts) => {
      if (parts && options.onParts) {
        options.onParts(parts);
        changed.parts = true;
      } else if (own) changed.own = true;
      else changed.clinic = true;
      wake?.();
    },
    options.topics,
  );
  options.signal?.addEventListener('abort', () => wake?.(), { once: true });
  try {
    let previous = '';
    while (!options.signal?.aborted) {
      const why = changed;
      changed = { own: false, clinic: false, parts: false };
      const value = await options.read(why);
      const key = options.keyOf ? options.keyOf(value) : JSON.stringify(value);
      if (key !== previous) {
        previous = key;
        yield value;
      }
      await options.onIdle?.(value);
      if (changed.own || changed.clinic || changed.parts) continue;
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), options.idleMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = null;
      if (timedOut) changed = { own: true, clinic: true, parts: false };
    }
  } finally {
    unsubscribe();
  }
}
