// The one Prisma client (Rust-free, over node-postgres). Imported by the app, scripts and tests,
// so no `server-only` here. Nothing connects until the first query.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from './db/generated/client';

function createDb() {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }) });
}

// One client per process; in development it survives hot reloads instead of leaking pools.
const cache = globalThis as typeof globalThis & { __revisitDb?: ReturnType<typeof createDb> };

export const db = cache.__revisitDb ?? createDb();
if (process.env.NODE_ENV !== 'production') cache.__revisitDb = db;

export type Db = typeof db;
/** The client handed to `db.$transaction(async (tx) => ...)`. */
export type DbTx = Prisma.TransactionClient;
