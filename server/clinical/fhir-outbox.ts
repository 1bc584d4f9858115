// Writes to FHIR that must not be lost. Each is first committed to the FhirWrite table (with the change
// that caused it, where there is one), then stored on the FHIR server right away; if the server is down,
// the worker retries until it is stored. Any number of processes may deliver at once: a row is claimed
// with FOR UPDATE SKIP LOCKED and a lease, and every resource carries an identifier, so a delivery
// repeated after a crash finds what the first one stored instead of storing it twice.
// A visit record replaces the visit's Encounter and note, so its writes apply in order: a newer write
// supersedes older ones not yet stored, and is not delivered while an older one is being stored.
import { db, type DbTx } from '@/server/db';
import { DomainError, conflict, type ErrorReason } from '@/server/errors';
import { Prisma, type FhirWriteKind } from '@/server/db/generated/client';
import type { FhirGateway } from '@/server/fhir/gateway';
import { startPeriodic } from '@/server/workers/periodic';
import { identifierQuery } from './observation-mapper';

/** Observations are only ever created; an Encounter and its note are created or replaced by identifier. */
export type FhirWritePayload =
  { kind: 'VITALS'; observations: fhir4.Observation[] } | { kind: 'VISIT_RECORD'; encounter: fhir4.Encounter; note: fhir4.DocumentReference };

export type FhirWriteRow = { clinicId: string; patientId: string; appointmentId?: string | null; enteredBy: string; payload: FhirWritePayload };

export const CLAIM_SECONDS = 60;
export const MAX_BACKOFF_SECONDS = 60;
const BATCH_SIZE = 20;

type Claim = { id: string; attempts: number };

export async function enqueueFhirWrite(tx: DbTx, row: FhirWriteRow): Promise<{ id: string }> {
  if (row.payload.kind === 'VISIT_RECORD' && row.appointmentId) {
    // Waiting (or refused) older versions of this visit's record would overwrite this one if stored later.
    await tx.fhirWrite.updateMany({
      where: { kind: 'VISIT_RECORD', appointmentId: row.appointmentId, status: { in: ['PENDING', 'FAILED'] } },
      data: { status: 'SUPERSEDED', lockedUntil: null },
    });
  }
  return tx.fhirWrite.create({
    data: {
      kind: row.payload.kind as FhirWriteKind,
      clinicId: row.clinicId,
      patientId: row.patientId,
      appointmentId: row.appointmentId ?? null,
      enteredBy: row.enteredBy,
      payload: row.payload as unknown as Prisma.InputJsonValue,
    },
    select: { id: true },
  });
}

const plusSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

