import { checkHealth } from '@/server/health/health-service';

export const dynamic = 'force-dynamic';

/** Liveness for scripts and load balancers: the web process is up and the database answers. */
export async function GET() {
  const health = await checkHealth();
  if (health.ok) return Response.json({ status: 'ok' });
  return Response.json({ status: 'degraded', database: health.database }, { status: 503 });
}
