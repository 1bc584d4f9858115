// A clinic's call menu: the live version the agents play, the administrators' saves (each a new version, the
// old ones kept for the figures of the calls that heard them) and the per-node figures of a version.
import { requireAdmin } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import { db, type DbTx } from '@/server/db';
import type { Prisma } from '@/server/db/generated/client';
import { conflict, notFound } from '@/server/errors';
import type { MenuTree } from '@/server/shared/schemas/ivr';
import { defaultMenu } from './default-menu';
import { InvalidMenuError, validateMenu } from './validate-menu';

export type LiveMenu = { version: number; tree: MenuTree };

/** Two saves at once both take the next version; the unique (clinicId, version) refuses one, which tries again. */
const SAVE_ATTEMPTS = 3;

const isUniqueViolation = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';

async function newestMenu(client: DbTx | typeof db, clinicId: string) {
  return client.ivrMenu.findFirst({
    where: { clinicId },
    orderBy: { version: 'desc' },
    select: { version: true, tree: true, createdAt: true } satisfies Prisma.IvrMenuSelect,
  });
}

/** What callers of the clinic hear now: its newest saved menu, or version 0, the default menu, before any save. */
export async function liveMenu(clinicId: string): Promise<LiveMenu> {
  const row = await newestMenu(db, clinicId);
  // Saved only through saveMenu, which validated it.
  return row ? { version: row.version, tree: row.tree as unknown as MenuTree } : { version: 0, tree: defaultMenu() };
}

async function queueSlugsOf(client: DbTx | typeof db, clinicId: string): Promise<string[]> {
  const queues = await client.queue.findMany({ where: { clinicId }, select: { slug: true } satisfies Prisma.QueueSelect, orderBy: { createdAt: 'asc' } });
  return queues.map((queue) => queue.slug);
}

/** The editor's view: the live menu, when it was saved (shown in the clinic's time zone), and the queues an option can name. */
export async function menuForAdmin(principal: Principal) {
  const admin = requireAdmin(principal, 'Only clinic administrators manage the call menu');
  const [row, queues, clinic] = await Promise.all([
    newestMenu(db, admin.clinicId),
    db.queue.findMany({ where: { clinicId: admin.clinicId }, select: { slug: true, name: true } satisfies Prisma.QueueSelect, orderBy: { createdAt: 'asc' } }),
    db.clinic.findUniqueOrThrow({ where: { id: admin.clinicId }, select: { timeZone: true } satisfies Prisma.ClinicSelect }),
  ]);
  return {
    version: row?.version ?? 0,
    tree: row ? (row.tree as unknown as MenuTree) : defaultMenu(),
    savedAt: row?.createdAt.toISOString() ?? null,
    timeZone: clinic.timeZone,
    queues,
  };
}

/**
 * Saves `tree` as the clinic's next version, live at once for new calls. A tree that breaks a rule is refused
 * (BAD_REQUEST invalidMenu with every problem) and the live version stays.
 */
export async function saveMenu(principal: Principal, tree: unknown): Promise<LiveMenu> {
  const admin = requireAdmin(principal, 'Only clinic administrators manage the call menu');
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction(async (tx) => {
        const result = validateMenu(tree, { queueSlugs: await queueSlugsOf(tx, admin.clinicId) });
        if (!result.ok) throw new InvalidMenuError(result.problems);
        const version = ((await newestMenu(tx, admin.clinicId))?.version ?? 0) + 1;
        await tx.ivrMenu.create({
          data: { clinicId: admin.clinicId, version, tree: result.tree as unknown as Prisma.InputJsonValue, savedById: admin.id },
        });
        await recordAudit(tx, {
          actor: `staff:${admin.id}`,
          action: 'ivr.menu-saved',
          clinicId: admin.clinicId,
          subject: `IvrMenu/${admin.clinicId}/${version}`,
          detail: { version, nodes: result.tree.nodes.length },
        });
        return { version, tree: result.tree };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (attempt >= SAVE_ATTEMPTS) throw conflict('Another administrator saved the menu at the same moment. Please try again.', 'retry');
    }
  }
}

