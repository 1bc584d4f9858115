// Who may call a service: every "is this principal the right kind" check goes through here, so the rule and
// its refusal are written once. Resource checks (this clinic, this visit) stay in the service that owns them.
import { forbidden } from '@/server/errors';
import type { Principal, StaffRole } from './session-types';

export type Staff = Extract<Principal, { kind: 'staff' }>;
export type PatientPrincipal = Extract<Principal, { kind: 'patient' }>;
export type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;

/** The refusal's reason, for the UI to translate (the message is the English fallback). */
type Reason = NonNullable<Parameters<typeof forbidden>[1]>;

/** Staff who take consults: clinicians and nurses (administrators manage, they do not see patients). */
export const CARE_ROLES = ['CLINICIAN', 'NURSE'] as const satisfies readonly StaffRole[];

/** The principal as clinic staff, of one of `roles` when given. `why` says who may, for the refusal. */
export function requireStaff(principal: Principal, roles?: readonly StaffRole[], why = 'Only clinic staff can do this', reason: Reason = 'forbidden'): Staff {
  if (principal.kind !== 'staff' || (roles && !roles.includes(principal.role))) throw forbidden(why, reason);
  return principal;
}

export function requireCareStaff(principal: Principal, why = 'Only clinicians and nurses take consults', reason: Reason = 'forbidden'): Staff {
  return requireStaff(principal, CARE_ROLES, why, reason);
}

export function requireAdmin(principal: Principal, why = 'Only clinic administrators can do this'): Staff {
  return requireStaff(principal, ['ADMIN'], why);
}

export function requirePatient(principal: Principal, why = 'Only the patient of this visit can do this', reason: Reason = 'forbidden'): PatientPrincipal {
  if (principal.kind !== 'patient') throw forbidden(why, reason);
  return principal;
}

export const isStaff = (principal: Principal): principal is Staff => principal.kind === 'staff';
export const isPatient = (principal: Principal): principal is PatientPrincipal => principal.kind === 'patient';
export const isGuest = (principal: Principal): principal is GuestPrincipal => principal.kind === 'guest';
