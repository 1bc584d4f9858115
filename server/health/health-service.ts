import { db } from '@/server/db';

/** Whether this process can do its work: for now, that the database answers. */
export async function checkHealth(): Promise<{ ok: true } | { ok: false; database: 'unreachable' }> {
  try {
    await db.$queryRaw`SELECT 1`;
    return { ok: true };
  } catch {
    return { ok: false, database: 'unreachable' };
  }
}
