// The clinic's call menu against the real PostgreSQL: saving versions, refusing a broken menu with its problems
// (through the tRPC caller and the route the browser uses), figures from IVR events, and one clinic at a time.
import { describe, expect, it } from 'vitest';
import { createTrpcHandler } from '@/app/api/trpc/[trpc]/handler';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import type { IvrEventKind } from '@/server/db/generated/enums';
import { createClinic, createStaff, staffPrincipal } from '@/server/testing/factories';
import type { MenuTree } from '@/server/shared/schemas/ivr';
import { defaultMenu } from './default-menu';
import { liveMenu, menuFigures, saveMenu } from './menu-service';
import type { MenuProblem } from './validate-menu';

const caller = (principal: Principal) => createCaller(createContext(principal));

async function clinicWithAdmin() {
  const clinic = await createClinic();
  const admin = staffPrincipal(await createStaff(clinic.id, 'ADMIN'));
  return { clinic, admin };
}

/** The default menu with the main prompt changed, so two versions can be told apart. */
function menuSaying(words: string): MenuTree {
  const tree = defaultMenu();
  tree.nodes[0]!.prompt = { en: words, zh: `${words}（中文）` };
  return tree;
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as { code?: string; cause?: { reason?: string; problems?: MenuProblem[] } },
  );
  expect(error, 'the call should have been refused').not.toBeNull();
  // Through the caller a TRPCError whose cause is the domain's refusal; from the service, the refusal itself.
  const domain = (error!.cause ?? error) as { reason?: string; problems?: MenuProblem[] };
  return { code: error!.code, reason: domain.reason ?? null, problems: domain.problems ?? null };
}

