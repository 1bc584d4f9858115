import { z } from 'zod';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { conflict, forbidden } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import type { SipGateway } from '@/server/sip/sip-gateway';
import { dialOutAvailability } from '@/server/sip/dial-out-config';
import { authorizeConsult } from './consult-access';
import { auditLimitRefusal, DIAL_OUT_LIMITS, hourBefore, limitReached, lockClinicContacts, type ContactLimits } from './contact-limits';
import { consultRoomName } from './consult-service';
import { may, type ParticipantMetadata } from '@/server/shared/consult-policy';

export const phoneNumberSchema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'Enter the number with its country code, e.g. +8613800000000');

/** The outbound trunk of the clinic's phone line, once provisioned. */
export async function clinicOutboundTrunk(clinicId: string): Promise<string | null> {
  const line = await db.clinicPhone.findUnique({ where: { clinicId }, select: { outboundTrunkId: true } });
  return line?.outboundTrunkId ?? null;
}

/** Calls a phone into the consult room through the clinic's outbound SIP trunk (or the deployment's). */
export async function dialOutToConsult(
  gateways: { livekit: LivekitGateway; sip: SipGateway },
  principal: Principal,
  input: { appointmentId: string; number: string },
  settings = env(),
  limits: ContactLimits = DIAL_OUT_LIMITS,
) {
  const { appointment, partyRole } = await authorizeConsult(principal, input.appointmentId);
  if (!may(partyRole, 'dialOut')) throw forbidden('You may not call a phone into this consult', 'notAllowed');
  const availability = dialOutAvailability(settings, await clinicOutboundTrunk(appointment.clinicId));
  if (!availability.enabled) throw conflict('No SIP trunk is configured for calling phones', 'dialOutDisabled');
  const room = consultRoomName(appointment);
  const present = await gateways.livekit.listParticipants(room);
  if (present.length >= settings.CONSULT_MAX_PARTICIPANTS) throw conflict('This consult is full', 'consultFull');
  // A call goes to a number typed in here: so many per consult and per clinic and hour (failed calls count too).
  const actor = `${principal.kind}:${principal.id}`;
  const entry = { clinicId: appointment.clinicId, patientId: appointment.patient.id, subject: `Appointment/${appointment.id}` };
  const reached = await db.$transaction(async (tx) => {
    await lockClinicContacts(tx, appointment.clinicId);
    const attempted = { action: 'consult.dial-out-attempted' } as const;
    const found = limitReached(
      {
        consult: await tx.auditEvent.count({ where: { ...attempted, patientId: entry.patientId, subject: entry.subject } }),
        clinicLastHour: await tx.auditEvent.count({ where: { ...attempted, clinicId: entry.clinicId, occurredAt: { gt: hourBefore(new Date()) } } }),
      },
      limits,
    );
    if (found) {
      await auditLimitRefusal(tx, {
        actor,
        action: 'consult.dial-out-refused',
        clinicId: entry.clinicId,
        patientId: entry.patientId,
        appointmentId: appointment.id,
        reached: found,
      });
      return found;
    }
    await recordAudit(tx, { actor, ...attempted, ...entry });
    return null;
  });
  if (reached) {
    throw conflict(
      reached.limit === 'consult'
        ? `This consult has started ${reached.max} phone calls, the most it may`
        : `The clinic has started ${reached.max} phone calls in the last hour, the most it may`,
      'dialOutLimit',
    );
  }
  const metadata: ParticipantMetadata = { role: 'phone', partyRole: 'PHONE' };
  const call = await gateways.sip.dialOut({
    trunkId: availability.trunkId,
    number: input.number,
    room,
    identity: `sip_${input.number}`,
    name: input.number,
    metadata: JSON.stringify(metadata),
  });
  await db.$transaction((tx) =>
    recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.dial-out',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
      detail: { number: input.number },
    }),
  );
  return call;
}
