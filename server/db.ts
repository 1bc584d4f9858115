// The one Prisma client (Rust-free, over node-postgres). Imported by the app, scripts and tests,
// so no `server-only` here. Nothing connects until the first query.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from './db/generated/client';
import { databaseUrl, isProduction } from './env';

function createDb() {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl() }) });
}

// One client per process; in development it survives hot reloads instead of leaking pools.
const cache = globalThis as typeof globalThis & { __revisitDb?: ReturnType<typeof createDb> };

export const db = cache.__revisitDb ?? createDb();
if (!isProduction()) cache.__revisitDb = db;

export type Db = typeof db;
/** The client handed to `db.$transaction(async (tx) => ...)`. */
export type DbTx = Prisma.TransactionClient;
