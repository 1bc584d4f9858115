// The routing hot paths (becoming available, dispatch rounds, accept, complete, the sweeper) run as
// single SQL statements on a small node-postgres pool of their own: one round trip each, without
// the ORM's per-statement cost. Everything else in the app keeps using Prisma (server/db.ts).
//
// Timestamps: the schema's `timestamp(3)` columns hold UTC wall-clock time (as Prisma writes them).
// Parameters are passed as ISO strings (`toISOString()`, always UTC) and cast with `::timestamp(3)`,
// which drops the trailing `Z`; results are parsed back as UTC whatever the process's time zone is.
import pg from 'pg';
import { databaseUrl } from '@/server/env';

const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);

const routingTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function createPool(settings: string) {
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    max: 10,
    allowExitOnIdle: true,
    types: routingTypes,
    // The routing statements are planned once per connection: their best plan does not depend on the
    // parameters (ids, times), and planning the large CTEs again at every call cost more than running them.
    options: `-c plan_cache_mode=force_generic_plan ${settings}`.trim(),
  });
  // An idle connection that drops is replaced on the next query; nothing to do here.
  pool.on('error', () => {});
  return pool;
}

const holder = globalThis as typeof globalThis & { __revisitRoutingPool?: pg.Pool; __revisitSoftStatePool?: pg.Pool };

function pool(): pg.Pool {
  holder.__revisitRoutingPool ??= createPool('');
  return holder.__revisitRoutingPool;
}

// Becoming available and the offers of a dispatch round change only state that routing recreates by
// itself: they commit without waiting for PostgreSQL to flush its log to disk. A crash of PostgreSQL
// (not of a web process) may lose such a change made within the last fraction of a second, and only
// if no durable change followed: a durable commit flushes everything logged before it, so an accept
// (durable) never depends on an offer that could be lost. After such a loss a clinician appears in
// their previous state (they press "available" again) and a task is waiting again instead of offered.
// Everything that ends or assigns a task, changes a visit or writes an audit event stays durable.
function softStatePool(): pg.Pool {
  holder.__revisitSoftStatePool ??= createPool('-c synchronous_commit=off');
  return holder.__revisitSoftStatePool;
}

/**
 * A statement for the routing pool; `name` makes PostgreSQL keep its plan per connection.
 * `softState`: it only changes presence or makes offers (see softStatePool).
 */
export type RoutingStatement = { name: string; text: string; softState?: true };

export type Queryable = Pick<pg.PoolClient, 'query'>;

export async function routingQuery<Row extends pg.QueryResultRow>(
  statement: RoutingStatement,
  values: unknown[],
  client: Queryable = statement.softState ? softStatePool() : pool(),
): Promise<Row[]> {
  const result = await client.query<Row>({ name: statement.name, text: statement.text, values });
  return result.rows;
}

/** Runs `work` in one transaction on one connection of the routing pool. */
export async function inRoutingTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export const sqlTime = (date: Date) => date.toISOString();

/** Closes the pool (scripts and tests that end their process cleanly). */
export async function closeRoutingPool(): Promise<void> {
  const open = [holder.__revisitRoutingPool, holder.__revisitSoftStatePool];
  holder.__revisitRoutingPool = undefined;
  holder.__revisitSoftStatePool = undefined;
  await Promise.all(open.map((p) => p?.end()));
}

/** PostgreSQL's error codes for a serialization failure and a deadlock: the statement may be retried. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** Runs a one-statement change again, once, if PostgreSQL broke a deadlock by cancelling it (nothing was written). */
export async function retryOnceOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isRetryable(error)) throw error;
    return run();
  }
}
