// A phone call arriving through LiveKit SIP: the webhook of the caller joining their room opens the call's session
// (matched to a patient by number, or to be identified by date of birth) and asks for the room's agent; the webhook
// of the caller leaving ends it, and their place in line with it.
import type { WebhookEvent } from 'livekit-server-sdk';
import { db } from '@/server/db';
import { recordAudit } from '@/server/audit/audit-service';
import { liveSessionOfRoom, openCallSession, setStage } from '@/server/agents/call-sessions';
import { requestRoomAgent } from '@/server/agents/job-queue';
import { completeAssignedTasks, dispatchClinic, endOpenTasks } from '@/server/routing/tasks';
import { PHONE_ROOM_PREFIX } from './provisioning';
import { toE164 } from '@/server/shared/phone-numbers';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { phoneVisitFor } from './caller-identity';

/** ParticipantInfo.Kind.SIP in LiveKit's protocol. */
export const SIP_PARTICIPANT_KIND = 3;

type SipCaller = { room: string; identity: string; attributes: Record<string, string> };
type RoomControl = Pick<LivekitGateway, 'listParticipants' | 'removeParticipant'>;

function sipCallerOf(event: WebhookEvent): SipCaller | null {
  const participant = event.participant;
  const room = event.room?.name;
  if (!participant || !room || Number(participant.kind) !== SIP_PARTICIPANT_KIND) return null;
  return { room, identity: participant.identity, attributes: participant.attributes ?? {} };
}

/** Handles the SIP caller's join and leave, and the patient arriving by video in their phone call's room. */
export async function receivePhoneCallEvent(event: WebhookEvent, gateway: RoomControl, now = new Date()): Promise<'opened' | 'ended' | 'stepped-up' | null> {
  const caller = sipCallerOf(event);
  if (!caller) {
    if (event.event === 'participant_joined' && event.room?.name.startsWith(PHONE_ROOM_PREFIX) && event.participant) {
      return (await hangUpPhoneLegOnVideo(gateway, event.room.name, event.participant.identity)) ? 'stepped-up' : null;
    }
    return null;
  }
  if (event.event === 'participant_joined' && caller.room.startsWith(PHONE_ROOM_PREFIX)) return (await openPhoneCall(caller, now)) ? 'opened' : null;
  if (event.event === 'participant_left') return (await endPhoneCall(gateway, caller, now)) ? 'ended' : null;
  return null;
}

/** The patient opened the video link and is in the room from their browser: the phone leg is hung up. */
async function hangUpPhoneLegOnVideo(gateway: RoomControl, room: string, identity: string): Promise<boolean> {
  const visit = await db.appointment.findUnique({ where: { callRoom: room }, select: { id: true, clinicId: true, patientId: true } });
  if (!visit || visit.patientId !== identity) return false;
  // Only a consult under way moves to video (the patient's page is refused while the phone call is in the menu or the wait).
  if (!(await db.task.findFirst({ where: { appointmentId: visit.id, state: 'ASSIGNED' }, select: { id: true } }))) return false;
  const session = await db.callSession.findFirst({ where: { room, channel: 'PHONE' }, orderBy: { startedAt: 'desc' } });
  if (!session?.callerIdentity) return false;
  const removed = await gateway.removeParticipant(room, session.callerIdentity);
  if (removed) {
    await db.$transaction((tx) =>
      recordAudit(tx, {
        actor: `patient:${identity}`,
        action: 'call.stepped-up-to-video',
        clinicId: visit.clinicId,
        patientId: identity,
        subject: `Appointment/${visit.id}`,
      }),
    );
  }
  return removed;
}

async function openPhoneCall(caller: SipCaller, now: Date): Promise<boolean> {
  const trunkId = caller.attributes['sip.trunkID'];
  const line = trunkId ? await db.clinicPhone.findFirst({ where: { inboundTrunkId: trunkId } }) : null;
  if (!line) {
    console.error(`[sip] a call in ${caller.room} came through trunk ${trunkId ?? '(none)'}, which no clinic's line holds`);
    return false;
  }
  if (await liveSessionOfRoom(caller.room)) return false;
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: line.clinicId }, select: { id: true, defaultLocale: true } });
  const callerNumber = toE164(caller.attributes['sip.phoneNumber']);
  const patient = callerNumber ? await db.patient.findUnique({ where: { clinicId_phone: { clinicId: clinic.id, phone: callerNumber } } }) : null;
  const appointmentId = patient ? await phoneVisitFor(patient, caller.room, now) : null;
  const { session, created } = await openCallSession({
    clinicId: clinic.id,
    appointmentId,
    room: caller.room,
    locale: patient?.preferredLocale ?? clinic.defaultLocale,
    audioOnly: true,
    stage: appointmentId ? 'MENU' : 'IDENTIFY',
    phone: { callerNumber, callerIdentity: caller.identity },
  });
  if (!created) return false;
  // The agent first: the caller hears nothing until it answers.
  await requestRoomAgent(session.id);
  await db.$transaction((tx) =>
    recordAudit(tx, {
      actor: 'system',
      action: 'call.phone-arrived',
      clinicId: clinic.id,
      patientId: patient?.id ?? null,
      subject: `CallSession/${session.id}`,
      detail: { matched: Boolean(patient), ...(appointmentId ? { appointmentId } : {}) },
    }),
  );
  return true;
}

/**
 * The caller hung up: in the menu nothing is left; in line the task is abandoned at this time; in the consult it is
 * completed, unless the patient goes on by video in the same room.
 */
async function endPhoneCall(gateway: RoomControl, caller: SipCaller, now: Date): Promise<boolean> {
  // The room's agent may have ended the session first (it hears the hang-up too): the wait is ended here either way.
  const session = await db.callSession.findFirst({ where: { room: caller.room, callerIdentity: caller.identity }, orderBy: { startedAt: 'desc' } });
  if (!session) return false;
  if (session.stage !== 'ENDED') await setStage(session.id, 'ENDED', now);
  if (!session.appointmentId) return true;
  const ended = await db.$transaction((tx) => endOpenTasks(tx, session.clinicId, { appointmentId: session.appointmentId! }, 'left', now));
  if (ended.length > 0) {
    await dispatchClinic(session.clinicId, now);
    return true;
  }
  const assigned = await db.task.findMany({ where: { appointmentId: session.appointmentId, state: 'ASSIGNED' }, select: { id: true, patientId: true } });
  if (assigned.length === 0) return true;
  const present = await gateway.listParticipants(caller.room).catch(() => []);
  if (present.some((participant) => participant.identity === assigned[0]!.patientId)) return true;
  await completeAssignedTasks(
    assigned.map((task) => task.id),
    {},
    now,
  );
  return true;
}
