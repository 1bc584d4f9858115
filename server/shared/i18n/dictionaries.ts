// Every namespace of UI strings, in both languages. A screen's client components receive only the
// namespaces it names (server/i18n/screens.ts); server components and tests may read them all.
import type { AppLocale } from './locales';
import { appointmentStatus } from './namespaces/appointment-status';
import { call } from './namespaces/call';
import { common } from './namespaces/common';
import { consent } from './namespaces/consent';
import { consult } from './namespaces/consult';
import { desk } from './namespaces/desk';
import { deviceCheck } from './namespaces/device-check';
import { ehr } from './namespaces/ehr';
import { errors } from './namespaces/errors';
import { failedWrites } from './namespaces/failed-writes';
import { guest } from './namespaces/guest';
import { home } from './namespaces/home';
import { ivrAdmin } from './namespaces/ivr-admin';
import { messages } from './namespaces/messages';
import { multiparty } from './namespaces/multiparty';
import { patientCheck } from './namespaces/patient-check';
import { patientReschedule } from './namespaces/patient-reschedule';
import { queues } from './namespaces/queues';
import { schedule } from './namespaces/schedule';
import { staffHome } from './namespaces/staff-home';
import { staffSignIn } from './namespaces/staff-sign-in';
import { summary } from './namespaces/summary';
import { vitalsForm } from './namespaces/vitals-form';
import { waiting } from './namespaces/waiting';
import { waitingMedia } from './namespaces/waiting-media';
import { phoneLine } from './namespaces/phone-line';
import { wallboard } from './namespaces/wallboard';
import { wrapUp } from './namespaces/wrap-up';

const namespaces = {
  common,
  errors,
  home,
  staffSignIn,
  patientCheck,
  staffHome,
  appointmentStatus,
  consult,
  deviceCheck,
  consent,
  wrapUp,
  summary,
  waiting,
  desk,
  wallboard,
  queues,
  schedule,
  patientReschedule,
  messages,
  failedWrites,
  ivrAdmin,
  waitingMedia,
  phoneLine,
  ehr,
  vitalsForm,
  multiparty,
  guest,
  call,
};

export type Namespace = keyof typeof namespaces;
export const namespaceNames = Object.keys(namespaces) as Namespace[];

/** Every UI string of one language, by namespace: the English shape, which each namespace's Chinese must match. */
export type Messages = { [N in Namespace]: (typeof namespaces)[N]['en'] };

/** Some namespaces of one language. */
export function pickMessages<N extends Namespace>(locale: AppLocale, names: readonly N[]): Pick<Messages, N> {
  return Object.fromEntries(names.map((name) => [name, namespaces[name][locale]])) as Pick<Messages, N>;
}

export const dictionaries: Record<AppLocale, Messages> = {
  'zh-CN': pickMessages('zh-CN', namespaceNames),
  en: pickMessages('en', namespaceNames),
};
