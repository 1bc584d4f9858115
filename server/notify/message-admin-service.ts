import type { z } from 'zod';
import { db } from '@/server/db';
import { notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { requireAdmin } from '@/server/auth/guards';
import type { Prisma } from '@/server/db/generated/client';
import type { listMessagesInput } from '@/server/shared/schemas/notify';

const messageForAdmin = {
  id: true,
  kind: true,
  status: true,
  attempts: true,
  lastError: true,
  bodyPreview: true,
  createdAt: true,
  sendAfter: true,
  nextAttemptAt: true,
  sentAt: true,
  deliveredAt: true,
  patient: { select: { familyName: true, givenName: true } },
} satisfies Prisma.MessageSelect;

/** A guest invitation's 6-digit code, standing alone in its text (the clinic's name or a time never is). */
const INVITE_CODE = /(?<!\w)\d{6}(?!\w)/g;

/** What admins read of a text: a guest's code is masked like the link (which the stored preview already cuts short). */
function previewForAdmin(kind: string, preview: string | null): string | null {
  return preview && kind === 'CONSULT_INVITE' ? preview.replace(INVITE_CODE, '••••••') : preview;
}

/** The clinic's most recent messages, newest first. Texts are the stored previews: links cut short, guest codes masked. */
export async function listClinicMessages(principal: Principal, input: z.infer<typeof listMessagesInput>) {
  const admin = requireAdmin(principal, 'Only clinic administrators see the message log');
  const clinic = await db.clinic.findUnique({ where: { id: admin.clinicId }, select: { timeZone: true } });
  if (!clinic) throw notFound('Clinic not found');
  const rows = await db.message.findMany({
    where: { clinicId: admin.clinicId, ...(input.status ? { status: input.status } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit,
    select: messageForAdmin,
  });
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    timeZone: clinic.timeZone,
    // Dates as ISO strings: the client gets exactly what the server typed (there is no transformer).
    messages: rows.map(({ patient, createdAt, sendAfter, nextAttemptAt, sentAt, deliveredAt, ...row }) => ({
      ...row,
      bodyPreview: previewForAdmin(row.kind, row.bodyPreview),
      patientName: `${patient.familyName}${patient.givenName}`,
      createdAt: createdAt.toISOString(),
      sendAfter: sendAfter.toISOString(),
      nextAttemptAt: nextAttemptAt.toISOString(),
      sentAt: iso(sentAt),
      deliveredAt: iso(deliveredAt),
    })),
  };
}