export type NodeFigures = {
  nodeId: string;
  title: MenuTree['nodes'][number]['title'];
  /** Callers who entered the node (each entry, also by back or after a takeover). */
  entries: number;
  /** Keys pressed that were options, per digit: every option of the node, then any other digit recorded. */
  choices: { digit: string; count: number }[];
  /** Time on the node per entry the caller left (by a key, silence or hanging up): the last event's durationMs. */
  timeSpentMs: { total: number; average: number | null };
  hangUps: number;
  invalidKeys: number;
  timeouts: number;
};

export type MenuFigures = { version: number; nodes: NodeFigures[]; events: number };

/** One row per node: each entry's time on it, the durationMs of its last event (the one leaving it). */
type TimeRow = { nodeId: string; visits: number; totalMs: number | bigint };

async function timeOnNodes(clinicId: string, version: number): Promise<TimeRow[]> {
  // An entry runs from an ENTER to the session's next ENTER; durationMs counts from the ENTER, so the entry's
  // time is the largest durationMs among its events. Events before a session's first ENTER belong to no entry.
  return db.$queryRaw<TimeRow[]>`
    WITH numbered AS (
      SELECT "sessionId", "nodeId", "durationMs",
             SUM(CASE WHEN kind = 'ENTER' THEN 1 ELSE 0 END) OVER (PARTITION BY "sessionId" ORDER BY at, id) AS entry
      FROM "IvrEvent"
      WHERE "clinicId" = ${clinicId} AND "menuVersion" = ${version}
    ), entries AS (
      SELECT "nodeId", MAX("durationMs") AS ms FROM numbered WHERE entry > 0 GROUP BY "sessionId", entry, "nodeId"
    )
    SELECT "nodeId", COUNT(ms)::int AS visits, COALESCE(SUM(ms), 0)::bigint AS "totalMs" FROM entries GROUP BY "nodeId"`;
}

async function treeOfVersion(clinicId: string, version: number | undefined): Promise<LiveMenu> {
  if (version === undefined) return liveMenu(clinicId);
  const row = await db.ivrMenu.findUnique({ where: { clinicId_version: { clinicId, version } }, select: { tree: true } satisfies Prisma.IvrMenuSelect });
  if (row) return { version, tree: row.tree as unknown as MenuTree };
  if (version === 0) return { version: 0, tree: defaultMenu() };
  throw notFound('This clinic has no such version of the call menu', 'notFound');
}

/** How callers went through each node of the live version (or `version`), from the clinic's own IVR events. */
export async function menuFigures(principal: Principal, version?: number): Promise<MenuFigures> {
  const admin = requireAdmin(principal, 'Only clinic administrators see the call menu figures');
  const menu = await treeOfVersion(admin.clinicId, version);
  const [counts, times] = await Promise.all([
    db.ivrEvent.groupBy({
      by: ['nodeId', 'kind', 'digit'],
      where: { clinicId: admin.clinicId, menuVersion: menu.version },
      _count: { _all: true },
      orderBy: [{ nodeId: 'asc' }, { kind: 'asc' }, { digit: 'asc' }],
    }),
    timeOnNodes(admin.clinicId, menu.version),
  ]);
  const nodes = menu.tree.nodes.map((node): NodeFigures => {
    const mine = counts.filter((row) => row.nodeId === node.id);
    const count = (kind: string) => mine.filter((row) => row.kind === kind).reduce((sum, row) => sum + row._count._all, 0);
    const chosen = new Map<string, number>(node.options.map((option) => [option.digit, 0]));
    for (const row of mine) if (row.kind === 'CHOICE' && row.digit !== null) chosen.set(row.digit, (chosen.get(row.digit) ?? 0) + row._count._all);
    const time = times.find((row) => row.nodeId === node.id);
    const total = Number(time?.totalMs ?? 0);
    return {
      nodeId: node.id,
      title: node.title,
      entries: count('ENTER'),
      choices: [...chosen].map(([digit, n]) => ({ digit, count: n })),
      timeSpentMs: { total, average: time && time.visits > 0 ? Math.round(total / time.visits) : null },
      hangUps: count('HANGUP'),
      invalidKeys: count('INVALID'),
      timeouts: count('TIMEOUT'),
    };
  });
  return { version: menu.version, nodes, events: counts.reduce((sum, row) => sum + row._count._all, 0) };
}
