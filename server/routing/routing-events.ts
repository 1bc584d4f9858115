// Routing changes travel through PostgreSQL NOTIFY, so every web process hears every change and any
// process can serve any browser. One LISTEN connection per process fans out to local subscribers.
import { EventEmitter, on } from 'node:events';
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

  /** Resolves at the next change for the clinic, after `timeoutMs`, or when `signal` aborts. */
  async nextChange(clinicId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.ensureListening().catch(() => {});
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      for await (const _ of on(this.emitter, clinicId, { signal: combined })) return;
    } catch {
      // Timed out or aborted: the caller re-reads state either way.
    }
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
