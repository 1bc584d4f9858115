// Prisma CLI configuration (Prisma 6.19, offline).
//
// The classic Rust engines cannot be downloaded here, so the CLI runs the WebAssembly schema engine
// (`engine: 'js'`) through a @prisma/adapter-pg driver adapter. Workarounds for adapter-pg 6.x bugs
// (see ENVIRONMENT.md, "Prisma offline"):
//  1. The schema engine reads catalog columns of type `name` (OID 19) and `"char"` (OID 18), which
//     adapter-pg rejects ("Column type 'name' could not be deserialized", prisma/orm#27403). The
//     adapter picks column types from each field's type OID, so a type parser alone cannot help:
//     our pg Client reports those two OIDs as `text` (their values already arrive as plain strings),
//     and `"char"` columns are then handed to the engine as Character, which it insists on.
//  2. The connection goes in as separate host/port/user/password/database fields; given a connection
//     string, adapter-pg's shadow connection keeps pointing at the main database (P3006).
//  3. The shadow database is created and dropped (WITH (FORCE), after its pool is closed) by us;
//     adapter-pg drops it while its own pool still holds connections and never closes that pool.
//  4. The CLI must exit as soon as its work is done: `allowExitOnIdle` unrefs idle pg connections,
//     and the timeout timers the wasm schema engine arms (10 s, 60 s; its JS glue imports setTimeout
//     but never clearTimeout) are unref'd, otherwise every command lingers until they fire.
//  5. adapter-pg's executeScript splits migration files on every `;` (even inside comments), so a
//     migration with `-- a comment; like this` fails in `migrate deploy`. We send the file whole.
//  6. `prisma generate` needs no database, but when `env("DATABASE_URL")` in schema.prisma cannot be
//     resolved the CLI cannot read the generator's `engineType = "client"` and falls back to
//     downloading the Rust query engine (which fails offline). A placeholder keeps it resolvable;
//     commands that really connect still fail clearly when DATABASE_URL is missing.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

const WASM_TIMER_UNREF_MIN_MS = 1000;
const nativeSetTimeout = globalThis.setTimeout;
const unrefWasmTimers = function (this: unknown, ...args: Parameters<typeof setTimeout>) {
  const timer = nativeSetTimeout.apply(this, args);
  if (Number(args[1]) >= WASM_TIMER_UNREF_MIN_MS && new Error().stack?.includes('wasm://')) timer.unref?.();
  return timer;
};
Object.defineProperties(unrefWasmTimers, Object.getOwnPropertyDescriptors(nativeSetTimeout));
globalThis.setTimeout = unrefWasmTimers as typeof setTimeout;

const databaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ||= 'postgresql://unset@127.0.0.1:1/database_url_not_set';

const OID_CHAR = 18; // "char": one byte, e.g. pg_constraint.contype
const OID_NAME = 19; // name: identifiers in every catalog
const OID_TEXT = 25;
const COLUMN_TYPE_CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

type PgResultLike = { fields?: Array<{ dataTypeID: number }>; rows?: unknown };
type SqlResultSetLike = { columnTypes: number[]; rows: unknown };

// Result rows arrays (passed through unchanged by adapter-pg) -> indexes of their "char" columns.
const charColumnsOf = new WeakMap<object, number[]>();

function retypeCatalogColumns<T>(result: T): T {
  for (const r of (Array.isArray(result) ? result : [result]) as PgResultLike[]) {
    const charColumns: number[] = [];
    r?.fields?.forEach((field, i) => {
      if (field.dataTypeID === OID_CHAR) charColumns.push(i);
      if (field.dataTypeID === OID_CHAR || field.dataTypeID === OID_NAME) field.dataTypeID = OID_TEXT;
    });
    if (charColumns.length && r.rows && typeof r.rows === 'object') charColumnsOf.set(r.rows, charColumns);
  }
  return result;
}

/**
 * pg Client whose results describe `name` and `"char"` columns as `text`, which adapter-pg accepts.
 * Their values are plain strings either way (pg has no parser for these types).
 */
