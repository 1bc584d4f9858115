import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { db } from '@/server/db';
import { createClinic, createStaff, staffPrincipal } from '@/server/testing/factories';

const settings = {
  requiredSkills: [],
  preferredClinicianSeconds: 0,
  agingSecondsPerPriority: 60,
  serviceLevelSeconds: 120,
  offerTimeoutSeconds: 20,
  wrapUpSeconds: 0,
  overflowAfterSeconds: 300,
  maxWaitSeconds: null,
};

describe('queue settings (real PostgreSQL, through the router)', () => {
  it('refuses overflow in a circle of any length and keeps the queues as they were', async () => {
    const clinic = await createClinic();
    const admin = await createStaff(clinic.id, 'ADMIN');
    const queues = caller(admin).queues;
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((slug) => db.queue.create({ data: { clinicId: clinic.id, slug: `circle-${slug}`, name: `Queue ${slug}` } })),
    );
    const save = (queue: { id: string; name: string }, overflowQueueId: string) =>
      queues.update({ queueId: queue.id, name: queue.name, ...settings, overflowQueueId });

    await save(a!, b!.id);
    await expect(save(b!, a!.id)).rejects.toMatchObject({ code: 'BAD_REQUEST', cause: expect.objectContaining({ reason: 'overflowCycle' }) });
    await save(b!, c!.id);
    await expect(save(c!, a!.id)).rejects.toMatchObject({ code: 'BAD_REQUEST', cause: expect.objectContaining({ reason: 'overflowCycle' }) });
    await expect(queues.update({ queueId: a!.id, name: a!.name, ...settings, overflowQueueId: a!.id })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    const after = await db.queue.findMany({ where: { id: { in: [a!.id, b!.id, c!.id] } }, select: { id: true, overflowQueueId: true } });
    expect(Object.fromEntries(after.map((q) => [q.id, q.overflowQueueId]))).toEqual({ [a!.id]: b!.id, [b!.id]: c!.id, [c!.id]: null });
    // A chain that ends, and one that merges into another chain without returning, are fine.
    await save(c!, clinic.followUpQueueId);
  });

  it("refuses another clinic's queue as the overflow target", async () => {
    const clinic = await createClinic();
    const other = await createClinic();
    const admin = await createStaff(clinic.id, 'ADMIN');
    const queue = await db.queue.findUniqueOrThrow({ where: { id: clinic.followUpQueueId } });
    await expect(
      caller(admin).queues.update({ queueId: queue.id, name: queue.name, ...settings, overflowQueueId: other.followUpQueueId }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await db.queue.findUniqueOrThrow({ where: { id: queue.id } })).overflowQueueId).toBeNull();
  });
});

function caller(user: { id: string; name: string; clinicId: string; role: 'ADMIN' | 'CLINICIAN' | 'NURSE' }) {
  return createCaller(createContext(staffPrincipal(user)));
}
