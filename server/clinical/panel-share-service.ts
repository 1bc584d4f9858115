// Shared panels: the clinician puts one panel on everyone's screen. PostgreSQL holds what is shared now
// (one row per consult); the data channel only says "the share changed" with the panel kind and share id,
// and each participant then fetches the panel here, which answers only while that share is current.
import { randomUUID } from 'node:crypto';
import type { Principal } from '@/server/auth/session-types';
import { db, type Db, type DbTx } from '@/server/db';
import { registerChartAccessRule } from '@/server/fhir/patient-access';
import { forbidden } from '@/server/errors';
import { recordAudit } from '@/server/audit/audit-service';
import type { FhirGateway } from '@/server/fhir/gateway';
import { authorizeConsult } from '@/server/consult/consult-access';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { auditRead, authorizeChartRead } from './chart-access';
import { searchActiveMedications, vitalTrend } from './chart-service';
import { buildChart } from './chart-mapper';
import type { SharePanelInput } from './schemas';

export type CurrentShare = { shareId: string; kind: SharePanelInput['kind']; vital: string | null; sharedAt: string } | null;

const shareSelect = { shareId: true, kind: true, vital: true, sharedAt: true } as const;
const asShare = (row: { shareId: string; kind: string; vital: string | null; sharedAt: Date } | null): CurrentShare =>
  row ? { shareId: row.shareId, kind: row.kind as SharePanelInput['kind'], vital: row.vital, sharedAt: row.sharedAt.toISOString() } : null;

export async function sharePanel(principal: Principal, input: SharePanelInput): Promise<NonNullable<CurrentShare>> {
  const participant = await authorizeConsult(principal, input.appointmentId, { purpose: 'clinical', careTeam: true });
  const fields = {
    shareId: randomUUID(),
    kind: input.kind,
    vital: input.kind === 'vitalsChart' ? input.vital : null,
    careNote: input.kind === 'carePlan' ? input.note : null,
    sharedById: participant.actor,
    sharedAt: new Date(),
  };
  const row = await db.$transaction(async (tx) => {
    const saved = await tx.sharedPanel.upsert({
      where: { appointmentId: input.appointmentId },
      create: { appointmentId: input.appointmentId, ...fields },
      update: fields,
      select: shareSelect,
    });
    await recordAudit(tx, {
      actor: participant.actor,
      action: 'clinical.panel-shared',
      clinicId: participant.appointment.clinicId,
      patientId: participant.appointment.patient.id,
      subject: `Appointment/${input.appointmentId}`,
      detail: { shareId: fields.shareId, kind: fields.kind, vital: fields.vital },
    });
    return saved;
  });
  return asShare(row)!;
}

export async function stopSharing(principal: Principal, appointmentId: string): Promise<{ stopped: boolean }> {
  const participant = await authorizeConsult(principal, appointmentId, { purpose: 'clinical', open: false, careTeam: true });
  return db.$transaction(async (tx) => {
    const removed = await tx.sharedPanel.deleteMany({ where: { appointmentId } });
    if (removed.count > 0) {
      await recordAudit(tx, {
        actor: participant.actor,
        action: 'clinical.panel-unshared',
        clinicId: participant.appointment.clinicId,
        patientId: participant.appointment.patient.id,
        subject: `Appointment/${appointmentId}`,
      });
    }
    return { stopped: removed.count > 0 };
  });
}

/** What is shared in this consult now (no clinical data): how late joiners catch up. */
export async function currentShare(principal: Principal, appointmentId: string): Promise<CurrentShare> {
  await authorizeConsult(principal, appointmentId, { purpose: 'clinical' });
  return asShare(await db.sharedPanel.findUnique({ where: { appointmentId }, select: shareSelect }));
}

export type SharedPanelView =
  | { shareId: string; kind: 'vitalsChart'; trend: Awaited<ReturnType<typeof vitalTrend>> }
  | { shareId: string; kind: 'medications'; medications: ReturnType<typeof buildChart>['medications'] }
  | { shareId: string; kind: 'carePlan'; note: string };

/** The shared panel's content, for a participant, only while this very share is current. */
export async function sharedPanelView(
  gateway: () => FhirGateway,
  principal: Principal,
  input: { appointmentId: string; shareId: string },
  now = new Date(),
): Promise<SharedPanelView> {
  const participant = await authorizeConsult(principal, input.appointmentId, { purpose: 'clinical' });
  const share = await db.sharedPanel.findUnique({ where: { appointmentId: input.appointmentId } });
  if (!share || share.shareId !== input.shareId) throw forbidden('This panel is no longer shared', 'notShared');
  if (share.kind === 'carePlan') return { shareId: share.shareId, kind: 'carePlan', note: share.careNote ?? '' };
  const patient = await authorizeChartRead(principal, participant.appointment.patient.id);
  let view: SharedPanelView;
  if (share.kind === 'medications') {
    const meds = await searchActiveMedications(gateway(), patient);
    const { medications } = buildChart(
      { patient: { resourceType: 'Patient' }, observations: [], conditions: [], allergies: [], encounters: [], documents: [], ...meds },
      now,
    );
    view = { shareId: share.shareId, kind: 'medications', medications };
  } else {
    const vital = (share.vital ?? 'bloodPressure') as Parameters<typeof vitalTrend>[2];
    view = { shareId: share.shareId, kind: 'vitalsChart', trend: await vitalTrend(gateway(), patient, vital, now) };
  }
  await auditRead(principal, patient, `shared-panel ${share.kind} Appointment/${input.appointmentId} share ${share.shareId}`);
  return view;
}

/**
 * Participants of a consult in which a panel is shared now may read that panel's part of the chart,
 * beyond the "own chart" and "own clinic" rules: the care team of the consult (a specialist from another
 * clinic comes in this way). Guests never do: the consult's clinical access and the chart rule both refuse them.
 */
registerChartAccessRule({
  name: 'consult-shared-panel',
  async admits(principal, patient, client) {
    const shares = await client.sharedPanel.findMany({
      select: { appointmentId: true },
      where: { appointmentId: { in: await openAppointmentsOf(client, patient.id) } },
    });
    for (const share of shares) {
      const participant = await authorizeConsult(principal, share.appointmentId, { purpose: 'clinical' }).catch(() => null);
      if (participant) return true;
    }
    return false;
  },
});

async function openAppointmentsOf(client: Db | DbTx, patientId: string): Promise<string[]> {
  const rows = await client.appointment.findMany({
    where: { patientId, status: { notIn: [...CLOSED_VISIT_STATUSES] } },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}
