// The string namespaces each screen's client components read, and so the only ones its page sends to the
// browser (server components read every string on the server: that costs the browser nothing). `common`
// comes with every screen from the root layout. screen-messages.test.ts checks each page's screen covers
// what its client components name in useI18n(...).
import type { Namespace } from '@/server/shared/i18n/dictionaries';

export const screens = {
  // Patients, on their phones
  patientCheck: ['patientCheck'],
  checkIn: ['consent', 'deviceCheck', 'vitalsForm', 'waiting', 'patientReschedule', 'errors', 'call', 'consult', 'multiparty', 'ehr', 'summary'],
  patientReschedule: ['patientReschedule', 'errors'],
  visitSummary: ['summary'],
  guestJoin: ['guest'],
  // Everyone in a consult (patient, guests and the care team)
  consult: ['consult', 'multiparty', 'ehr', 'vitalsForm', 'summary', 'errors'],
  // Staff
  staffSignIn: ['staffSignIn'],
  desk: ['desk', 'staffHome', 'multiparty', 'errors'],
  wrapUp: ['wrapUp', 'multiparty', 'errors'],
  schedule: ['schedule', 'appointmentStatus', 'errors'],
  admin: ['wallboard', 'queues', 'ivrAdmin', 'waitingMedia', 'phoneLine', 'errors'],
  messageLog: ['messages'],
  failedWrites: ['failedWrites', 'ehr', 'errors'],
} as const satisfies Record<string, readonly Namespace[]>;

export type Screen = keyof typeof screens;
