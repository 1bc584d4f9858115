// The patient's side of the call: in their consult's room from the device check on, listening to the clinic's
// agent, and publishing camera and microphone only once a clinician has taken the call.
import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { PatientPrincipal } from '@/server/auth/guards';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { consultRoomName } from '@/server/consult/consult-service';
import { env } from '@/server/env';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { FOLLOW_UP_QUEUE_SLUG } from '@/server/routing/routing-config';
import { permissionsOf, type ParticipantMetadata } from '@/server/shared/consult-policy';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { hasTelehealthConsent } from '@/server/visit/consent-service';
import type { AppLocale } from '@/server/shared/i18n/locales';
import { AGENT_STAGES, liveSessionOfRoom, openCallSession } from './call-sessions';
import { requestRoomAgent } from './job-queue';

const LIVE_TASK_STATES = ['WAITING', 'OFFERED', 'ASSIGNED'] as const;

export type PatientCall = {
  serverUrl: string;
  token: string;
  room: string;
  identity: string;
  stage: 'MENU' | 'WAITING' | 'CONSULT';
  /** What the patient may do once the consult starts (the consult room's panels). */
  role: 'patient';
  partyRole: 'PATIENT';
  permissions: ReturnType<typeof permissionsOf>;
};

/**
 * Opens (or reopens, after a reload or a dropped network) the patient's call: their live session in the consult's
 * room, an agent asked for while they are in the menu or the wait, and a token that publishes only once the
 * consult has started.
 */
export async function startPatientCall(
  gateway: LivekitGateway,
  principal: PatientPrincipal,
  options: { audioOnly: boolean; locale: AppLocale },
  now = new Date(),
): Promise<PatientCall> {
  if (!(await hasTelehealthConsent(principal.appointmentId))) {
    throw forbidden('Please read and accept the telehealth consent first.', 'consentRequired');
  }
  const appointment = await db.appointment.findUnique({
    where: { id: principal.appointmentId },
    select: { id: true, clinicId: true, status: true, callRoom: true },
  });
  if (!appointment) throw notFound('This visit does not exist', 'notFound');
  if (CLOSED_VISIT_STATUSES.has(appointment.status)) throw conflict('This visit is cancelled or has ended', 'revoked');

  const room = consultRoomName(appointment);
  const task = await db.task.findFirst({ where: { appointmentId: appointment.id, state: { in: [...LIVE_TASK_STATES] } }, select: { state: true } });
  // The same visit by phone, still in the menu or the wait: that call is the patient's place; video joins it only
  // once a clinician has it (the step up), so the phone's menu and the page never run side by side.
  if (appointment.callRoom && task?.state !== 'ASSIGNED') {
    const phone = await db.callSession.findFirst({ where: { room: appointment.callRoom, channel: 'PHONE', stage: { in: ['IDENTIFY', 'MENU', 'WAITING'] } } });
    if (phone) throw conflict('You are on the phone with the clinic about this visit', 'onPhoneCall');
  }
  let stage: PatientCall['stage'];
  if (task?.state === 'ASSIGNED') stage = 'CONSULT';
  else if (task) stage = 'WAITING';
  else {
    const queue = await db.queue.findUnique({
      where: { clinicId_slug: { clinicId: appointment.clinicId, slug: FOLLOW_UP_QUEUE_SLUG } },
      select: { skipIvr: true },
    });
    if (!queue) throw notFound('This clinic has no follow-up queue yet', 'noQueue');
    // A returning caller goes back to the menu node they were on; a queue without a menu goes straight to the wait.
    const live = await liveSessionOfRoom(room);
    if (queue.skipIvr && (!live || live.stage === 'MENU')) {
      await enqueueForAppointment(principal, now);
      stage = 'WAITING';
    } else stage = 'MENU';
  }

  await gateway.ensureRoom(room, { maxParticipants: env().CONSULT_MAX_PARTICIPANTS + 1, emptyTimeoutSeconds: 300 });
  const { session, created } = await openCallSession({
    clinicId: appointment.clinicId,
    appointmentId: appointment.id,
    room,
    locale: options.locale === 'en' ? 'en' : 'zh_CN',
    audioOnly: options.audioOnly,
    stage,
  });
  // The routing task is the truth about the wait (it may have been taken or ended meanwhile); the menu node is kept.
  if (!created && session.stage !== stage) await db.callSession.update({ where: { id: session.id }, data: { stage } });
  if (AGENT_STAGES.includes(stage)) await requestRoomAgent(session.id);

  const metadata: ParticipantMetadata = { role: 'patient', partyRole: 'PATIENT' };
  const token = await gateway.issueJoinToken({
    room,
    identity: principal.id,
    name: principal.name,
    metadata: JSON.stringify(metadata),
    canPublish: stage === 'CONSULT',
    canShareScreen: false,
  });
  return {
    serverUrl: gateway.serverUrl,
    token,
    room,
    identity: principal.id,
    stage,
    role: 'patient',
    partyRole: 'PATIENT',
    permissions: permissionsOf('PATIENT'),
  };
}

/**
 * A clinician took the visit: the patient, already in the room, may now publish. Their page turns camera and
 * microphone on when LiveKit tells it so. A patient not in the room (the page closed) gets it with their next token.
 */
export async function letPatientPublish(gateway: LivekitGateway, appointmentId: string): Promise<boolean> {
  const appointment = await db.appointment.findUnique({ where: { id: appointmentId }, select: { id: true, patientId: true, callRoom: true } });
  if (!appointment) return false;
  return gateway.allowPublishing(consultRoomName(appointment), appointment.patientId);
}

/** The clinician accepts an offer; the waiting patient, already in the room, is let publish before the answer returns. */
export async function acceptCall(gateway: LivekitGateway, principal: Parameters<typeof acceptOffer>[0], offerId: string) {
  const accepted = await acceptOffer(principal, offerId);
  if (!accepted.appointmentId) return accepted;
  await letPatientPublish(gateway, accepted.appointmentId).catch((error) => {
    // The accept stands: the patient's page asks for a token that publishes when no permission arrives.
    console.error(`[call] could not let the patient publish in ${accepted.appointmentId}: ${(error as Error).message}`);
  });
  return accepted;
}

/**
 * The patient's page asks again to publish when no rights arrived after the accept (LiveKit was briefly unreachable
 * when the clinician accepted). Only once a clinician has the visit.
 */
export async function requestPublishing(gateway: LivekitGateway, principal: PatientPrincipal): Promise<{ allowed: boolean }> {
  const assigned = await db.task.findFirst({ where: { appointmentId: principal.appointmentId, state: 'ASSIGNED' }, select: { id: true } });
  if (!assigned) throw forbidden('Your clinician has not taken your visit yet', 'notYourTurn');
  return { allowed: await letPatientPublish(gateway, principal.appointmentId) };
}