describe('the call menu (real PostgreSQL)', () => {
  it('is the default menu, version 0, until an admin saves one; a save is live at once and audited', async () => {
    const { clinic, admin } = await clinicWithAdmin();
    expect(await liveMenu(clinic.id)).toEqual({ version: 0, tree: defaultMenu() });
    const before = await caller(admin).ivrMenu.live();
    expect(before).toMatchObject({ version: 0, tree: defaultMenu(), savedAt: null });
    expect(before.queues.map((q) => q.slug)).toEqual(['follow-up', 'specialist']);

    const saved = await caller(admin).ivrMenu.save({ tree: menuSaying('Welcome to Riverside Clinic.') });
    expect(saved.version).toBe(1);
    expect(await liveMenu(clinic.id)).toEqual({ version: 1, tree: menuSaying('Welcome to Riverside Clinic.') });
    const second = await saveMenu(admin, menuSaying('Second version.'));
    expect(second.version).toBe(2);
    expect((await liveMenu(clinic.id)).tree.nodes[0]!.prompt.en).toBe('Second version.');
    expect(await db.ivrMenu.findMany({ where: { clinicId: clinic.id }, select: { version: true, savedById: true }, orderBy: { version: 'asc' } })).toEqual([
      { version: 1, savedById: admin.id },
      { version: 2, savedById: admin.id },
    ]);
    const audits = await db.auditEvent.findMany({ where: { clinicId: clinic.id, action: 'ivr.menu-saved' }, orderBy: { subject: 'asc' } });
    expect(audits.map((a) => [a.actor, a.subject, a.outcome])).toEqual([
      [`staff:${admin.id}`, `IvrMenu/${clinic.id}/1`, 'success'],
      [`staff:${admin.id}`, `IvrMenu/${clinic.id}/2`, 'success'],
    ]);
  });

  it('refuses a broken menu naming node and field, and the menu before stays live', async () => {
    const { clinic, admin } = await clinicWithAdmin();
    await saveMenu(admin, menuSaying('The good one.'));
    const broken = menuSaying('The broken one.');
    broken.nodes[1]!.options[1]!.digit = '1';
    broken.nodes[0]!.defaultDigit = '8';
    const refused = await refusal(caller(admin).ivrMenu.save({ tree: broken }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', reason: 'invalidMenu' });
    expect(refused.problems!.map(({ nodeId, field, problem }) => ({ nodeId, field, problem }))).toEqual([
      { nodeId: 'main', field: 'defaultDigit', problem: 'defaultNotAnOption' },
      { nodeId: 'see-doctor', field: 'options.1.digit', problem: 'duplicateDigit' },
    ]);
    // A queue of another clinic is no queue of this one.
    const elsewhere = defaultMenu('cardiology');
    const other = await createClinic();
    await db.queue.create({ data: { clinicId: other.id, slug: 'cardiology', name: 'Cardiology' } });
    expect((await refusal(saveMenu(admin, elsewhere))).problems!.map((p) => [p.field, p.problem])).toEqual([
      ['options.0.action.queueSlug', 'unknownQueue'],
      ['options.1.action.queueSlug', 'unknownQueue'],
    ]);
    expect(await liveMenu(clinic.id)).toEqual({ version: 1, tree: menuSaying('The good one.') });
    expect(await db.ivrMenu.count({ where: { clinicId: clinic.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { clinicId: clinic.id, action: 'ivr.menu-saved' } })).toBe(1);
  });

  it('hands the browser the problems in error.data, with the reason', async () => {
    const { admin } = await clinicWithAdmin();
    const handler = createTrpcHandler(async () => admin);
    const broken = defaultMenu();
    broken.nodes[0]!.title.zh = '';
    const response = await handler(
      new Request('http://127.0.0.1/api/trpc/ivrMenu.save', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tree: broken }),
      }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { data: { reason: string; problems: MenuProblem[] } } };
    expect(body.error.data.reason).toBe('invalidMenu');
    expect(body.error.data.problems).toEqual([{ nodeId: 'main', field: 'title.zh', problem: 'invalid', message: 'Node "main", title.zh, must not be empty.' }]);
  });

  it('gives two admins saving at once each their own version, nothing half written', async () => {
    const { clinic, admin } = await clinicWithAdmin();
    const other = staffPrincipal(await createStaff(clinic.id, 'ADMIN'));
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => saveMenu(i % 2 ? other : admin, menuSaying(`Save ${i}.`))));
    const saved = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.version] : []));
    // A save that lost every retry fails cleanly as "try again"; the others have consecutive versions.
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT', reason: 'retry' });
    expect(saved.length).toBeGreaterThanOrEqual(1);
    expect([...saved].sort()).toEqual(Array.from({ length: saved.length }, (_, i) => i + 1));
    expect(await db.ivrMenu.count({ where: { clinicId: clinic.id } })).toBe(saved.length);
    expect(await db.auditEvent.count({ where: { clinicId: clinic.id, action: 'ivr.menu-saved' } })).toBe(saved.length);
    expect((await liveMenu(clinic.id)).version).toBe(saved.length);
  });

  it('is for administrators only', async () => {
    const { clinic } = await clinicWithAdmin();
    const doctor = staffPrincipal(await createStaff(clinic.id, 'CLINICIAN'));
    expect((await refusal(caller(doctor).ivrMenu.save({ tree: defaultMenu() }))).code).toBe('FORBIDDEN');
    expect((await refusal(caller(doctor).ivrMenu.figures({}))).code).toBe('FORBIDDEN');
    expect((await refusal(saveMenu(doctor, defaultMenu()))).code).toBe('FORBIDDEN');
    expect(await db.ivrMenu.count({ where: { clinicId: clinic.id } })).toBe(0);
  });
});

type EventSpec = { node: string; kind: IvrEventKind; digit?: string; ms?: number };

/** One caller's way through the menu: their events in order, a second apart. */
async function callThrough(clinicId: string, menuVersion: number, events: EventSpec[]) {
  const session = await db.callSession.create({ data: { clinicId, room: `call-${Math.random().toString(36).slice(2)}`, locale: 'zh_CN', menuVersion } });
  const start = Date.now() - 60_000;
  for (const [i, e] of events.entries()) {
    await db.ivrEvent.create({
      data: {
        sessionId: session.id,
        clinicId,
        menuVersion,
        nodeId: e.node,
        kind: e.kind,
        digit: e.digit ?? null,
        durationMs: e.ms ?? null,
        at: new Date(start + i * 1000),
      },
    });
  }
}

