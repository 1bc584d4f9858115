// Who takes part in a consult, and as which party. The one place that loads the visit, decides the
// principal's party role in it and refuses everyone else: the room, every action in it and the clinical
// data shown during it ask here. What each party may then do is the consult policy's answer.
import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { isGuest, isPatient, requireCareStaff, type GuestPrincipal, type Staff } from '@/server/auth/guards';
import { findForConsult } from '@/server/scheduling/appointment-repository';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { isCareTeam, permissionsOf, sideOf, type ConsultPermissions, type ConsultSide, type PartyRole } from '@/server/shared/consult-policy';

export type ConsultAppointment = NonNullable<Awaited<ReturnType<typeof findForConsult>>>;

export type ConsultAccess = {
  appointment: ConsultAppointment;
  partyRole: PartyRole;
  /** The side of the call this party is on (token metadata, the room's clinical panels). */
  role: ConsultSide;
  permissions: ConsultPermissions;
  /** `kind:id`, as audit entries name who acted. */
  actor: string;
};

export type ConsultAccessOptions = {
  /**
   * `room` (the default): entering the consult room and acting in it. The patient and invited guests come
   * in once a clinician has taken the visit; a specialist called in from another clinic comes in too.
   * `clinical`: the clinical data of the call (the chart, shared panels, home vitals): the visit's own
   * patient (also before the consult starts) and the care team of the visit's clinic. Guests are never
   * admitted here, on purpose: they take part in the call, not in the clinical data (the chart rule refuses them too).
   */
  purpose?: 'room' | 'clinical';
  /** Refuse a visit that has ended (the default); false for what outlives it, such as the chart or stopping a share. */
  open?: boolean;
  /** Only the care team (GP, specialist, nurse), refused after the visit's own checks. */
  careTeam?: boolean;
};

/** This principal's access to this appointment's consult, or the refusal with its reason. */
export async function authorizeConsult(principal: Principal, appointmentId: string, options: ConsultAccessOptions = {}): Promise<ConsultAccess> {
  const purpose = options.purpose ?? 'room';
  const appointment = await findForConsult(db, appointmentId);
  if (!appointment) throw notFound('This consult does not exist', 'notFound');
  const partyRole = await partyRoleIn(appointment, principal, purpose);
  if ((options.open ?? true) && CLOSED_VISIT_STATUSES.has(appointment.status)) {
    throw conflict('This visit is cancelled or has ended', 'revoked');
  }
  if (options.careTeam && !isCareTeam(partyRole)) throw forbidden('Only the care team can do this', 'forbidden');
  return { appointment, partyRole, role: sideOf(partyRole), permissions: permissionsOf(partyRole), actor: `${principal.kind}:${principal.id}` };
}

async function partyRoleIn(appointment: ConsultAppointment, principal: Principal, purpose: 'room' | 'clinical'): Promise<PartyRole> {
  if (isPatient(principal)) {
    if (principal.appointmentId !== appointment.id) throw forbidden('This consult belongs to another visit', 'forbidden');
    // Patients come in through the waiting room: the room opens once a clinician has taken them.
    if (purpose === 'room' && !(await consultStarted(appointment.id))) throw forbidden('Your clinician has not taken your visit yet', 'notYourTurn');
    return 'PATIENT';
  }
  if (isGuest(principal)) {
    if (purpose === 'clinical') throw forbidden('Not a participant of this consult', 'forbidden');
    return guestRoleIn(appointment, principal);
  }
  return staffRoleIn(appointment, requireCareStaff(principal, 'Administrators do not join consults'), purpose);
}

async function guestRoleIn(appointment: ConsultAppointment, guest: GuestPrincipal): Promise<PartyRole> {
  if (guest.appointmentId !== appointment.id) throw forbidden('This consult belongs to another visit', 'forbidden');
  const invite = await db.consultInvite.findUnique({ where: { id: guest.id }, select: { revokedAt: true, expiresAt: true } });
  if (!invite || invite.revokedAt) throw forbidden('You were removed from this consult', 'guestRemoved');
  if (invite.expiresAt <= new Date()) throw forbidden('This invitation has expired', 'inviteExpired');
  if (!(await consultStarted(appointment.id))) throw forbidden('The consult has not started yet', 'consultNotStarted');
  return guest.guestRole;
}

async function staffRoleIn(appointment: ConsultAppointment, staff: Staff, purpose: 'room' | 'clinical'): Promise<PartyRole> {
  if (staff.clinicId === appointment.clinicId) {
    if (staff.role === 'NURSE') return 'NURSE';
    return (await assignedSpecialistRequest(staff.id, appointment.id)) ? 'SPECIALIST' : 'GP';
  }
  // From another clinic: only a specialist called into this consult, and only into the room.
  if (purpose === 'room' && staff.role === 'CLINICIAN' && (await assignedSpecialistRequest(staff.id, appointment.id))) return 'SPECIALIST';
  throw forbidden('This consult belongs to another clinic', 'forbidden');
}

async function consultStarted(appointmentId: string) {
  return (await db.task.count({ where: { appointmentId, state: 'ASSIGNED' } })) > 0;
}

/** The live specialist request this clinician was assigned for this consult, if any. */
async function assignedSpecialistRequest(clinicianId: string, appointmentId: string) {
  const tasks = await db.task.findMany({
    where: { assignedClinicianId: clinicianId, state: 'ASSIGNED', channel: 'SPECIALIST_REQUEST' },
    select: { id: true },
  });
  return db.specialistRequest.findFirst({
    where: { appointmentId, cancelledAt: null, taskId: { in: tasks.map((t) => t.id) } },
    select: { id: true, taskId: true },
  });
}
