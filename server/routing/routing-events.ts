// Routing changes travel through PostgreSQL NOTIFY, so every web process hears every change and any
// process can serve any browser. One LISTEN connection per process fans out to local subscribers.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { DbTx } from '@/server/db';

export const ROUTING_CHANNEL = 'revisit_routing';

/** Queued inside the caller's transaction: listeners hear it only if the change commits. */
export async function publishRoutingChange(tx: DbTx, clinicId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${ROUTING_CHANNEL}, ${clinicId})`;
}

class RoutingListener {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    client.on('notification', (message) => {
      if (message.channel === ROUTING_CHANNEL && message.payload) this.emitter.emit(message.payload);
    });
    client.on('error', () => this.reset(client));
    client.on('end', () => this.reset(client));
    await client.connect();
    await client.query(`LISTEN ${ROUTING_CHANNEL}`);
    this.client = client;
  }

  private reset(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    this.connecting = null;
    // Whoever waits re-reads state on this wake-up, so nothing is missed while reconnecting.
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

  /** Calls `onChange` at every change for the clinic (and after a reconnect) until unsubscribed. */
  subscribe(clinicId: string, onChange: () => void): () => void {
    this.ensureListening().catch(() => onChange());
    this.emitter.on(clinicId, onChange);
    return () => this.emitter.off(clinicId, onChange);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    await client?.end().catch(() => {});
  }
}

const holder = globalThis as typeof globalThis & { __revisitRoutingListener?: RoutingListener };

export function routingListener(): RoutingListener {
  holder.__revisitRoutingListener ??= new RoutingListener();
  return holder.__revisitRoutingListener;
}

/**
 * Re-reads `read()` at every routing change of the clinic (and at least every `idleMs`) and yields
 * it whenever it differs. The subscription starts before the first read, so no change is missed.
 */
export async function* watchRouting<T>(options: {
  clinicId: string;
  read: () => Promise<T>;
  idleMs: number;
  signal?: AbortSignal;
  onIdle?: (value: T) => Promise<void>;
}): AsyncGenerator<T> {
  let dirty = true;
  let wake: (() => void) | null = null;
  const unsubscribe = routingListener().subscribe(options.clinicId, () => {
    dirty = true;
    wake?.();
  });
  options.signal?.addEventListener('abort', () => wake?.(), { once: true });
  try {
    let previous = '';
    while (!options.signal?.aborted) {
      dirty = false;
      const value = await options.read();
      const key = JSON.stringify(value);
      if (key !== previous) {
        previous = key;
        yield value;
      }
      await options.onIdle?.(value);
      if (dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.idleMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    unsubscribe();
  }
}
