// What a visit's status means, for the server and the UI alike. server/shared/ holds pure modules both
// sides import: no server-only, no Node or Next imports (the status type is the schema's own enum).
import type { AppointmentStatus } from '@/server/db/generated/enums';

/** A visit in one of these has ended or will not happen: no consult room, no patient or guest links. */
/** A visit in one of these has not ended: it may still be taken, moved, cancelled or marked a no-show. */
export const OPEN_VISIT_STATUSES = ['SCHEDULED', 'CHECKED_IN', 'IN_PROGRESS'] as const satisfies readonly AppointmentStatus[];

/** A visit in one of these has ended or will not happen: no consult room, no patient or guest links. */
export const CLOSED_VISIT_STATUSES: ReadonlySet<AppointmentStatus> = new Set<AppointmentStatus>(['CANCELLED', 'COMPLETED', 'NO_SHOW']);
