export type StaffRole = 'CLINICIAN' | 'NURSE' | 'ADMIN';

/** Who is behind a request. Patients are scoped to the one appointment their link was for. */
export type Principal =
  | { kind: 'staff'; id: string; name: string; role: StaffRole; clinicId: string }
  | { kind: 'patient'; id: string; name: string; clinicId: string; appointmentId: string };