class CatalogAsTextClient extends pg.Client {
  // Covers the promise and callback forms of Client#query (Pool#query uses the callback form).
  /* eslint-disable @typescript-eslint/no-explicit-any -- overrides pg's overloaded query, whose forms return different types */
  override query(...args: unknown[]): any {
    const callSuper = pg.Client.prototype.query as (...a: unknown[]) => any;
    /* eslint-enable @typescript-eslint/no-explicit-any */
    const first = args[0] as { submit?: unknown } | null | undefined;
    if (first && typeof first.submit === 'function') return callSuper.apply(this, args);
    const last = args.length > 1 ? args[args.length - 1] : undefined;
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : retypeCatalogColumns(res));
      return callSuper.apply(this, args);
    }
    return (callSuper.apply(this, args) as Promise<unknown>).then(retypeCatalogColumns);
  }
}

type AdapterLike = {
  queryRaw(query: never): Promise<SqlResultSetLike>;
  executeScript?(script: string): Promise<void>;
  underlyingDriver?(): pg.Pool;
};

/**
 * Fixes on each adapter (and the transactions it starts):
 * - The schema engine reads `"char"` columns as a Rust `char` and panics ("RuntimeError: unreachable")
 *   when given text, so they are reported to it as ColumnType Character (adapter-pg never does).
 * - adapter-pg's executeScript, which applies every migration file, splits the script on each `;`,
 *   even inside comments, string literals and $$ bodies. Send the whole file in one simple-protocol
 *   query instead, as the native engine does (PostgreSQL runs it as one implicit transaction).
 */
function patchAdapter<Q extends AdapterLike>(adapter: Q): Q {
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = (async (query: never) => {
    const resultSet = await queryRaw(query);
    const rows = resultSet.rows;
    const charColumns = rows && typeof rows === 'object' ? charColumnsOf.get(rows) : undefined;
    for (const i of charColumns ?? []) resultSet.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return resultSet;
  }) as Q['queryRaw'];

  const pool = adapter.underlyingDriver?.();
  if (pool && typeof adapter.executeScript === 'function') {
    // adapter-pg's own (protected) mapping of pg errors to Prisma's error kinds.
    const rethrow = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter);
    adapter.executeScript = async (script: string) => {
      try {
        await pool.query(script);
      } catch (error) {
        rethrow(error);
      }
    };
  }

  const tx = adapter as unknown as { startTransaction?: (...a: unknown[]) => Promise<AdapterLike> };
  if (typeof tx.startTransaction === 'function') {
    const startTransaction = tx.startTransaction.bind(adapter);
    tx.startTransaction = async (...a: unknown[]) => patchAdapter(await startTransaction(...a));
  }
  return adapter;
}

type PgFields = Required<Pick<pg.PoolConfig, 'host' | 'port' | 'user' | 'password' | 'database'>>;

function parseDatabaseUrl(raw: string | undefined): { fields: PgFields; schema?: string } {
  if (!raw) throw new Error('DATABASE_URL is not set (expected postgres://user:password@host:port/database)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL has no database name');
  return {
    fields: {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
      port: url.port ? Number(url.port) : 5432,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
    },
    schema: url.searchParams.get('schema') ?? undefined,
  };
}

/** Run one statement on a short-lived connection (CREATE/DROP DATABASE cannot run in a pool transaction). */
async function adminQuery(fields: PgFields, sql: string): Promise<void> {
  const client = new pg.Client(fields);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

type PgPoolSettings = PgFields & Pick<pg.PoolConfig, 'allowExitOnIdle' | 'Client'>;

class OfflinePrismaPg extends PrismaPg {
  constructor(
    private readonly settings: PgPoolSettings,
    options?: ConstructorParameters<typeof PrismaPg>[1],
  ) {
    super(settings, options);
  }

  override async connect(): ReturnType<PrismaPg['connect']> {
    return patchAdapter(await super.connect());
  }

  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const shadow = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    const quoted = `"${shadow}"`;
    await adminQuery(this.settings, `CREATE DATABASE ${quoted}`);
    const drop = () => adminQuery(this.settings, `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    let adapter: Awaited<ReturnType<PrismaPg['connectToShadowDb']>>;
    try {
      // The shadow database has only Prisma's own objects: no custom schema option.
      adapter = await new OfflinePrismaPg({ ...this.settings, database: shadow }).connect();
    } catch (error) {
      await drop().catch(() => {});
      throw error;
    }
    const closePool = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      try {
        await closePool();
      } finally {
        await drop();
      }
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'tsx prisma/seed.ts',
  },
  engine: 'js',
  async adapter() {
    const { fields, schema } = parseDatabaseUrl(databaseUrl);
    return new OfflinePrismaPg({ ...fields, allowExitOnIdle: true, Client: CatalogAsTextClient }, schema ? { schema } : undefined);
  },
});