/** 1, 2, 4 ... seconds, at most a minute: a FHIR server back from a restart gets the backlog quickly. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(0, attempts - 1));
}

// A visit record is not claimed while a newer one of the same visit exists (it is superseded) or while
// another one of the same visit is being stored (they apply one after the other, oldest first).
async function claim(now: Date, filter: { id?: string; limit: number }): Promise<Claim[]> {
  const only = filter.id ? Prisma.sql`AND w.id = ${filter.id}` : Prisma.empty;
  return db.$queryRaw<Claim[]>`
    UPDATE "FhirWrite" SET status = 'STORING', "lockedUntil" = ${plusSeconds(now, CLAIM_SECONDS)}::timestamp, attempts = attempts + 1
    WHERE id IN (
      SELECT w.id FROM "FhirWrite" w
      WHERE ((w.status = 'PENDING' AND w."nextAttemptAt" <= ${now}::timestamp)
          OR (w.status = 'STORING' AND w."lockedUntil" < ${now}::timestamp))
        ${only}
        AND NOT (w.kind = 'VISIT_RECORD' AND EXISTS (
          SELECT 1 FROM "FhirWrite" s
          WHERE s.kind = 'VISIT_RECORD' AND s."appointmentId" = w."appointmentId" AND s.id <> w.id
            AND ((s."createdAt", s.id) > (w."createdAt", w.id)
              OR (s.status = 'STORING' AND s."lockedUntil" >= ${now}::timestamp))))
      ORDER BY w."createdAt", w.id
      LIMIT ${filter.limit}
      FOR UPDATE OF w SKIP LOCKED)
    RETURNING id, attempts`;
}

/** Whether a newer write of the same visit record exists (then this one must never be stored). */
async function isSuperseded(id: string): Promise<boolean> {
  const [row] = await db.$queryRaw<{ superseded: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM "FhirWrite" s
      WHERE s.kind = 'VISIT_RECORD' AND s."appointmentId" = w."appointmentId" AND (s."createdAt", s.id) > (w."createdAt", w.id)
    ) AS superseded
    FROM "FhirWrite" w WHERE w.id = ${id} AND w.kind = 'VISIT_RECORD'`;
  return row?.superseded ?? false;
}

const identifierOf = (resource: { identifier?: fhir4.Identifier[] }) => {
  const identifier = resource.identifier?.[0];
  if (!identifier?.system || !identifier.value) throw new DomainError('BAD_REQUEST', 'A queued FHIR write has no identifier', 'fhirInvalid');
  return identifier;
};

/** Creates the resource unless one with its identifier exists; replaces it when it exists and `replace`. */
async function store<T extends fhir4.Encounter | fhir4.DocumentReference | fhir4.Observation>(gateway: FhirGateway, resource: T, replace: boolean): Promise<T> {
  const identifier = identifierOf(resource);
  if (!replace) return gateway.create(resource, { ifNoneExist: identifierQuery(identifier) });
  const found = await gateway.search<T>(
    resource.resourceType as T['resourceType'],
    { identifier: `${identifier.system}|${identifier.value}` },
    { maxPages: 1 },
  );
  const existing = found.resources[0];
  if (existing?.id) return gateway.update({ ...resource, id: existing.id });
  return gateway.create(resource, { ifNoneExist: identifierQuery(identifier) });
}

export async function deliver(gateway: FhirGateway, payload: FhirWritePayload): Promise<void> {
  if (payload.kind === 'VITALS') {
    for (const observation of payload.observations) await store(gateway, observation, false);
    return;
  }
  const encounter = await store(gateway, payload.encounter, true);
  await store(gateway, { ...payload.note, context: { ...payload.note.context, encounter: [{ reference: `Encounter/${encounter.id}` }] } }, true);
}

export type DeliveryOutcome = 'stored' | 'retrying' | 'failed' | 'superseded' | 'lost';

/**
 * Why the FHIR server refused a write, as the UI says it; the server's own words stay in `lastError` and
 * the log. Only a BAD_REQUEST is permanent, and the gateway gives every one of them `fhirInvalid`.
 */
export type FhirRefusalReason = Extract<ErrorReason, 'fhirInvalid'>;

async function deliverClaimed(gateway: FhirGateway, claimed: Claim, now: () => Date): Promise<DeliveryOutcome> {
  const row = await db.fhirWrite.findUniqueOrThrow({ where: { id: claimed.id }, select: { payload: true } });
  const fence = { id: claimed.id, status: 'STORING', attempts: claimed.attempts } satisfies Prisma.FhirWriteWhereInput;
  try {
    await deliver(gateway, row.payload as unknown as FhirWritePayload);
  } catch (error) {
    const domain = error instanceof DomainError ? error : null;
    // A resource the server refuses will be refused again: kept as FAILED for staff, never dropped.
    const permanent = domain?.code === 'BAD_REQUEST';
    const message = (error as Error).message.slice(0, 500);
    console.warn(`[fhir] queued write ${claimed.id} not stored (attempt ${claimed.attempts}): ${message}`);
    // A newer version of this visit record was saved meanwhile: it carries the change, this one is dropped.
    if (await isSuperseded(claimed.id)) {
      const updated = await db.fhirWrite.updateMany({ where: fence, data: { status: 'SUPERSEDED', lockedUntil: null, lastError: message } });
      return updated.count === 1 ? 'superseded' : 'lost';
    }
    const updated = await db.fhirWrite.updateMany({
      where: fence,
      data: permanent
        ? { status: 'FAILED', lockedUntil: null, lastError: message, failureReason: 'fhirInvalid' satisfies FhirRefusalReason, failedAt: now() }
        : { status: 'PENDING', lockedUntil: null, lastError: message, nextAttemptAt: plusSeconds(now(), retryDelaySeconds(claimed.attempts)) },
    });
    if (updated.count === 0) return 'lost';
    return permanent ? 'failed' : 'retrying';
  }
  const updated = await db.fhirWrite.updateMany({ where: fence, data: { status: 'STORED', storedAt: now(), lockedUntil: null } });
  // Taken over by another worker after the lease ran out: it finds the stored resources by identifier.
  return updated.count === 1 ? 'stored' : 'lost';
}

/** Tries to store one queued write now (right after it was queued); `null` when another process has it. */
export async function deliverNow(gateway: FhirGateway, id: string, now = () => new Date()): Promise<DeliveryOutcome | null> {
  const [claimed] = await claim(now(), { id, limit: 1 });
  if (!claimed) return null;
  return deliverClaimed(gateway, claimed, now);
}

export type DeliverySummary = Record<DeliveryOutcome, number> & { claimed: number };

/** One round: stores every due write, oldest first. */
export async function deliverDueWrites(gateway: FhirGateway, now = () => new Date(), batchSize = BATCH_SIZE): Promise<DeliverySummary> {
  const claims = await claim(now(), { limit: batchSize });
  const summary: DeliverySummary = { claimed: claims.length, stored: 0, retrying: 0, failed: 0, superseded: 0, lost: 0 };
  for (const claimed of claims) {
    try {
      summary[await deliverClaimed(gateway, claimed, now)] += 1;
    } catch (error) {
      // The row stays STORING and is claimed again when its lease ends.
      console.error(`[fhir] queued write ${claimed.id} could not be processed:`, (error as Error).message);
    }
  }
  return summary;
}

/** Retries queued writes every `intervalMs` in this process; returns a stop function. */
export function startFhirWriteWorker(intervalMs: number, gateway: () => FhirGateway): () => void {
  return startPeriodic('fhir', intervalMs, async () => {
    for (let round = 0; round < 5; round++) {
      const summary = await deliverDueWrites(gateway());
      if (summary.claimed < BATCH_SIZE || summary.stored === 0) break;
    }
  });
}

// Refused writes, for the people who must know: read, retried or set aside. Who may do that is decided by
// the caller (failed-writes-service.ts); these only read and change rows.

const refusedWriteSelect = {
  id: true,
  kind: true,
  clinicId: true,
  patientId: true,
  appointmentId: true,
  enteredBy: true,
  status: true,
  attempts: true,
  failureReason: true,
  failedAt: true,
  createdAt: true,
  payload: true,
} satisfies Prisma.FhirWriteSelect;

export type RefusedWriteRow = Prisma.FhirWriteGetPayload<{ select: typeof refusedWriteSelect }>;

/** A clinic's writes the FHIR server refused and nobody has retried or dismissed, newest first. */
export function findFailedByClinic(clinicId: string, limit: number): Promise<RefusedWriteRow[]> {
  return db.fhirWrite.findMany({
    where: { clinicId, status: 'FAILED' },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: refusedWriteSelect,
  });
}

/** A patient's writes of these kinds that were refused (dismissed ones too: they are not stored either) since `since`. */
export function findRefusedByPatient(patientId: string, kinds: readonly FhirWriteKind[], since: Date): Promise<RefusedWriteRow[]> {
  return db.fhirWrite.findMany({
    where: { patientId, kind: { in: [...kinds] }, status: { in: ['FAILED', 'DISMISSED'] }, createdAt: { gte: since } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: refusedWriteSelect,
  });
}

export function findRefusedById(id: string): Promise<RefusedWriteRow | null> {
  return db.fhirWrite.findUnique({ where: { id }, select: refusedWriteSelect });
}

/** Why this write was refused, if it was. */
export async function refusalOf(id: string): Promise<FhirRefusalReason | null> {
  const row = await db.fhirWrite.findUnique({ where: { id }, select: { status: true, failureReason: true } });
  return row?.status === 'FAILED' ? ((row.failureReason ?? 'fhirInvalid') as FhirRefusalReason) : null;
}

/** A refused write goes back to the queue as if new (attempts from zero); CONFLICT unless it is FAILED right now. */
export async function requeueFailedWrite(tx: DbTx, id: string, now: Date): Promise<void> {
  const updated = await tx.fhirWrite.updateMany({
    where: { id, status: 'FAILED' },
    data: { status: 'PENDING', attempts: 0, nextAttemptAt: now, lockedUntil: null, failureReason: null, failedAt: null },
  });
  if (updated.count !== 1) throw conflict('This write is no longer waiting for a decision', 'writeNotFailed');
}

/** A refused write is set aside: never delivered; CONFLICT unless it is FAILED right now. */
export async function dismissFailedWrite(tx: DbTx, id: string): Promise<void> {
  const updated = await tx.fhirWrite.updateMany({ where: { id, status: 'FAILED' }, data: { status: 'DISMISSED', lockedUntil: null } });
  if (updated.count !== 1) throw conflict('This write is no longer waiting for a decision', 'writeNotFailed');
}