describe('the call menu figures (real PostgreSQL)', () => {
  it('counts entries, choices, time spent, hang-ups, invalid keys and timeouts per node of the live version', async () => {
    const { clinic, admin } = await clinicWithAdmin();
    const { version } = await saveMenu(admin, defaultMenu());
    // Caller 1: presses 7 (no option), then 1; in the submenu waits once, then 2 (a queue).
    await callThrough(clinic.id, version, [
      { node: 'main', kind: 'ENTER' },
      { node: 'main', kind: 'INVALID', digit: '7', ms: 3000 },
      { node: 'main', kind: 'CHOICE', digit: '1', ms: 5000 },
      { node: 'see-doctor', kind: 'ENTER' },
      { node: 'see-doctor', kind: 'TIMEOUT', ms: 8000 },
      { node: 'see-doctor', kind: 'CHOICE', digit: '2', ms: 11000 },
    ]);
    // Caller 2: 1, back with 9, then hangs up on the main menu.
    await callThrough(clinic.id, version, [
      { node: 'main', kind: 'ENTER' },
      { node: 'main', kind: 'CHOICE', digit: '1', ms: 2000 },
      { node: 'see-doctor', kind: 'ENTER' },
      { node: 'see-doctor', kind: 'CHOICE', digit: '9', ms: 4000 },
      { node: 'main', kind: 'ENTER' },
      { node: 'main', kind: 'HANGUP', ms: 1000 },
    ]);
    // Caller 3: silence three times on the main menu, taking the default (the operator).
    await callThrough(clinic.id, version, [
      { node: 'main', kind: 'ENTER' },
      { node: 'main', kind: 'TIMEOUT', ms: 8000 },
      { node: 'main', kind: 'TIMEOUT', ms: 16000 },
      { node: 'main', kind: 'TIMEOUT', ms: 24000 },
    ]);
    // Events of another version, and of another clinic (on its default menu), count for neither.
    await callThrough(clinic.id, 0, [{ node: 'main', kind: 'ENTER' }]);
    const other = await clinicWithAdmin();
    await callThrough(other.clinic.id, 0, [
      { node: 'main', kind: 'ENTER' },
      { node: 'main', kind: 'HANGUP', ms: 500 },
    ]);

    const figures = await caller(admin).ivrMenu.figures({});
    expect(figures.version).toBe(version);
    expect(figures.events).toBe(16);
    const [main, sub] = figures.nodes;
    expect(main).toEqual({
      nodeId: 'main',
      title: defaultMenu().nodes[0]!.title,
      entries: 4,
      choices: [
        { digit: '1', count: 2 },
        { digit: '2', count: 0 },
        { digit: '3', count: 0 },
        { digit: '4', count: 0 },
        { digit: '0', count: 0 },
      ],
      // Entries left: 5 s, 2 s, 1 s (hung up), 24 s (the default after three silences).
      timeSpentMs: { total: 32000, average: 8000 },
      hangUps: 1,
      invalidKeys: 1,
      timeouts: 3,
    });
    expect(sub).toEqual({
      nodeId: 'see-doctor',
      title: defaultMenu().nodes[1]!.title,
      entries: 2,
      choices: [
        { digit: '1', count: 0 },
        { digit: '2', count: 1 },
        { digit: '9', count: 1 },
      ],
      timeSpentMs: { total: 15000, average: 7500 },
      hangUps: 0,
      invalidKeys: 0,
      timeouts: 1,
    });

    // The other clinic's admin sees their own calls only, on their own (default) menu.
    const theirs = await caller(other.admin).ivrMenu.figures({});
    expect(theirs).toMatchObject({ version: 0, events: 2 });
    expect(theirs.nodes[0]).toMatchObject({ entries: 1, hangUps: 1, timeSpentMs: { total: 500, average: 500 } });
    const oursAtZero = await menuFigures(admin, 0);
    expect(oursAtZero.events).toBe(1);
    expect(oursAtZero.nodes[0]).toMatchObject({ entries: 1, hangUps: 0, timeSpentMs: { total: 0, average: null } });
  });

  it('reads an older version when asked, and refuses one the clinic never had', async () => {
    const { clinic, admin } = await clinicWithAdmin();
    await saveMenu(admin, defaultMenu());
    await saveMenu(admin, menuSaying('Version two.'));
    await callThrough(clinic.id, 1, [{ node: 'see-doctor', kind: 'ENTER' }]);
    expect((await menuFigures(admin, 1)).nodes[1]).toMatchObject({ nodeId: 'see-doctor', entries: 1, timeSpentMs: { total: 0, average: null } });
    expect((await menuFigures(admin)).version).toBe(2);
    expect((await refusal(caller(admin).ivrMenu.figures({ version: 9 }))).code).toBe('NOT_FOUND');
  });
});
