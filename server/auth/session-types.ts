export type StaffRole = 'CLINICIAN' | 'NURSE' | 'ADMIN';

/** Who is behind a request. Patients and guests are scoped to the one appointment their link was for. */
export type Principal =
  | { kind: 'staff'; id: string; name: string; role: StaffRole; clinicId: string }
  | { kind: 'patient'; id: string; name: string; clinicId: string; appointmentId: string }
  /** A family member or interpreter let into one consult by an invite (`id` is the invite's id). */
  | { kind: 'guest'; id: string; name: string; clinicId: string; appointmentId: string; guestRole: 'FAMILY' | 'INTERPRETER' };
