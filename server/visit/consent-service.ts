import { db } from '@/server/db';
import { conflict } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { requirePatient } from '@/server/auth/guards';
import { recordAudit } from '@/server/audit/audit-service';
import type { AppLocale } from '@/server/shared/i18n/locales';

export const STANDARD_TELEHEALTH_CONSENT: Record<AppLocale, string> = {
  'zh-CN':
    '我同意通过视频与诊所医生进行复诊。我了解：视频问诊不能完全替代面对面检查，医生可能会建议我到诊所就诊；通话通过加密连接进行，我的健康信息按医疗保密要求处理；未经我另行同意，不会对问诊进行录像。如遇紧急情况，我会立即拨打 120。',
  en: 'I agree to have my follow-up visit with the clinic by video. I understand that a video visit cannot fully replace an in-person examination and my doctor may ask me to come to the clinic; the call runs over an encrypted connection and my health information is kept confidential; the visit is not recorded unless I agree separately. In an emergency I will call 120 (or my local emergency number) at once.',
};

const PATIENT_ONLY = 'Only the patient can give consent for their visit';

/** The clinic's own consent text in the patient's language, or the standard one. */
export async function telehealthConsentFor(principal: Principal, locale: AppLocale) {
  const patient = requirePatient(principal, PATIENT_ONLY);
  const [clinic, consent] = await Promise.all([
    db.clinic.findUniqueOrThrow({ where: { id: patient.clinicId }, select: { consentTextZh: true, consentTextEn: true } }),
    db.consent.findUnique({
      where: { appointmentId_kind: { appointmentId: patient.appointmentId, kind: 'TELEHEALTH' } },
      select: { acceptedAt: true },
    }),
  ]);
  const text = (locale === 'zh-CN' ? clinic.consentTextZh : clinic.consentTextEn) ?? STANDARD_TELEHEALTH_CONSENT[locale];
  return { text, acceptedAt: consent?.acceptedAt ?? null };
}

/** Stores the acceptance with the exact text shown and the time; accepting twice keeps the first. */
export async function acceptTelehealthConsent(principal: Principal, input: { locale: AppLocale; text: string }) {
  const patient = requirePatient(principal, PATIENT_ONLY);
  const current = await telehealthConsentFor(principal, input.locale);
  if (current.text !== input.text) throw conflict('The consent text has changed; please read it again', 'consentChanged');
  return db.$transaction(async (tx) => {
    const consent = await tx.consent.upsert({
      where: { appointmentId_kind: { appointmentId: patient.appointmentId, kind: 'TELEHEALTH' } },
      create: {
        kind: 'TELEHEALTH',
        patientId: patient.id,
        appointmentId: patient.appointmentId,
        text: input.text,
        locale: input.locale === 'zh-CN' ? 'zh_CN' : 'en',
      },
      update: {},
    });
    await recordAudit(tx, {
      actor: `patient:${patient.id}`,
      action: 'consent.telehealth-accepted',
      clinicId: patient.clinicId,
      patientId: patient.id,
      subject: `Appointment/${patient.appointmentId}`,
    });
    return { acceptedAt: consent.acceptedAt };
  });
}

export async function hasTelehealthConsent(appointmentId: string): Promise<boolean> {
  return (await db.consent.count({ where: { appointmentId, kind: 'TELEHEALTH' } })) > 0;
}
