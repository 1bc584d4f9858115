import { db } from '@/server/db';

export const dynamic = 'force-dynamic';

/** Liveness for scripts and load balancers: the web process is up and the database answers. */
export async function GET() {
  try {
    await db.$queryRaw`SELECT 1`;
    return Response.json({ status: 'ok' });
  } catch {
    return Response.json({ status: 'degraded', database: 'unreachable' }, { status: 503 });
  }
}
